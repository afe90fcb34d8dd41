"""Honest closures (#22 point 2): besides "assured and closed", the board closes an item as
"closed as not implemented" (with reasons) or "closed as superseded" (with reasons and the item or
joint action that replaced it). Each is a published, logged decision of the board; the item is
closed (never past its target date, no update due) but never counted as implemented; it is
shown, counted and filtered apart everywhere; and the board can reopen it."""
import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from recommendations import figures, roles, versions
from recommendations.models import Action, Item, Organisation, ProgressUpdate, PublicationLogEntry, PublicVersion
from recommendations.public import headlines, history
from recommendations.services import dashboards, publication_log, workflow
from tests.helpers import make_user, summary_links
from tests.hostile import snapshot
from tests.workflow_helpers import EVIDENCE, approved, assure, days_ahead, draft, reopen

pytestmark = pytest.mark.django_db
Status = Item.Status
REASONS = "The partnership agreed the work is no longer needed after the 2016 restructure."


def close(reviewer, item, status=Status.CLOSED_NOT_IMPLEMENTED, reasons=REASONS, **pointer):
    return workflow.close(reviewer, item, reasons, status, **pointer)


@pytest.fixture
def replacement(seeded):
    return Item.objects.get(reference="JAY-04")


@pytest.fixture
def action(seeded):
    return Action.objects.get(reference="ACT-01")


# --- The service ------------------------------------------------------------------------


def test_closing_as_not_implemented_is_a_published_logged_decision(reviewer, council_item):
    version = PublicVersion.current()
    decision = close(reviewer, council_item)
    council_item.refresh_from_db()
    assert council_item.status == Status.CLOSED_NOT_IMPLEMENTED
    assert council_item.superseded_by is None and council_item.superseded_by_action is None
    assert decision.kind == ProgressUpdate.Kind.CLOSURE and decision.is_board_decision
    assert decision.state == ProgressUpdate.State.APPROVED and decision.published_at
    assert decision.narrative == REASONS and decision.organisation is None
    entry = PublicationLogEntry.objects.order_by("-id").first()
    assert entry.kind == PublicationLogEntry.Kind.CLOSURE and entry.update_id == decision.pk
    assert entry.by == "Decision of the improvement board"
    logged = json.loads(entry.content)
    assert logged["item"]["status"] == "closed_not_implemented" and logged["update"]["narrative"] == REASONS
    assert publication_log.verify() is None
    assert PublicVersion.current() != version


def test_superseded_by_an_item_records_what_replaced_it(reviewer, council_item, replacement):
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by=replacement)
    council_item.refresh_from_db()
    assert council_item.status == Status.SUPERSEDED and council_item.superseded_by == replacement
    entry = PublicationLogEntry.objects.order_by("-id").first()
    assert json.loads(entry.content)["item"]["superseded_by"] == "JAY-04"
    assert publication_log.verify() is None


def test_superseded_by_a_joint_action(reviewer, council_item, action):
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by_action=action)
    council_item.refresh_from_db()
    assert council_item.superseded_by_action == action and council_item.superseded_by is None
    assert json.loads(PublicationLogEntry.objects.order_by("-id").first().content)["item"][
        "superseded_by_action"] == "ACT-01"


@pytest.mark.parametrize("status, reasons, pointer, field, message", [
    (Status.CLOSED_NOT_IMPLEMENTED, "", {}, "reasons", "Give the reasons the item is being closed."),
    (Status.SUPERSEDED, "   ", {"superseded_by": "JAY-04"}, "reasons", "Give the reasons the item is being closed."),
    (Status.SUPERSEDED, REASONS, {}, "superseded_by", "Say what replaced this item"),
    (Status.SUPERSEDED, REASONS, {"superseded_by": "JAY-04", "superseded_by_action": "ACT-01"}, "superseded_by",
     "Say what replaced this item"),
    (Status.SUPERSEDED, REASONS, {"superseded_by": "JAY-03"}, "superseded_by", "cannot be superseded by itself"),
    (Status.SUPERSEDED, REASONS, {"superseded_by": "OFSTED-J1"}, "superseded_by", "A judgement is a grade"),
    (Status.CLOSED_NOT_IMPLEMENTED, REASONS, {"superseded_by": "JAY-04"}, "superseded_by",
     "Only a superseded item says what replaced it"),
    (Status.ASSURED, REASONS, {}, "status", "Choose how the item is being closed."),
    (Status.IMPLEMENTED, REASONS, {}, "status", "Choose how the item is being closed."),
])
def test_bad_closures_are_refused_and_change_nothing(reviewer, council_item, status, reasons, pointer, field,
                                                     message):
    objects = {"superseded_by": lambda ref: Item.objects.get(reference=ref),
               "superseded_by_action": lambda ref: Action.objects.get(reference=ref)}
    pointer = {name: objects[name](value) for name, value in pointer.items()}
    before, log = snapshot(), PublicationLogEntry.objects.count()
    with pytest.raises(workflow.WorkflowError) as refused:
        close(reviewer, council_item, status, reasons, **pointer)
    assert message in str(refused.value) and refused.value.field == field
    assert snapshot() == before and PublicationLogEntry.objects.count() == log


def test_only_the_board_closes(council_officer, council_item):
    with pytest.raises(PermissionDenied):
        close(council_officer, council_item)
    # Nor can an officer propose a closure in an update.
    with pytest.raises(workflow.WorkflowError, match="Only the improvement board can close"):
        draft(council_officer, council_item, proposed_status=Status.SUPERSEDED)


def test_a_two_role_person_may_not_close_their_own_organisations_item(council_item):
    council = Organisation.objects.get(slug="rmbc-cyps")
    two_roles = make_user("officer-and-reviewer", roles.OFFICERS, council)
    two_roles.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    before = snapshot()
    with pytest.raises(workflow.WorkflowError, match="Your organisation owns this item"):
        close(two_roles, council_item)
    assert snapshot() == before
    # A reviewer from another organisation may.
    police = Organisation.objects.get(slug="south-yorkshire-police")
    other = make_user("police-and-reviewer", roles.REVIEWERS, police)
    close(other, council_item)
    assert Item.objects.get(pk=council_item.pk).status == Status.CLOSED_NOT_IMPLEMENTED


def test_a_closed_item_cannot_be_closed_again_and_takes_no_update(reviewer, council_officer, council_item):
    close(reviewer, council_item)
    with pytest.raises(workflow.WorkflowError, match="already closed"):
        close(reviewer, council_item, Status.SUPERSEDED, superseded_by=Item.objects.get(reference="JAY-04"))
    with pytest.raises(workflow.WorkflowError, match="closed as not implemented by the improvement board"):
        draft(council_officer, council_item)


def test_a_draft_written_before_the_closure_cannot_be_submitted_or_approved(reviewer, council_officer, council_item):
    update = draft(council_officer, council_item)
    close(reviewer, council_item)
    with pytest.raises(workflow.WorkflowError, match="closed as not implemented by the improvement board"):
        workflow.submit(council_officer, update, update.version)


def test_an_assured_item_is_not_closed_as_not_implemented(reviewer, implemented_item):
    assure(reviewer, implemented_item)
    with pytest.raises(workflow.WorkflowError, match="already closed"):
        close(reviewer, implemented_item)


def test_corrections_do_not_close_or_open(reviewer, council_item, replacement):
    with pytest.raises(workflow.WorkflowError, match="Close this item without it being implemented"):
        workflow.correct(reviewer, council_item, "Wrong", status=Status.SUPERSEDED)
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by=replacement)
    with pytest.raises(workflow.WorkflowError, match="reopen it"):
        workflow.correct(reviewer, council_item, "Wrong", status=Status.IN_PROGRESS)
    # A correction of its target date keeps what replaced it.
    workflow.correct(reviewer, council_item, "The date was mistyped.", status=Status.SUPERSEDED,
                     target_date=days_ahead(30))
    council_item.refresh_from_db()
    assert council_item.superseded_by == replacement
    assert publication_log.verify() is None


@pytest.mark.parametrize("status", [Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED])
def test_reopening_works_from_both_closures(reviewer, council_officer, council_item, replacement, status):
    pointer = {"superseded_by": replacement} if status == Status.SUPERSEDED else {}
    close(reviewer, council_item, status, **pointer)
    decision = reopen(reviewer, council_item, "The inspection found the work is still needed.")
    council_item.refresh_from_db()
    assert council_item.status == Status.IN_PROGRESS and council_item.superseded_by is None
    assert decision.kind == ProgressUpdate.Kind.REOPENING
    assert PublicationLogEntry.objects.order_by("-id").first().kind == PublicationLogEntry.Kind.REOPENING
    assert "superseded_by" not in json.loads(PublicationLogEntry.objects.order_by("-id").first().content)["item"]
    assert publication_log.verify() is None
    draft(council_officer, council_item)  # open again: its officers write updates


# --- The publication log --------------------------------------------------------------


def test_a_status_forged_in_the_database_is_detected(reviewer, council_item, replacement):
    close(reviewer, council_item)
    assert publication_log.verify() is None
    # Someone turns the closure into a delivery, straight in the database.
    Item.objects.filter(pk=council_item.pk).update(status=Status.IMPLEMENTED)
    problems = [str(problem) for problem in publication_log.check()]
    assert any("JAY-03, status" in problem and '"closed_not_implemented"' in problem for problem in problems)
    # ...or forges a closure the board never made, or changes what replaced an item.
    Item.objects.filter(pk=council_item.pk).update(status=Status.CLOSED_NOT_IMPLEMENTED)
    assert publication_log.verify() is None
    Item.objects.filter(pk=replacement.pk).update(status=Status.SUPERSEDED, superseded_by=council_item)
    problems = [str(problem) for problem in publication_log.check()]
    assert any("JAY-04, status" in problem for problem in problems)
    assert any("JAY-04, superseded_by" in problem for problem in problems)


def test_the_closure_decision_rewritten_in_the_database_is_detected(reviewer, council_item):
    decision = close(reviewer, council_item)
    ProgressUpdate.objects.filter(pk=decision.pk).update(narrative="Implemented in full.")
    assert "no longer matches what was published" in str(publication_log.verify())


# --- The figures ------------------------------------------------------------------------


def test_a_closed_item_is_counted_apart_never_as_implemented(reviewer, council_officer, council_item, replacement):
    past = timezone.localdate() - datetime.timedelta(days=10)
    Item.objects.filter(pk__in=[council_item.pk, replacement.pk]).update(
        current_target_date=past, baseline_target_date=past, created_at=timezone.now() - datetime.timedelta(days=400))
    items = Item.objects.filter(pk__in=[council_item.pk, replacement.pk])
    before = figures.counts(items, figures.live())
    assert before.overdue == 2 and before.update_overdue == 2 and before.closed == 0
    close(reviewer, council_item)
    close(reviewer, replacement, Status.SUPERSEDED, superseded_by_action=Action.objects.get(reference="ACT-01"))
    after = figures.counts(items, figures.live())
    assert (after.total, after.done, after.closed, after.open) == (2, 0, 2, 0)
    assert after.overdue == 0 and after.update_overdue == 0 and after.percent_done == 0
    assert after.by_status[Status.CLOSED_NOT_IMPLEMENTED] == 1 and after.by_status[Status.SUPERSEDED] == 1
    closed = Item.objects.with_last_report().get(pk=council_item.pk)
    assert not closed.is_overdue() and closed.next_update_due() is None and not closed.is_update_overdue()


def test_the_glance_shows_closures_apart(reviewer, council_item):
    close(reviewer, council_item)
    glance = headlines.at_a_glance(Item.objects.filter(pk=council_item.pk))
    assert (glance.done, glance.closed_not_implemented, glance.superseded, glance.percent_done) == (0, 1, 0, 0)
    rows = {row.value: row.count for row in glance.by_status}
    assert rows["closed_not_implemented"] == 1 and rows["implemented"] == rows["assured"] == 0
    assert {row.value: row.count for row in glance.by_band}[headlines.Band.CLOSED] == 1


def test_as_at_and_trend_never_count_a_closure_as_done(reviewer, council_officer, council_item):
    """A small hand-made history: implemented a month ago, then closed as not implemented yesterday
    (a correction of a wrong report, say). Before the closure it counted as done; after, never."""
    approved(council_officer, reviewer, council_item, proposed_status="implemented", evidence=[EVIDENCE])
    close(reviewer, council_item)
    rows = Item.history.model.objects.filter(id=council_item.pk).order_by("history_date", "history_id")
    now = timezone.now()
    implemented_row, closed_row = [row for row in rows if row.status in ("implemented", "closed_not_implemented")]
    type(implemented_row).objects.filter(pk=implemented_row.pk).update(history_date=now - datetime.timedelta(days=40))
    type(closed_row).objects.filter(pk=closed_row.pk).update(history_date=now - datetime.timedelta(days=1))
    # Earlier rows (added, loaded) before both.
    type(closed_row).objects.filter(id=council_item.pk, history_date__gt=now - datetime.timedelta(days=1),
                                    ).exclude(pk=closed_row.pk).delete()
    items = Item.objects.filter(pk=council_item.pk)
    two_days_ago = figures.at_end_of(timezone.localdate() - datetime.timedelta(days=2))
    then, today = (figures.counts(items, moment) for moment in (two_days_ago, figures.live()))
    assert (then.done, then.closed) == (1, 0)
    assert (today.done, today.closed) == (0, 1)
    # The public record as at today.
    record = history.as_at(timezone.localdate())
    (row,) = [row for row in record.items if row.item.reference == council_item.reference]
    assert row.status == "closed_not_implemented"
    assert record.total.closed >= 1
    # The board's trend: delivered in last month's figure at most, never this month's.
    (series,) = [series for series in dashboards.trend(items)]
    last = series["points"][-1]
    assert (last.delivered, last.closed) == (0, 1)


# --- The board's page -------------------------------------------------------------------------


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def close_url(item):
    return reverse("workflow:close", args=[item.reference])


def test_the_workspace_offers_closing_and_reopening(reviewer_client, reviewer, council_item):
    page = reviewer_client.get(reverse("workflow:item", args=[council_item.reference])).content.decode()
    assert close_url(council_item) in page
    close(reviewer, council_item)
    page = reviewer_client.get(reverse("workflow:item", args=[council_item.reference])).content.decode()
    assert close_url(council_item) not in page
    assert reverse("workflow:reopen", args=[council_item.reference]) in page
    assert "closed this item without it being implemented" in page


def test_closing_through_the_form(reviewer_client, council_item, replacement):
    page = reviewer_client.get(close_url(council_item)).content.decode()
    assert "How is the item being closed?" in page and "Closed as superseded" in page
    response = reviewer_client.post(close_url(council_item), {
        "status": "superseded", "reasons": REASONS, "superseded_by": " jay-04 ", "superseded_by_action": ""})
    assert response.status_code == 302
    council_item.refresh_from_db()
    assert council_item.status == Status.SUPERSEDED and council_item.superseded_by == replacement


@pytest.mark.parametrize("data, link, message", [
    ({"status": "closed_not_implemented", "reasons": ""}, "#id_reasons", "Give the reasons the item is being closed"),
    ({"status": "", "reasons": REASONS}, "#id_status_0", "Choose how the item is being closed"),
    ({"status": "assured", "reasons": REASONS}, "#id_status_0", "Choose how the item is being closed"),
    ({"status": "superseded", "reasons": REASONS}, "#id_superseded_by",
     "Say what replaced this item: choose either another item or a joint action."),
    ({"status": "superseded", "reasons": REASONS, "superseded_by": "JAY-03"}, "#id_superseded_by",
     "An item cannot be superseded by itself: choose the item that replaced it."),
    ({"status": "superseded", "reasons": REASONS, "superseded_by": "NOPE-99"}, "#id_superseded_by",
     "There is no item with that reference: check it on the item list"),
    ({"status": "superseded", "reasons": REASONS, "superseded_by_action": "ACT-99"}, "#id_superseded_by_action",
     "Choose a joint action from the list. The page was incomplete or out of date: reload it and try again."),
])
def test_the_form_explains_each_refusal_and_changes_nothing(reviewer_client, council_item, data, link, message):
    before = snapshot()
    response = reviewer_client.post(close_url(council_item), data)
    assert response.status_code == 200
    assert (link, message) in summary_links(response.content.decode())
    assert snapshot() == before


def test_officers_and_administrators_cannot_close(client, council_officer, administrator, council_item):
    for user in (council_officer, administrator):
        client.force_login(user)
        assert client.get(close_url(council_item)).status_code == 403
        assert client.post(close_url(council_item), {"status": "closed_not_implemented",
                                                     "reasons": REASONS}).status_code == 403
    assert Item.objects.get(pk=council_item.pk).status == Status.NOT_STARTED


# --- What the public sees ---------------------------------------------------------------


def test_the_public_item_page_shows_the_closure_its_reasons_and_the_replacement(client, reviewer, council_item,
                                                                               replacement):
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by=replacement)
    page = client.get(council_item.get_absolute_url()).content.decode()
    block = page.split('id="closure"')[1].split("</div>\n")[0]
    assert "Closed as superseded" in block and "without it being implemented" in block
    assert REASONS in page
    assert f'href="{replacement.get_absolute_url()}">JAY-04' in page
    assert reviewer.username not in page


def test_the_public_item_page_names_a_replacing_joint_action(client, reviewer, council_item, action):
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by_action=action)
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert f"Superseded by the joint action ACT-01: {action.title}" in page


def test_a_reopened_item_no_longer_shows_its_closure(client, reviewer, council_item):
    close(reviewer, council_item)
    reopen(reviewer, council_item)
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert 'id="closure"' not in page
    # The decision and its reasons stay in the item's published history.
    assert REASONS in page


def test_lists_filters_home_and_open_data_show_closures_apart(client, reviewer, council_item, replacement):
    close(reviewer, council_item, Status.SUPERSEDED, superseded_by=replacement)
    close(reviewer, Item.objects.get(reference="JAY-07"))
    listed = client.get("/items/?status=superseded").content.decode()
    assert "JAY-03" in listed and "JAY-07" not in listed
    listed = client.get("/items/?status=closed_not_implemented").content.decode()
    assert "JAY-07" in listed and "JAY-03" not in listed
    home = client.get("/").content.decode()
    assert 'id="closed-not-implemented"' in home
    assert "status=closed_not_implemented" in home and "status=superseded" in home
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(client.get("/items.csv").content.decode()))}
    assert rows["JAY-03"]["status"] == "superseded" and rows["JAY-03"]["superseded_by"] == "JAY-04"
    assert rows["JAY-07"]["status_label"] == "Closed as not implemented" and rows["JAY-07"]["superseded_by"] == ""
    assert rows["JAY-07"]["overdue"] == "no" and rows["JAY-07"]["next_update_due"] == ""
    items = {item["reference"]: item for item in json.loads(client.get("/items.json").content)["items"]}
    assert items["JAY-03"]["superseded_by"] == "JAY-04" and items["JAY-03"]["superseded_by_action"] == ""
    updates = json.loads(client.get("/updates.json").content)["updates"]
    assert any(update["item_reference"] == "JAY-07" and update["narrative"] == REASONS for update in updates)
    # The source's page and the glossary.
    source = client.get(council_item.source.get_absolute_url()).content.decode()
    assert "Closed as superseded" in source
    glossary = client.get(reverse("public:glossary")).content.decode()
    assert 'id="closed-not-implemented"' in glossary and 'id="superseded"' in glossary
    # The publication log page names the decision.
    assert "Closed without being implemented" in client.get(reverse("public:publication-log")).content.decode()
    versions.changed()
