"""Dates that cannot be right are stopped (#21 point 3).

A new target date, in an update, a correction or a reopening, is never before the day it is
written (Item.target_date_error). A reopening gives the item a new RAG rating and a new target
date. Nothing publishes an item as Green while past its target date and not implemented
(Item.green_error): the form says why, and approval checks again, since the date may pass
between writing and approval. The reviewer's page says how far a target date moves, against
the current and the first agreed date, and warns when it moves earlier than the first agreed one.
Every refusal is a clear message and changes nothing.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate, PublicationLogEntry
from recommendations.words import long_date
from recommendations.services import workflow
from tests.helpers import summary_links
from tests.hostile import snapshot
from tests.workflow_helpers import (
    EVIDENCE, approved, assure, date_input, days_ahead, submitted, update_form,
)

pytestmark = pytest.mark.django_db


def everything():
    """Rows, fields and history (tests/hostile.py), and the publication log."""
    return snapshot(), PublicationLogEntry.objects.count()


def yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


def with_target_date(item, current, first_agreed=None, rag=""):
    """Give the item target dates as a source file or an earlier decision left them."""
    Item.objects.filter(pk=item.pk).update(current_target_date=current, baseline_target_date=first_agreed or current,
                                           rag=rag)
    item.refresh_from_db()
    return item


@pytest.fixture
def assured_item(second_reviewer, implemented_item):
    """An assured item whose first agreed target date (31 March 2016) long passed."""
    with_target_date(implemented_item, datetime.date(2016, 3, 31))
    assure(second_reviewer, implemented_item)
    implemented_item.refresh_from_db()
    return implemented_item


# --- A new target date is never before the day it is written ---------------------------------


def test_an_update_cannot_give_a_target_date_in_the_past(client, council_officer, council_item):
    client.force_login(council_officer)
    url = reverse("workflow:update-new", args=[council_item.reference])
    before = everything()
    page = client.post(url, update_form(proposed_target_date=yesterday(), target_date_reason="Slipped")).content.decode()
    assert ("#id_proposed_target_date_day", "New target date must be today or in the future") in summary_links(page)
    assert everything() == before
    response = client.post(url, update_form(proposed_target_date=timezone.localdate(), target_date_reason="Agreed"))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(item=council_item).proposed_target_date == timezone.localdate()


def test_a_correction_cannot_give_a_target_date_in_the_past(client, reviewer, council_item):
    client.force_login(reviewer)
    before = everything()
    page = client.post(reverse("workflow:correct", args=[council_item.reference]), {
        "status": council_item.status, "rag": "", "reason": "The date was typed wrongly.",
        **date_input("target_date", yesterday()),
    }).content.decode()
    assert ("#id_target_date_day", "Corrected target date must be today or in the future") in summary_links(page)
    assert everything() == before


def test_the_service_refuses_a_past_date_whatever_the_form(council_officer, reviewer, council_item, assured_item):
    before = everything()
    with pytest.raises(workflow.WorkflowError, match="today or in the future") as refused:
        workflow.save_draft(council_officer, council_item, narrative="Moved", proposed_status="in_progress",
                            proposed_target_date=yesterday(), target_date_reason="Slipped")
    assert refused.value.field == "proposed_target_date"
    with pytest.raises(workflow.WorkflowError, match="today or in the future") as refused:
        workflow.correct(reviewer, council_item, "Typed wrongly.", status=council_item.status,
                         target_date=yesterday())
    assert refused.value.field == "target_date"
    with pytest.raises(workflow.WorkflowError, match="today or in the future") as refused:
        workflow.reopen(reviewer, assured_item, "Gaps found.", rag="amber", target_date=yesterday())
    assert refused.value.field == "target_date"
    assert everything() == before


# --- A reopening asks for a new RAG rating and a new target date ----------------------------------


def test_a_reopening_asks_for_a_new_rag_rating_and_target_date(client, reviewer, assured_item):
    client.force_login(reviewer)
    url = reverse("workflow:reopen", args=[assured_item.reference])
    before = everything()
    page = client.post(url, {"reason": "An inspection found gaps.", "status": "in_progress"}).content.decode()
    assert [text for _, text in summary_links(page)] == [
        "Choose the item's new RAG rating", "Enter the item's new target date"]
    # The first agreed date long passed: it cannot simply be given back.
    page = client.post(url, {"reason": "An inspection found gaps.", "status": "in_progress", "rag": "amber",
                             **date_input("target_date", assured_item.current_target_date)}).content.decode()
    assert ("#id_target_date_day", "New target date must be today or in the future") in summary_links(page)
    assert everything() == before

    client.post(url, {"reason": "An inspection found gaps.", "status": "in_progress", "rag": "amber",
                      **date_input("target_date", days_ahead(200))})
    assured_item.refresh_from_db()
    assert (assured_item.status, assured_item.rag, assured_item.current_target_date,
            assured_item.baseline_target_date) == ("in_progress", "amber", days_ahead(200), datetime.date(2016, 3, 31))
    reopening = assured_item.updates.get(kind=ProgressUpdate.Kind.REOPENING)
    assert (reopening.proposed_rag, reopening.proposed_target_date) == ("amber", days_ahead(200))


def test_the_service_asks_for_them_too(reviewer, assured_item):
    before = everything()
    for rag, target_date, field in (("", days_ahead(30), "rag"), ("not-a-rating", days_ahead(30), "rag"),
                                    ("amber", None, "target_date")):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.reopen(reviewer, assured_item, "Gaps found.", rag=rag, target_date=target_date)
        assert refused.value.field == field
    assert everything() == before


# --- Not Green while past the target date and not implemented -------------------------------------


def green_refused(day):
    return (f"Green means on track, but the item would be past its target date ({long_date(day)}) and not "
            "implemented. Choose Amber or Red, or give a new target date.")


def test_the_officers_form_says_why_green_is_refused(client, council_officer, reviewer, council_item):
    passed = timezone.localdate() - datetime.timedelta(days=30)
    with_target_date(council_item, passed)
    client.force_login(council_officer)
    url = reverse("workflow:update-new", args=[council_item.reference])
    before = everything()
    page = client.post(url, update_form(proposed_rag="green")).content.decode()
    assert ("#id_proposed_rag_0", green_refused(passed)) in summary_links(page)
    assert everything() == before
    # With a new target date, or once implemented, Green can be true.
    assert client.post(url, update_form(proposed_rag="green", proposed_target_date=days_ahead(60),
                                        target_date_reason="Replanned")).status_code == 302
    ProgressUpdate.objects.filter(item=council_item).delete()
    approved(council_officer, reviewer, council_item, proposed_status="implemented", proposed_rag="green",
             evidence=[EVIDENCE])
    council_item.refresh_from_db()
    assert (council_item.status, council_item.rag, council_item.current_target_date) == ("implemented", "green", passed)


def test_an_item_already_green_cannot_stay_green_past_its_date(client, council_officer, council_item):
    """No rating proposed keeps the item's own: the check is on what would be published."""
    passed = timezone.localdate() - datetime.timedelta(days=30)
    with_target_date(council_item, passed, rag="green")
    client.force_login(council_officer)
    before = everything()
    page = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                       update_form(proposed_rag="")).content.decode()
    assert ("#id_proposed_rag_0", green_refused(passed)) in summary_links(page)
    assert everything() == before


def test_approval_refuses_green_once_the_date_has_passed(client, council_officer, reviewer, council_item):
    """Written while the target date was ahead; by approval, it has passed."""
    with_target_date(council_item, timezone.localdate() + datetime.timedelta(days=1))
    update = submitted(council_officer, council_item, proposed_rag="green")
    passed = yesterday()
    Item.objects.filter(pk=council_item.pk).update(current_target_date=passed)  # the days go by
    client.force_login(reviewer)
    url = reverse("workflow:review-update", args=[update.pk])
    page = client.get(url).content.decode()
    assert "This update cannot be approved as it stands." in page  # said before the reviewer decides
    before = everything()
    page = client.post(url, {"decision": "approve", "comment": "", "version": update.version}).content.decode()
    assert ("#id_decision_0", f"Green means on track, but the item would be past its target date "
            f"({long_date(passed)}) and not implemented. {workflow.RETURN_FOR_GREEN}") in summary_links(page)
    assert everything() == before
    client.post(url, {"decision": "return", "comment": "Rate it Amber, or give a new date.",
                      "version": update.version})
    assert ProgressUpdate.objects.get(pk=update.pk).state == ProgressUpdate.State.RETURNED


def test_a_correction_cannot_make_an_overdue_item_green(client, reviewer, council_item):
    passed = timezone.localdate() - datetime.timedelta(days=30)
    with_target_date(council_item, passed)
    client.force_login(reviewer)
    before = everything()
    page = client.post(reverse("workflow:correct", args=[council_item.reference]), {
        "status": "in_progress", "rag": "green", "reason": "It is on track.",
    }).content.decode()
    assert ("#id_rag_0", f"Green means on track, but the item would be past its target date ({long_date(passed)}) "
            "and not implemented. Choose Amber or Red, or correct the target date too.") in summary_links(page)
    assert everything() == before


# --- The reviewer sees how far a target date moves ---------------------------------------------------


def review_page(client, reviewer, update):
    client.force_login(reviewer)
    return client.get(reverse("workflow:review-update", args=[update.pk])).content.decode()


def test_the_review_page_says_how_far_a_later_date_moves(client, council_officer, reviewer, council_item):
    current, first = days_ahead(200), days_ahead(100)
    with_target_date(council_item, current, first_agreed=first)
    update = submitted(council_officer, council_item, proposed_target_date=days_ahead(292),
                       target_date_reason="The new case system is late.")
    page = review_page(client, reviewer, update)
    assert f"Moves 3 months later than the current target date ({long_date(current)})" in page
    assert f"Moves 6 months later than the first agreed date ({long_date(first)})" in page
    assert "earlier than the first agreed date" not in page


def test_the_review_page_warns_of_a_date_earlier_than_first_agreed(client, council_officer, reviewer, council_item):
    current, first = days_ahead(200), days_ahead(100)
    with_target_date(council_item, current, first_agreed=first)
    update = submitted(council_officer, council_item, proposed_target_date=days_ahead(70),
                       target_date_reason="Brought forward.")
    page = review_page(client, reviewer, update)
    assert f"Moves 4 months earlier than the current target date ({long_date(current)})" in page
    assert f"Moves 30 days earlier than the first agreed date ({long_date(first)})" in page
    assert (f"The new target date is earlier than the first agreed date ({long_date(first)}). Check that it is not "
            "a typing mistake") in page


def test_the_first_target_date_is_said_to_be_the_first_agreed(client, council_officer, reviewer, council_item):
    update = submitted(council_officer, council_item, proposed_target_date=days_ahead(90), target_date_reason="Set")
    assert "This becomes the first agreed target date." in review_page(client, reviewer, update)
