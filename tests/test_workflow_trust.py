"""Nothing changes the public record except a recorded, reviewed decision.

- an update belongs to the organisation that wrote it: a partner on the same
  item cannot read, change, submit or discard it;
- an organisation has one open update per item: saving twice edits it;
- an assured item is closed until a reviewer reopens it, with a published reason;
- nobody reviews their own update, or assures their own organisation's report.
"""
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from recommendations import roles
from recommendations.models import EvidenceLink, Item, ProgressUpdate
from recommendations.services import workflow
from tests import workflow_helpers
from tests.helpers import make_user
from tests.workflow_helpers import EVIDENCE, approved, date_input, days_ahead, draft, edit, submitted, update_form

pytestmark = pytest.mark.django_db
State = ProgressUpdate.State
# Owned by the council; the police are a partner through joint action ACT-01.
SHARED_ITEM = "OFSTED-F1"


@pytest.fixture
def shared_item(seeded):
    return Item.objects.get(reference=SHARED_ITEM)


@pytest.fixture
def council_draft_on_shared_item(council_officer, reviewer, shared_item):
    update = submitted(council_officer, shared_item, narrative="Council draft 4410.")
    return workflow.return_update(reviewer, update, update.version, "Board comment 4411.")


# --- A partner cannot touch another organisation's update -----------------------


def test_a_partner_cannot_read_or_change_the_owners_update(client, police_officer, council_draft_on_shared_item):
    update = council_draft_on_shared_item
    client.force_login(police_officer)
    for name in ("workflow:update-edit", "workflow:update-submit", "workflow:update-discard"):
        assert client.get(reverse(name, args=[update.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[update.pk]), update_form(version=update.version,
                                                                          narrative="Rewritten")).status_code == 404
    workspace = client.get(reverse("workflow:item", args=[SHARED_ITEM])).content.decode()
    assert "Council draft 4410." not in workspace and "Board comment 4411." not in workspace
    with pytest.raises(PermissionDenied):
        edit(police_officer, update, narrative="Rewritten by a partner")
    with pytest.raises(PermissionDenied):
        workflow.submit(police_officer, update, update.version)
    with pytest.raises(PermissionDenied):
        workflow.discard(police_officer, update, update.version)
    update.refresh_from_db()
    assert (update.narrative, update.state) == ("Council draft 4410.", State.RETURNED)


def test_a_partner_writes_its_own_update_on_the_same_item(police_officer, council_draft_on_shared_item):
    own = draft(police_officer, council_draft_on_shared_item.item, narrative="Police progress.")
    assert own.pk != council_draft_on_shared_item.pk
    assert own.organisation == police_officer.organisation


def test_the_owner_reads_the_partners_update_only_once_published(client, council_officer, police_officer, reviewer,
                                                                  shared_item):
    update = submitted(police_officer, shared_item, narrative="Police progress 7702.")
    client.force_login(council_officer)
    assert client.get(reverse("workflow:item", args=[SHARED_ITEM])).content.decode().count("Police progress 7702.") == 0
    workflow.approve(reviewer, update, update.version)
    assert "Police progress 7702." in client.get(reverse("workflow:item", args=[SHARED_ITEM])).content.decode()


# --- One open update per organisation and item -----------------------------------


def test_saving_a_new_update_twice_keeps_one_draft_with_one_copy_of_each_link(client, council_officer, council_item):
    client.force_login(council_officer)
    form = update_form(**{"evidence-0-title": "Audit", "evidence-0-url": "https://example.org/a.pdf",
                          "evidence-0-date": "2015-05-01"})
    url = reverse("workflow:update-new", args=[council_item.reference])
    client.post(url, form)
    client.post(url, form)  # a double click
    update = ProgressUpdate.objects.get(item=council_item)
    assert update.state == State.DRAFT
    assert update.evidence.count() == 1


def test_a_second_draft_through_the_service_edits_the_first(council_officer, council_item):
    first = draft(council_officer, council_item, narrative="First.")
    second = draft(council_officer, council_item, narrative="Second.")
    assert second.pk == first.pk
    assert ProgressUpdate.objects.filter(item=council_item).count() == 1
    assert ProgressUpdate.objects.get().narrative == "Second."


def test_no_new_update_while_one_waits_for_review(client, council_officer, council_item):
    submitted(council_officer, council_item)
    with pytest.raises(workflow.WorkflowError, match="waiting for the board"):
        draft(council_officer, council_item)
    client.force_login(council_officer)
    response = client.get(reverse("workflow:update-new", args=[council_item.reference]), follow=True)
    assert b"waiting for the board" in response.content


def test_the_database_refuses_a_second_open_update(council_officer, council_item):
    from django.db import IntegrityError, transaction

    draft(council_officer, council_item)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(item=council_item, author=council_officer,
                                      organisation=council_officer.organisation, narrative="x",
                                      proposed_status="in_progress")


def test_discarding_a_draft_deletes_it_and_its_evidence(client, council_officer, council_item):
    update = draft(council_officer, council_item, evidence=[EVIDENCE])
    client.force_login(council_officer)
    page = client.get(reverse("workflow:update-discard", args=[update.pk]))
    assert b"Are you sure you want to discard this draft update?" in page.content
    response = client.post(reverse("workflow:update-discard", args=[update.pk]), {"version": update.version},
                           follow=True)
    assert b"has been discarded" in response.content
    assert not ProgressUpdate.objects.filter(pk=update.pk).exists()
    assert not EvidenceLink.objects.filter(update_id=update.pk).exists()
    assert ProgressUpdate.history.filter(id=update.pk, history_type="-").exists()  # still in the history


def test_a_submitted_update_cannot_be_discarded(council_officer, council_item):
    update = submitted(council_officer, council_item)
    with pytest.raises(workflow.WorkflowError):
        workflow.discard(council_officer, update, update.version)
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


# --- A closed item stays closed until the board reopens it ------------------------


@pytest.fixture
def assured_item(implemented_item, second_reviewer):
    workflow_helpers.assure(second_reviewer, implemented_item, "Audited by the board.")
    implemented_item.refresh_from_db()
    assert implemented_item.status == Item.Status.ASSURED
    return implemented_item


def test_no_update_is_written_on_a_closed_item(client, council_officer, assured_item):
    with pytest.raises(workflow.WorkflowError, match="assured and closed"):
        draft(council_officer, assured_item)
    client.force_login(council_officer)
    response = client.get(reverse("workflow:update-new", args=[assured_item.reference]), follow=True)
    assert b"assured and closed" in response.content
    response = client.post(reverse("workflow:update-new", args=[assured_item.reference]), update_form())
    assert not assured_item.updates.filter(state=State.DRAFT).exists()


def test_an_update_from_before_closure_is_neither_submitted_nor_approved(council_officer, police_officer, reviewer,
                                                                          second_reviewer, shared_item):
    """OFSTED-F1: the council's draft and the police's submitted update both predate closure."""
    council = draft(council_officer, shared_item, proposed_status="in_progress", proposed_rag="red")
    police = submitted(police_officer, shared_item, proposed_status="in_progress", proposed_rag="red")
    approved(council_officer, reviewer, Item.objects.get(reference="OFSTED-F2"))  # unrelated
    Item.objects.filter(pk=shared_item.pk).update(status=Item.Status.IMPLEMENTED)
    shared_item.refresh_from_db()
    EvidenceLink.objects.create(item=shared_item, title="Audit", url="https://example.org/a", date=EVIDENCE.date)
    workflow_helpers.assure(second_reviewer, shared_item, "Checked.")

    with pytest.raises(workflow.WorkflowError, match="assured and closed"):
        workflow.submit(council_officer, council, council.version)
    with pytest.raises(workflow.WorkflowError, match="assured and closed"):
        workflow.approve(reviewer, police, police.version)
    shared_item.refresh_from_db()
    assert (shared_item.status, shared_item.rag) == (Item.Status.ASSURED, Item.Rag.GREEN)


def test_reopening_is_a_published_decision_with_a_reason(client, council_officer, reviewer, assured_item):
    client.force_login(reviewer)
    url = reverse("workflow:reopen", args=[assured_item.reference])
    response = client.post(url, {"reason": " ", "status": "in_progress", "rag": "amber",
                                 **date_input("target_date", days_ahead(180))})
    assert b"Say why the item is being reopened" in response.content
    client.post(url, {"reason": "The re-audit found gaps 3306.", "status": "in_progress", "rag": "amber",
                      **date_input("target_date", days_ahead(180))})
    assured_item.refresh_from_db()
    assert assured_item.status == Item.Status.IN_PROGRESS
    public = client.get(assured_item.get_absolute_url()).content.decode()
    assert "Reopened by the board" in public and "The re-audit found gaps 3306." in public
    assert draft(council_officer, assured_item).state == State.DRAFT  # open again


# --- Separation of duties ----------------------------------------------------------


@pytest.fixture
def officer_and_reviewer(council_officer):
    """One account wrongly given both roles."""
    council_officer.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    return council_officer


def test_nobody_approves_or_returns_their_own_update(officer_and_reviewer, reviewer, council_item):
    update = submitted(officer_and_reviewer, council_item)
    with pytest.raises(workflow.WorkflowError, match="another member of the board"):
        workflow.approve(officer_and_reviewer, update, update.version)
    with pytest.raises(workflow.WorkflowError, match="another member of the board"):
        workflow.return_update(officer_and_reviewer, update, update.version, "Fine by me.")
    update.refresh_from_db()
    assert update.state == State.SUBMITTED
    workflow.approve(reviewer, update, update.version)  # someone else may


def test_nobody_assures_an_item_their_organisation_reported_implemented(council_officer, reviewer, implemented_item):
    council_reviewer = make_user("council-reviewer", roles.REVIEWERS, council_officer.organisation)
    with pytest.raises(workflow.WorkflowError, match="another member of the board"):
        workflow_helpers.assure(council_reviewer, implemented_item, "Looks done.")
    implemented_item.refresh_from_db()
    assert implemented_item.status == Item.Status.IMPLEMENTED
    workflow_helpers.assure(reviewer, implemented_item, "Audited.")


def test_the_admin_warns_when_a_person_is_given_both_roles(client, administrator, council_officer):
    client.force_login(administrator)
    url = reverse("admin:recommendations_user_change", args=[council_officer.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data["groups"] = [Group.objects.get_or_create(name=name)[0].pk for name in (roles.OFFICERS, roles.REVIEWERS)]
    data["user_permissions"] = []
    data["organisation"] = council_officer.organisation_id
    data["last_login_0"] = data["last_login_1"] = ""
    joined = council_officer.date_joined
    data["date_joined_0"], data["date_joined_1"] = joined.strftime("%Y-%m-%d"), joined.strftime("%H:%M:%S")
    data = {key: value for key, value in data.items() if key not in ("last_login", "date_joined")}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "both an officer and a board reviewer" in response.content.decode()
