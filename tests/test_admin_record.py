"""The Django admin cannot rewrite the public record outside the workflow.

Fields the workflow owns are read-only, change history cannot be reverted, and
official wording is marked verified only with the wording and where it stands
in the document, recording who verified it and when (shown in public).
"""
import pytest
from django.urls import reverse

from recommendations.models import Item
from recommendations.services import workflow
from tests import admin_helpers, workflow_helpers
from tests.workflow_helpers import approved

pytestmark = pytest.mark.django_db


def item_form(item, **changes):
    """The item form with a reason for the change, so what it tests is the field, not the missing reason."""
    return admin_helpers.item_form(item, **{"change_reason": "Checked against the report.", **changes})


def test_history_cannot_be_reverted_in_the_admin(client, administrator, council_officer, reviewer, council_item):
    first = council_item.history.earliest()  # "Not started", before any update
    approved(council_officer, reviewer, council_item, proposed_status="in_progress", proposed_rag="amber")
    client.force_login(administrator)
    url = reverse("admin:recommendations_item_simple_history", args=[council_item.pk, first.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no Revert button
    assert client.post(url, item_form(council_item)).status_code == 403
    council_item.refresh_from_db()
    assert (council_item.status, council_item.rag) == ("in_progress", "amber")


def test_the_workflow_fields_are_read_only_in_the_admin(client, administrator, council_item):
    client.force_login(administrator)
    url = reverse("admin:recommendations_item_change", args=[council_item.pk])
    client.post(url, item_form(council_item, status="assured", rag="green", current_target_date="2030-01-01"))
    council_item.refresh_from_db()
    assert (council_item.status, council_item.rag, council_item.current_target_date) == (
        "not_started", "", council_item.baseline_target_date
    )


@pytest.mark.parametrize("missing", ["official_wording", "official_reference"])
def test_verified_needs_the_wording_and_its_place_in_the_document(client, administrator, council_item, missing):
    client.force_login(administrator)
    url = reverse("admin:recommendations_item_change", args=[council_item.pk])
    data = item_form(council_item, verified="on", official_wording="The official text.",
                     official_reference="page 4, paragraph 2")
    data[missing] = ""
    response = client.post(url, data)
    assert response.status_code == 200
    assert "before marking it as verified" in response.content.decode()
    council_item.refresh_from_db()
    assert not council_item.verified


def test_verification_records_who_and_when_and_is_shown_in_public(client, administrator, council_item):
    client.force_login(administrator)
    url = reverse("admin:recommendations_item_change", args=[council_item.pk])
    response = client.post(url, item_form(council_item, verified="on", official_wording="The official text 5150.",
                                          official_reference="page 4, paragraph 2"))
    assert response.status_code == 302
    council_item.refresh_from_db()
    assert council_item.verified_by == administrator and council_item.verified_at is not None
    client.logout()
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert "The official text 5150." in page
    assert "checked against the official document (page 4, paragraph 2) on" in page


def test_a_correction_is_a_recorded_published_decision(client, reviewer, council_officer, council_item):
    approved(council_officer, reviewer, council_item, proposed_status="in_progress", proposed_rag="red")
    client.force_login(reviewer)
    url = reverse("workflow:correct", args=[council_item.reference])
    response = client.post(url, {"status": "in_progress", "rag": "", "reason": "Nothing changes."})
    assert "Nothing would change" in response.content.decode()
    client.post(url, {"status": "in_progress", "rag": "amber",
                      "reason": "The rating was entered against the wrong item 8812."})
    council_item.refresh_from_db()
    assert council_item.rag == "amber"
    assert council_item.history.first().history_user == reviewer
    client.logout()
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert "Corrected by the board" in page and "wrong item 8812." in page


def test_a_closed_items_status_is_corrected_only_by_reopening(reviewer, second_reviewer, implemented_item):
    workflow_helpers.assure(second_reviewer, implemented_item, "Audited.")
    with pytest.raises(workflow.WorkflowError, match="reopen it"):
        workflow.correct(reviewer, implemented_item, "Wrong.", status="in_progress")
    implemented_item.refresh_from_db()
    assert implemented_item.status == Item.Status.ASSURED


def test_verification_is_logged_and_a_later_quiet_edit_is_caught(client, administrator, council_item):
    from recommendations.models import PublicationLogEntry
    from recommendations.services import publication_log

    client.force_login(administrator)
    client.post(reverse("admin:recommendations_item_change", args=[council_item.pk]),
                item_form(council_item, verified="on", official_wording="The official text.",
                          official_reference="page 4, paragraph 2"))
    entry = PublicationLogEntry.objects.get(kind="verification")
    assert entry.item_reference == council_item.reference and entry.by == "Administrator"
    assert publication_log.verify() is None
    Item.objects.filter(pk=council_item.pk).update(official_wording="Quietly changed.")
    problem = publication_log.verify()
    assert (problem.subject, problem.field) == (council_item.reference, "official_wording")
