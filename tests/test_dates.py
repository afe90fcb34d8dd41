"""Dates typed as day, month and year (the GOV.UK date input): each message, the error
summary's links, the limits of a new target date at their boundaries, and a valid date
carried through to publication."""
import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate, years_after
from recommendations.services import workflow
from tests.helpers import summary_links
from tests.hostile import snapshot
from tests.workflow_helpers import approved, days_ahead, update_form

pytestmark = pytest.mark.django_db

JAY_PUBLISHED = datetime.date(2014, 8, 26)  # seeds/jay.yaml


def typed_boxes(page):
    """{box name: value} of the page's inputs, whatever order the macro writes their attributes in."""
    found = {}
    for tag in re.findall(r"<input\s[^>]*>", page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            found[name[1]] = value[1] if value else ""
    return found


@pytest.fixture
def officer_client(client, council_officer):
    client.force_login(council_officer)
    return client


def post_update(client, item, **fields):
    return client.post(reverse("workflow:update-new", args=[item.reference]), update_form(**fields))


@pytest.mark.parametrize("typed, message, first_box", [
    (("", "3", "2027"), "New target date must include a day", "day"),
    (("1", "", ""), "New target date must include a month and year", "month"),
    (("31", "2", "2027"), "New target date must be a real date", "day"),
    (("1", "13", "2027"), "New target date must be a real date", "month"),
    (("1", "x", "2027"), "New target date must be a real date", "month"),
    (("1", "3", "27"), "Year must include 4 numbers", "year"),
    (("1", "1", "2100"), "New target date must be before 2100", "day"),
])
def test_each_date_message_links_to_the_first_box_in_error(officer_client, council_item, typed, message, first_box):
    before = snapshot()
    response = post_update(officer_client, council_item, proposed_target_date=typed, target_date_reason="Moved")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert (f"#id_proposed_target_date_{first_box}", message) in summary_links(page)
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in page
    # What was typed is shown again, in the boxes it was typed in.
    assert typed_boxes(page)["proposed_target_date_year"] == typed[2]
    assert snapshot() == before


def test_only_the_boxes_in_error_are_outlined(officer_client, council_item):
    page = post_update(officer_client, council_item, proposed_target_date=("1", "", "2027"),
                       target_date_reason="Moved").content.decode()
    boxes = {part: re.search(rf'<input\s[^>]*id="id_proposed_target_date_{part}"[^>]*>', page)[0]
             for part in ("day", "month", "year")}
    assert "govuk-input--error" in boxes["month"] and 'aria-invalid="true"' in boxes["month"]
    assert "govuk-input--error" not in boxes["day"] + boxes["year"]
    assert 'inputmode="numeric"' in boxes["day"]


def test_the_date_input_is_a_fieldset_with_a_legend_and_an_example(officer_client, council_item):
    page = officer_client.get(reverse("workflow:update-new", args=[council_item.reference])).content.decode()
    group = re.split(r'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">\s*New target date', page)[1]
    assert "For example, 27 3 " in group.split("</fieldset>")[0]
    assert 'type="date"' not in page


def test_a_reason_without_a_new_date_is_an_error_not_dropped(officer_client, council_item):
    before = snapshot()
    page = post_update(officer_client, council_item, target_date_reason="The new system is late").content.decode()
    assert ("#id_proposed_target_date_day",
            "Enter the new target date, or delete the reason if the target date is not changing.") in summary_links(page)
    assert snapshot() == before


def test_a_new_date_without_a_reason_is_an_error_on_the_reason(officer_client, council_officer, reviewer,
                                                               council_item):
    approved(council_officer, reviewer, council_item, proposed_target_date=days_ahead(90))
    page = post_update(officer_client, council_item, proposed_target_date=days_ahead(270)).content.decode()
    assert ("#id_target_date_reason", "Say why the target date is changing.") in summary_links(page)


@pytest.mark.parametrize("day, accepted", [
    (JAY_PUBLISHED - datetime.timedelta(days=1), False),
    ("yesterday", False),
    ("today", True),
    ("ten years", True),
    ("ten years and a day", False),
])
def test_target_date_limits_at_their_boundaries(officer_client, council_item, day, accepted):
    today = timezone.localdate()
    ten_years = years_after(today, 10)
    day = {"yesterday": today - datetime.timedelta(days=1), "today": today, "ten years": ten_years,
           "ten years and a day": ten_years + datetime.timedelta(days=1)}.get(day, day)
    response = post_update(officer_client, council_item, proposed_target_date=day, target_date_reason="Agreed")
    saved = ProgressUpdate.objects.filter(item=council_item).first()
    if accepted:
        assert response.status_code == 302 and saved.proposed_target_date == day
    else:
        page = response.content.decode()
        expected = ("New target date must be the same as or after 26 August 2014, the date its source (Jay report) was published"
                    if day < JAY_PUBLISHED else
                    "New target date must be today or in the future" if day < today else
                    f"New target date must be the same as or before {ten_years.day} {ten_years:%B %Y}, "
                    "10 years from today")
        assert ("#id_proposed_target_date_day", expected) in summary_links(page)
        assert saved is None


def test_the_service_refuses_a_date_out_of_limits_whatever_the_form(council_officer, council_item):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.save_draft(council_officer, council_item, narrative="Moved", proposed_status="in_progress",
                            proposed_target_date=datetime.date(2014, 1, 1), target_date_reason="Why not")
    assert refused.value.field == "proposed_target_date"


def test_a_valid_date_flows_through_the_check_page_to_publication(officer_client, council_officer, reviewer,
                                                                   council_item, client):
    response = post_update(officer_client, council_item, proposed_target_date=("31", "3", "2027"),
                           target_date_reason="Waiting for the new case system", **{"continue": "1"})
    update = ProgressUpdate.objects.get(item=council_item)
    assert response.url == reverse("workflow:update-submit", args=[update.pk])
    page = officer_client.get(response.url).content.decode()
    assert "to 31 March 2027" in page and "Waiting for the new case system" in page
    officer_client.post(response.url, {"version": update.version})
    update.refresh_from_db()
    workflow.approve(reviewer, update, update.version)
    council_item.refresh_from_db()
    assert council_item.current_target_date == datetime.date(2027, 3, 31)


def test_add_another_link_keeps_the_typed_date_boxes(officer_client, council_item):
    page = post_update(officer_client, council_item, add_link="1", proposed_target_date=("9", "", "2027"),
                       **{"evidence-0-date": ("1", "5", "2015")}).content.decode()
    assert typed_boxes(page)["proposed_target_date_day"] == "9"
    assert typed_boxes(page)["evidence-0-date_month"] == "5"
    assert not ProgressUpdate.objects.exists()


def test_evidence_date_errors_link_to_the_row_boxes(officer_client, council_item):
    page = post_update(officer_client, council_item, **{
        "evidence-0-title": "Audit", "evidence-0-url": "https://example.org/a", "evidence-0-date": ("1", "", "2015"),
    }).content.decode()
    assert ("#id_evidence-0-date_month", "Evidence link 1: Date of the document must include a month") \
        in summary_links(page)


def test_the_board_correction_meets_the_same_limits(client, reviewer, implemented_item):
    client.force_login(reviewer)
    data = {"status": "implemented", "rag": "", "reason": "The target was typed wrongly",
            "target_date_day": "1", "target_date_month": "1", "target_date_year": "2014"}
    page = client.post(reverse("workflow:correct", args=[implemented_item.reference]), data).content.decode()
    assert ("#id_target_date_day", "Corrected target date must be the same as or after 26 August 2014, the date its "
            "source (Jay report) was published") in summary_links(page)


def test_the_model_refuses_target_dates_out_of_limits(council_item):
    """The admin shows target dates read-only; any other route meets the same rule in Item.clean."""
    council_item.current_target_date = datetime.date(2014, 8, 25)
    with pytest.raises(ValidationError) as refused:
        council_item.full_clean()
    assert "must be the same as or after 26 August 2014" in refused.value.message_dict["current_target_date"][0]
    council_item.current_target_date = years_after(timezone.localdate(), 10)
    council_item.full_clean()


def test_the_as_at_date_uses_the_same_date_input(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/board/as-at/?day=20&month=&year=2024").content.decode()
    assert ("#id_date_month", "The date must include a month") in summary_links(page)
    assert typed_boxes(page)["day"] == "20" and 'inputmode="numeric"' in page


def test_admin_item_form_keeps_target_dates_read_only(client, administrator, council_item):
    client.force_login(administrator)
    page = client.get(reverse("admin:recommendations_item_change", args=[council_item.pk])).content.decode()
    assert 'name="current_target_date"' not in page and 'name="baseline_target_date"' not in page
    assert Item.objects.get(pk=council_item.pk).current_target_date is None
