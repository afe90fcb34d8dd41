"""Separation of duties, by what people did, not by who started the draft.

A reviewer may not approve or return an update if they created, changed or
submitted any version of it, or added or removed any of its evidence links
(the update's and its links' change history say who); nor one from their own
organisation. The service refuses, the review page refuses a posted decision
(403, nothing changes), the review queue says why, and the board's overview
lists the updates no current reviewer may decide.
"""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from recommendations import roles
from recommendations.models import EvidenceLink, Item, Organisation, ProgressUpdate, PublicationLogEntry
from recommendations.services import workflow
from tests.helpers import make_user
from tests.workflow_helpers import EVIDENCE, draft, edit, submitted

pytestmark = pytest.mark.django_db
State = ProgressUpdate.State
WORKED_ON = "You created, changed or submitted this update or its evidence"
OWN_ORGANISATION = "This update comes from your own organisation"


@pytest.fixture
def council(seeded):
    return Organisation.objects.get(slug="rmbc-cyps")


@pytest.fixture
def officer_and_reviewer(council):
    """A second council officer wrongly given the reviewer role too."""
    person = make_user("two-hats", roles.OFFICERS, council)
    person.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    return person


def _moved_to_the_board(person):
    """The person leaves the council for the board: no organisation, no officer role, still a reviewer.
    Only the update's history now says they worked on it."""
    person.organisation = None
    person.save()
    person.groups.remove(Group.objects.get(name=roles.OFFICERS))
    person._tracker_groups = {roles.REVIEWERS}
    return person


def _nothing_decided(update, item_status):
    update.refresh_from_db()
    assert update.state == State.SUBMITTED
    assert update.reviewer is None and update.published_at is None
    assert Item.objects.get(pk=update.item_id).status == item_status
    assert not PublicationLogEntry.objects.filter(update_id=update.pk).exists()


def _refused_by_the_service(person, update, message):
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.approve(person, update, update.version, "Looks right to me.")
    update.refresh_from_db()
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.return_update(person, update, update.version, "Please change it.")
    update.refresh_from_db()


# --- The service -----------------------------------------------------------------


def test_who_changed_a_draft_someone_else_started_cannot_decide_it(council_officer, officer_and_reviewer,
                                                                     council_item, reviewer):
    update = draft(council_officer, council_item)
    edit(officer_and_reviewer, update, narrative="Words of the second officer 5521.")
    update.refresh_from_db()
    workflow.submit(council_officer, update, update.version)
    update.refresh_from_db()
    status = council_item.status
    _refused_by_the_service(officer_and_reviewer, update, WORKED_ON)
    _refused_by_the_service(_moved_to_the_board(officer_and_reviewer), update, WORKED_ON)
    _nothing_decided(update, status)
    workflow.approve(reviewer, update, update.version)  # a reviewer who did none of it may


def test_who_submitted_a_draft_someone_else_wrote_cannot_decide_it(council_officer, officer_and_reviewer,
                                                                     council_item):
    update = draft(council_officer, council_item)
    update = workflow.submit(officer_and_reviewer, update, update.version)
    _refused_by_the_service(_moved_to_the_board(officer_and_reviewer), update, WORKED_ON)
    _nothing_decided(update, council_item.status)


@pytest.mark.parametrize("change", ["added", "removed"])
def test_who_added_or_removed_evidence_cannot_decide_it(council_officer, officer_and_reviewer, council_item,
                                                        change):
    update = draft(council_officer, council_item, evidence=[EVIDENCE] if change == "removed" else [])
    if change == "added":
        edit(officer_and_reviewer, update, evidence=[EVIDENCE])
    else:
        edit(officer_and_reviewer, update, remove_evidence=[update.evidence.get().pk])
    update.refresh_from_db()
    update = workflow.submit(council_officer, update, update.version)
    _refused_by_the_service(_moved_to_the_board(officer_and_reviewer), update, WORKED_ON)
    _nothing_decided(update, council_item.status)


def test_who_added_evidence_outside_the_workflow_cannot_decide_it(administrator, council_officer, council_item):
    """A link whose history names someone the update's own history does not (an admin edit, as the
    admin once allowed, or a data fix): the evidence's history counts as well."""
    administrator.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    update = submitted(council_officer, council_item)
    link = EvidenceLink(item=council_item, update=update, title="Minutes 6631", url="https://example.org/m.pdf",
                        date=EVIDENCE.date)
    link._history_user = administrator
    link.save()
    assert set(update.history.values_list("history_user", flat=True)) == {council_officer.pk}
    _refused_by_the_service(administrator, update, WORKED_ON)
    _nothing_decided(update, council_item.status)


def test_a_reviewer_of_the_owning_organisation_cannot_decide_it_another_reviewer_can(
        council_officer, council, council_item, reviewer, second_reviewer):
    council_reviewer = make_user("council-reviewer", roles.REVIEWERS, council)
    update = submitted(council_officer, council_item)
    _refused_by_the_service(council_reviewer, update, OWN_ORGANISATION)
    _nothing_decided(update, council_item.status)
    # Returning an update is a decision, not work on it: the same reviewer decides it when it comes back.
    workflow.return_update(reviewer, update, update.version, "Add the minutes.")
    update.refresh_from_db()
    update = workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    update.refresh_from_db()
    assert update.state == State.APPROVED and update.reviewer == reviewer


# --- The review page ----------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_posted_decision_by_who_worked_on_it_is_refused(client, council_officer, officer_and_reviewer,
                                                          council_item, decision):
    update = draft(council_officer, council_item)
    edit(officer_and_reviewer, update, narrative="Words of the second officer 5522.", evidence=[EVIDENCE])
    update.refresh_from_db()
    update = workflow.submit(council_officer, update, update.version)
    client.force_login(officer_and_reviewer)
    url = reverse("workflow:review-update", args=[update.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert WORKED_ON in page.content.decode() and "Confirm decision" not in page.content.decode()
    response = client.post(url, {"decision": decision, "comment": "Fine.", "version": update.version})
    assert response.status_code == 403
    assert WORKED_ON in response.content.decode()
    _nothing_decided(update, council_item.status)
    assert "Words of the second officer 5522." not in client.get(council_item.get_absolute_url()).content.decode()


def test_a_posted_decision_by_a_reviewer_of_the_owning_organisation_is_refused(client, council_officer, council,
                                                                              council_item, reviewer):
    council_reviewer = make_user("council-reviewer", roles.REVIEWERS, council)
    update = submitted(council_officer, council_item)
    client.force_login(council_reviewer)
    url = reverse("workflow:review-update", args=[update.pk])
    response = client.post(url, {"decision": "approve", "comment": "", "version": update.version})
    assert response.status_code == 403 and OWN_ORGANISATION in response.content.decode()
    _nothing_decided(update, council_item.status)
    client.force_login(reviewer)
    response = client.post(url, {"decision": "approve", "comment": "", "version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == State.APPROVED
    assert PublicationLogEntry.objects.filter(update_id=update.pk).count() == 1


# --- The review queue and the reviewer's home ----------------------------------------


def test_the_queue_says_which_updates_are_not_yours_to_decide_in_fixed_queries(
        client, council_officer, police_officer, officer_and_reviewer, django_assert_num_queries):
    mine = draft(council_officer, Item.objects.get(reference="JAY-01"))
    mine = workflow.submit(officer_and_reviewer, mine, mine.version)
    police = submitted(police_officer, Item.objects.get(reference="JAY-04"))
    client.force_login(officer_and_reviewer)
    client.get(reverse("workflow:review-queue"))  # warm the session
    # session, user, groups, two-factor device, the queue, who worked on the queued updates
    with django_assert_num_queries(6):
        response = client.get(reverse("workflow:review-queue"))
    reasons = {update.pk: update.not_yours for update in response.context["updates"]}
    assert reasons[mine.pk].startswith(WORKED_ON) and reasons[police.pk] is None
    page = response.content.decode()
    assert WORKED_ON in page and page.count("Not yours to decide") == 1
    for reference in ("JAY-02", "JAY-07"):
        submitted(council_officer, Item.objects.get(reference=reference))
    with django_assert_num_queries(6):
        response = client.get(reverse("workflow:review-queue"))
    reasons = [update.not_yours for update in response.context["updates"]]
    assert sum(1 for reason in reasons if reason and reason.startswith(OWN_ORGANISATION)) == 2
    assert response.content.decode().count(OWN_ORGANISATION) == 2
    home = client.get(reverse("workflow:my-items"))  # an officer too: the officer's home comes first
    assert home.status_code == 200
    reviewer_only = _moved_to_the_board(officer_and_reviewer)
    client.force_login(reviewer_only)
    home = client.get(reverse("workflow:my-items")).content.decode()
    assert "Your review work" in home and WORKED_ON in home and "Not yours to decide" in home


# --- The board's overview -----------------------------------------------------------


def test_the_board_lists_updates_no_current_reviewer_may_decide(client, council_officer, council, police_officer,
                                                                 officer_and_reviewer):
    council_reviewer = make_user("council-reviewer", roles.REVIEWERS, council)
    submitted(council_officer, Item.objects.get(reference="JAY-01"))
    submitted(police_officer, Item.objects.get(reference="JAY-04"))
    client.force_login(council_reviewer)
    page = client.get(reverse("board:overview")).content.decode()
    # Both reviewers are of the council: only the police's update has a reviewer who may decide it.
    section = page.split('id="another-organisation"')[1]
    assert "1 update can be decided only by a reviewer from another organisation" in section
    assert "JAY-01" in section and "JAY-04" not in section
    rows = client.get(reverse("board:overview-csv", args=["another-organisation"])).content.decode()
    assert "JAY-01" in rows and "JAY-04" not in rows
    assert "2 reviewers of RMBC Children's Services" in rows
    make_user("outside-reviewer", roles.REVIEWERS)
    page = client.get(reverse("board:overview")).content.decode()
    assert "No update is waiting only for a reviewer from another organisation" in page
