"""Hostile query strings on the board's "as at" form and the public item list: never a 500."""
import pytest
from django.urls import reverse

from tests.hostile import snapshot

pytestmark = pytest.mark.django_db


# The ordinary mistakes (missing part, letters, 2-digit year, 31 February,
# month 13, the future) are in tests/test_dashboards.py; these are forged.
@pytest.mark.parametrize("query, message", [
    ("day=1&month=1&year=99999", "Year must include 4 numbers"),
    ("day=123&month=1&year=2015", "The date must be a real date"),
    ("day=99999999999999999999&month=1&year=2015", "The date must be a real date"),
    ("day=1&month=1&year=0000", "The date must be a real date"),
    ("day=-1&month=1&year=2015", "The date must be a real date"),
    ("day=%C2%B2&month=1&year=2015", "The date must be a real date"),  # superscript two
    ("day=1&month=1&year=%00%00%00%00", "Null characters are not allowed"),
    ("day=%3Cscript%3Ealert(1)%3C/script%3E&month=1&year=2015", "The date must be a real date"),
    ("day=14&month=10&year=1066", "The date must be in 2000 or later"),
    ("day=31&month=12&year=9999", "The date must be today or in the past"),
])
def test_forged_as_at_dates_get_a_clear_message(client, reviewer, query, message):
    client.force_login(reviewer)
    response = client.get(f"/board/as-at/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page and message in page
    assert "As it stood" not in page
    assert "<script>alert(1)" not in page
    # The table downloads refuse the same date rather than fail.
    assert client.get(f"/board/as-at/overdue.csv?{query}").status_code == 404


def test_as_at_with_repeated_and_unknown_parameters(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/board/as-at/?day=1&day=2&month=1&year=2015&year=2016&colour=blue")
    assert response.status_code == 200


ITEM_LIST_QUERIES = [
    "source=NOPE", "source=%3Cscript%3E", "status=exploded", "status=assured%27--", "owner=nobody",
    "theme=../../etc", "overdue=maybe", "q=" + "x" * 100_000, "q=%27%20OR%201%3D1%20--",
    "q=%25%25%25_", "q=%00", "q=JAY%00", "q=%3Cscript%3Ealert(1)%3C/script%3E", "source=JAY&source=ADCS",
    "q=%F0%9F%92%A9", "q=%ED%A0%80",
]


@pytest.mark.parametrize("query", ITEM_LIST_QUERIES)
def test_item_list_filters_never_fail(client, seeded, query):
    before = snapshot()
    response = client.get(f"{reverse('public:item-list')}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "No items match these filters." in page or "item" in page
    assert snapshot() == before


def test_sql_looking_search_finds_nothing_rather_than_everything(client, seeded):
    response = client.get(reverse("public:item-list"), {"q": "' OR 1=1 --"})
    assert "No items match these filters." in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "1e3", "%00", "last"])
def test_item_list_page_numbers_never_fail(client, seeded, page):
    response = client.get(f"{reverse('public:item-list')}?page={page}")
    # A page that does not exist is "not found", the same as any missing page.
    assert response.status_code in (200, 404)
    if page == "last":
        assert response.status_code == 200
