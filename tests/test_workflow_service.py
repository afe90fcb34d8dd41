"""Every workflow rule, through recommendations.services.workflow (the one place they live)."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from recommendations.models import EvidenceLink, Item, ProgressUpdate
from recommendations.services import workflow
from recommendations.services.history import item_timeline
from tests import workflow_helpers
from tests.workflow_helpers import EVIDENCE, approved, days_ahead, draft, edit, submitted

pytestmark = pytest.mark.django_db
State = ProgressUpdate.State


def test_a_draft_can_be_saved_and_changed_without_touching_the_item(council_officer, council_item):
    before = (council_item.status, council_item.rag)
    update = draft(council_officer, council_item)
    assert update.state == State.DRAFT and update.version == 1
    update = workflow.save_draft(council_officer, council_item, narrative="Changed", proposed_status="in_progress",
                                 update=update, expected_version=1)
    update.refresh_from_db()
    council_item.refresh_from_db()
    assert (update.narrative, update.version) == ("Changed", 2)
    assert (council_item.status, council_item.rag) == before


def test_submitting_does_not_change_the_item(council_officer, council_item):
    update = submitted(council_officer, council_item)
    council_item.refresh_from_db()
    assert update.state == State.SUBMITTED and update.submitted_at
    assert council_item.status == Item.Status.NOT_STARTED


def test_approving_publishes_the_update_and_changes_the_item(council_officer, reviewer, council_item):
    update = approved(council_officer, reviewer, council_item)
    council_item.refresh_from_db()
    assert update.state == State.APPROVED and update.published_at and update.reviewer == reviewer
    assert (council_item.status, council_item.rag) == ("in_progress", "amber")


def test_returning_needs_a_comment_and_leaves_the_item_alone(council_officer, reviewer, council_item):
    update = submitted(council_officer, council_item)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.return_update(reviewer, update, update.version, "   ")
    assert refused.value.field == "comment"
    update.refresh_from_db()
    assert update.state == State.SUBMITTED
    workflow.return_update(reviewer, update, update.version, "Add the audit report.")
    update.refresh_from_db()
    council_item.refresh_from_db()
    assert (update.state, update.review_comment) == (State.RETURNED, "Add the audit report.")
    assert council_item.status == Item.Status.NOT_STARTED


def test_a_returned_update_can_be_changed_and_submitted_again(council_officer, reviewer, council_item):
    update = submitted(council_officer, council_item)
    workflow.return_update(reviewer, update, update.version, "Add evidence.")
    update = workflow.save_draft(council_officer, council_item, narrative="With evidence", proposed_status="in_progress",
                                 evidence=[EVIDENCE], update=update, expected_version=update.version)
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    update.refresh_from_db()
    assert update.state == State.APPROVED and update.evidence.count() == 1


def test_implemented_needs_an_evidence_link(council_officer, reviewer, council_item):
    with pytest.raises(workflow.WorkflowError, match="evidence link") as refused:
        draft(council_officer, council_item, proposed_status="implemented")
    assert refused.value.field == "evidence"
    assert not council_item.updates.exists()
    update = draft(council_officer, council_item, proposed_status="implemented", evidence=[EVIDENCE])
    with pytest.raises(workflow.WorkflowError, match="evidence link"):  # removing the only link
        edit(council_officer, update, remove_evidence=[update.evidence.get().pk])
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    council_item.refresh_from_db()
    assert council_item.status == Item.Status.IMPLEMENTED


def test_a_draft_that_lost_its_evidence_is_still_refused_at_submission(council_officer, council_item):
    update = draft(council_officer, council_item, proposed_status="implemented", evidence=[EVIDENCE])
    update.evidence.all().delete()  # removed outside the form
    with pytest.raises(workflow.WorkflowError, match="evidence link"):
        workflow.submit(council_officer, update, update.version)


def test_evidence_removed_after_submission_is_impossible_so_approval_keeps_the_rule(
    council_officer, reviewer, council_item
):
    update = submitted(council_officer, council_item, proposed_status="implemented", evidence=[EVIDENCE])
    link = update.evidence.get()
    with pytest.raises(workflow.WorkflowError):
        edit(council_officer, update, remove_evidence=[link.pk])
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_evidence_links_must_be_http_or_https(council_officer, council_item):
    bad = workflow.EvidenceInput(title="Script", url="javascript:alert(1)", date=datetime.date(2015, 1, 1))
    with pytest.raises(workflow.WorkflowError, match="http"):
        draft(council_officer, council_item, evidence=[bad])
    assert not ProgressUpdate.objects.filter(item=council_item).exists()  # all or nothing


def test_only_a_reviewer_can_assure_and_close(council_officer, reviewer, council_item):
    with pytest.raises(workflow.WorkflowError) as refused:
        draft(council_officer, council_item, proposed_status="assured")
    assert refused.value.field == "proposed_status"
    approved(council_officer, reviewer, council_item, proposed_status="implemented", evidence=[EVIDENCE])
    council_item.refresh_from_db()
    with pytest.raises(PermissionDenied):
        workflow_helpers.assure(council_officer, council_item, "We are sure.")
    workflow_helpers.assure(reviewer, council_item, "The board read the audit and visited the team.")
    council_item.refresh_from_db()
    assert council_item.status == Item.Status.ASSURED
    assert council_item.updates.filter(state=State.APPROVED, proposed_status="assured", author=reviewer).exists()


def test_only_an_implemented_item_can_be_assured(reviewer, council_item):
    with pytest.raises(workflow.WorkflowError, match="implemented"):
        workflow_helpers.assure(reviewer, council_item, "Closing.")
    council_item.refresh_from_db()
    assert council_item.status == Item.Status.NOT_STARTED
    assert not council_item.updates.exists()


def test_moving_the_target_date_keeps_the_baseline_and_records_the_reason(council_officer, reviewer, council_item):
    first, later = days_ahead(90), days_ahead(270)
    approved(council_officer, reviewer, council_item, proposed_target_date=first)
    council_item.refresh_from_db()
    assert (council_item.baseline_target_date, council_item.current_target_date) == (first, first)

    with pytest.raises(workflow.WorkflowError) as refused:
        draft(council_officer, council_item, proposed_target_date=later)
    assert refused.value.field == "target_date_reason"

    approved(council_officer, reviewer, council_item, proposed_target_date=later,
             target_date_reason="Waiting for the new case system.")
    council_item.refresh_from_db()
    assert (council_item.baseline_target_date, council_item.current_target_date) == (first, later)
    latest = council_item.history.latest()
    assert "Waiting for the new case system." in latest.history_change_reason
    assert latest.history_user == reviewer


def test_an_approved_update_never_changes(council_officer, reviewer, council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[EVIDENCE])
    with pytest.raises(workflow.WorkflowError, match="published"):
        workflow.save_draft(council_officer, council_item, narrative="Rewritten", proposed_status="implemented",
                            update=update, expected_version=update.version)
    with pytest.raises(workflow.WorkflowError):
        edit(council_officer, update, evidence=[EVIDENCE])
    with pytest.raises(workflow.WorkflowError):
        edit(council_officer, update, remove_evidence=[update.evidence.get().pk])
    with pytest.raises(workflow.WorkflowError):
        workflow.return_update(reviewer, update, update.version, "Too late")
    update.refresh_from_db()
    assert (update.state, update.narrative, update.evidence.count()) == (State.APPROVED, "Risk assessments now cover every open CSE case.", 1)


def test_a_correction_is_a_new_update(council_officer, reviewer, council_item):
    approved(council_officer, reviewer, council_item)
    correction = approved(council_officer, reviewer, council_item, proposed_rag="red", narrative="Correction: at risk")
    council_item.refresh_from_db()
    assert council_item.rag == "red"
    assert council_item.updates.filter(state=State.APPROVED).count() == 2
    assert correction.pk != council_item.updates.earliest("created_at").pk


def test_officers_work_only_on_their_organisations_items(police_officer, council_officer, council_item):
    with pytest.raises(PermissionDenied):
        draft(police_officer, council_item)
    update = draft(council_officer, council_item)
    with pytest.raises(PermissionDenied):
        workflow.submit(police_officer, update, update.version)
    with pytest.raises(PermissionDenied):
        edit(police_officer, update, evidence=[EVIDENCE])


def test_a_partner_through_an_action_can_write_updates(police_officer):
    # OFSTED-F1 is owned by the council; the police own action ACT-01 that answers it.
    item = Item.objects.get(reference="OFSTED-F1")
    assert item.owner.slug == "rmbc-cyps"
    assert draft(police_officer, item).author == police_officer


def test_reviewers_write_no_updates_and_officers_review_none(council_officer, reviewer, council_item):
    with pytest.raises(PermissionDenied):
        draft(reviewer, council_item)
    update = submitted(council_officer, council_item)
    with pytest.raises(PermissionDenied):
        workflow.approve(council_officer, update, update.version)
    with pytest.raises(PermissionDenied):
        workflow.return_update(council_officer, update, update.version, "No")


def test_every_transition_is_in_the_history_with_who_and_what(council_officer, reviewer, council_item):
    update = submitted(council_officer, council_item)
    workflow.return_update(reviewer, update, update.version, "More detail")
    workflow.save_draft(council_officer, council_item, narrative="More detail", proposed_status="in_progress",
                        update=update, expected_version=update.version)
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    reasons = [(record.history_change_reason, record.history_user)
               for record in update.history.order_by("history_date", "history_id")]
    assert reasons == [
        ("Draft started", council_officer),
        ("Submitted for review", council_officer),
        ("Returned to the officer", reviewer),
        ("Returned update changed", council_officer),
        ("Submitted for review", council_officer),
        ("Approved and published", reviewer),
    ]
    timeline = item_timeline(council_item)
    assert timeline[0].who == reviewer
    status_change = next(entry for entry in timeline if entry.changes)
    assert "Status: Not started → In progress" in status_change.changes


def test_notifications_go_to_reviewers_then_the_officer(
    council_officer, reviewer, second_reviewer, council_item, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = submitted(council_officer, council_item)
    assert sorted(mailoutbox[0].to) == sorted([reviewer.email, second_reviewer.email])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_update(reviewer, update, update.version, "Add the audit.")
    assert mailoutbox[1].to == [council_officer.email] and "Add the audit." in mailoutbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(council_officer, update, update.version)
        workflow.approve(reviewer, update, update.version)
    assert [message.subject for message in mailoutbox[2:]] == [
        "Update to review: JAY-03", "Update published: JAY-03"
    ]
    assert mailoutbox[3].to == [council_officer.email]


def test_no_email_when_the_change_is_refused(council_officer, reviewer, council_item, mailoutbox,
                                              django_capture_on_commit_callbacks):
    update = submitted(council_officer, council_item)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(workflow.ConflictError):
            workflow.approve(reviewer, update, update.version - 1)
    assert mailoutbox == []


def test_every_e_mail_links_to_the_page_where_the_reader_acts(
    council_officer, reviewer, council_item, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://tracker.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        update = submitted(council_officer, council_item)
        workflow.return_update(reviewer, update, update.version, "Add the audit.")
        workflow.submit(council_officer, update, update.version)
        workflow.approve(reviewer, update, update.version)
    review, returned, _, published = (message.body for message in mailoutbox)
    assert f"https://tracker.example.org/work/updates/{update.pk}/review/" in review
    assert f"https://tracker.example.org/work/updates/{update.pk}/edit/" in returned
    assert "https://tracker.example.org/items/JAY-03/" in published
