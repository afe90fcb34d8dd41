"""The public item list sorts by target date, last update, RAG rating and reference, in the address
(?sort=...) so a sorted list can be shared; a wrong sort value gives the usual order. An empty
result says what the tracker covers and how to widen the search. The count says "1 item matches"."""
import datetime

import pytest
from django.core.cache import caches

from recommendations import versions
from recommendations.models import Item, Source
from tests.workflow_helpers import approved

pytestmark = pytest.mark.django_db

# The list's queries as the first page after a change (as tests/test_public_queries.py counts them).
QUERIES = 8


def listed(client, query):
    versions.changed()  # the tests change rows with update(), which sends no signal
    response = client.get("/items/", query)
    assert response.status_code == 200
    return [item.reference for item in response.context["items"]]


def every_item(client, query):
    """The references of every page of the list."""
    references, page = [], 1
    while True:
        response = client.get("/items/", {**query, "page": page})
        references += [item.reference for item in response.context["items"]]
        if not response.context["page_obj"].has_next():
            return references
        page += 1


def test_the_default_order_is_the_sources_order_and_a_wrong_sort_value_keeps_it(client, seeded):
    usual = listed(client, {})
    assert usual[:2] == ["JAY-01", "JAY-02"]
    for wrong in ("nonsense", "list_position", "-reference", ""):
        assert listed(client, {"sort": wrong}) == usual


def test_sorted_by_reference_and_by_target_date(client, seeded):
    references = every_item(client, {"sort": "reference"})
    assert references == sorted(Item.objects.values_list("reference", flat=True))

    Item.objects.filter(reference="OFSTED-F2").update(current_target_date=datetime.date(2001, 1, 1))
    Item.objects.filter(reference="JAY-01").update(current_target_date=None)
    versions.changed()
    by_target = every_item(client, {"sort": "target-date"})
    assert by_target[0] == "OFSTED-F2"
    dates = [Item.objects.get(reference=reference).current_target_date for reference in by_target]
    dated = [date for date in dates if date]
    assert dated == sorted(dated)
    assert dates.index(None) == len(dated)  # no target date last
    assert "JAY-01" in by_target[len(dated):]


def test_sorted_by_rag_rating_red_first_and_by_last_update(client, seeded, council_officer, reviewer):
    Item.objects.update(rag="")
    Item.objects.filter(reference="JAY-09").update(rag="green")
    Item.objects.filter(reference="JAY-12").update(rag="red")
    Item.objects.filter(reference="JAY-03").update(rag="amber")
    assert listed(client, {"sort": "rag"})[:4] == ["JAY-12", "JAY-03", "JAY-09", "JAY-01"]

    for reference in ("JAY-07", "JAY-05"):  # JAY-05 reported last
        approved(council_officer, reviewer, Item.objects.get(reference=reference), narrative=f"News of {reference}.")
    assert listed(client, {"sort": "last-update"})[:2] == ["JAY-05", "JAY-07"]


def test_a_sort_is_kept_by_the_filters_and_the_pages_and_shown_as_chosen(client, seeded):
    response = client.get("/items/", {"sort": "reference", "source": "JAY"})
    page = response.content.decode()
    assert '<input type="hidden" name="sort" value="reference">' in page
    assert 'aria-current="true"><strong>Reference</strong>' in page
    assert "?source=JAY&amp;sort=target-date" in page  # another order keeps the filters
    assert "/items.csv?source=JAY\"" in page  # downloads keep the filters, not the order
    assert response.context["is_filtered"]
    assert not client.get("/items/", {"sort": "reference"}).context["is_filtered"]


def test_two_sorts_are_two_stored_pages(client, seeded):
    def stored():
        return [key for key in caches["default"]._cache if ":page:" in key]

    by_reference = client.get("/items/?sort=reference").content
    assert len(stored()) == 1
    by_target = client.get("/items/?sort=target-date").content
    assert len(stored()) == 2
    assert by_reference != by_target
    assert client.get("/items/?sort=reference").content == by_reference


def test_sorted_lists_run_the_same_queries_as_the_usual_list(client, seeded, django_assert_num_queries):
    for sort in ("", "target-date", "last-update", "rag", "reference"):
        versions.changed()  # nothing kept for the version: the most the page runs
        with django_assert_num_queries(QUERIES):
            assert client.get("/items/", {"sort": sort}).status_code == 200


def test_one_match_is_one_item_that_matches(client, seeded):
    page = client.get("/items/", {"q": "JAY-04"}).content.decode()
    assert "1 item matches your filters" in page
    page = client.get("/items/", {"q": "jay-1"}).content.decode()
    assert "6 items match your filters" in page


def test_an_empty_result_names_the_sources_covered_and_how_to_widen_the_search(client, seeded):
    Source.objects.filter(code="ADCS").update(title="Proposals of a renamed association")
    versions.changed()
    page = client.get("/items/", {"q": "zebra quokka"}).content.decode()
    assert "0 items match your filters" in page
    assert f"The tracker covers {Source.objects.count()} sources" in page
    for source in Source.objects.all():
        assert f'href="/sources/{source.code}/"' in page
    assert "Proposals of a renamed association" in page  # read from the database
    assert "To widen the search" in page and "clear all filters" in page


def test_a_search_sorted_by_reference_keeps_its_matches_in_that_order(client, seeded):
    matches = listed(client, {"q": "child sexual exploitation"})
    assert len(matches) > 1
    assert listed(client, {"q": "child sexual exploitation", "sort": "reference"}) == sorted(matches)
