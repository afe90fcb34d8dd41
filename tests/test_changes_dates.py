"""/changes/ asks for its two dates with the same GOV.UK date input as every other date
(day, month and year boxes, forms.DateInputField), its boxes filled with the range the page
shows, and its own address keeps the dates year-month-day so it can be shared."""
import datetime
import re

import pytest
from django.utils import timezone

from tests.helpers import summary_links


def boxes(page):
    """{box name: value} of the page's text inputs."""
    found = {}
    for tag in re.findall(r"<input\s[^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            found[name.group(1)] = value.group(1) if value else ""
    return found


@pytest.mark.django_db
def test_the_dates_are_gov_uk_date_inputs_filled_with_the_range_shown(client):
    response = client.get("/changes/?from=2015-01-01&to=2015-12-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="govuk-date-input"') == 2
    assert boxes(page) == {"from_day": "1", "from_month": "1", "from_year": "2015",
                           "to_day": "31", "to_month": "12", "to_year": "2015"}
    assert "<legend" in page and ">From</legend>" in page.replace("\n", "").replace("  ", "")


@pytest.mark.django_db
def test_with_no_dates_the_boxes_show_the_last_30_days(client):
    page = client.get("/changes/").content.decode()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    assert boxes(page) == {"from_day": str(start.day), "from_month": str(start.month), "from_year": str(start.year),
                           "to_day": str(today.day), "to_month": str(today.month), "to_year": str(today.year)}


@pytest.mark.django_db
def test_dates_typed_in_the_boxes_go_to_the_pages_own_address(client):
    response = client.get("/changes/", {"from_day": "30", "from_month": "6", "from_year": "2015",
                                        "to_day": "1", "to_month": "9", "to_year": "2015"})
    assert response.status_code == 302
    assert response.url == "/changes/?from=2015-06-30&to=2015-09-01"
    shown = client.get(response.url).content.decode()
    assert "from 30 June 2015 to 1 September 2015" in shown


@pytest.mark.django_db
@pytest.mark.parametrize("typed, message, first_box", [
    ({"from_day": "31", "from_month": "2", "from_year": "2015"}, "The start date must be a real date", "id_from_day"),
    ({"from_day": "1", "from_month": "", "from_year": "2015"}, "The start date must include a month",
     "id_from_month"),
    ({"to_day": "1", "to_month": "1", "to_year": "2999"}, "The end date must be today or in the past", "id_to_day"),
    ({"from_day": "1", "from_month": "7", "from_year": "2015", "to_day": "1", "to_month": "6", "to_year": "2015"},
     "The end date must be the same as or after the start date", "id_to_day"),
])
def test_a_wrong_date_in_the_boxes_is_explained_with_what_was_typed(client, typed, message, first_box):
    response = client.get("/changes/", typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert summary_links(page) == [(f"#{first_box}", message)]
    assert "govuk-input--error" in page
    shown = boxes(page)
    assert {name: shown[name] for name in typed} == typed
