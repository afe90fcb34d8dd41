"""Two reviewers acting on the same update at once: exactly one succeeds, the other is told, nothing is lost.
The same for two saves of one draft, and for a new update's Save clicked twice."""
import threading

import pytest
from django.db import connection, connections

from recommendations import roles
from recommendations.models import EvidenceLink, ProgressUpdate
from recommendations.services import workflow
from tests.helpers import make_user
from tests.workflow_helpers import EVIDENCE, draft, submitted

State = ProgressUpdate.State


@pytest.mark.django_db
def test_a_decision_on_an_old_version_is_refused_and_changes_nothing(council_officer, reviewer, second_reviewer,
                                                                     council_item):
    """Runs everywhere: both reviewers opened the page at the same version; the second one posts later."""
    update = submitted(council_officer, council_item)
    seen_by_both = update.version
    first = ProgressUpdate.objects.get(pk=update.pk)
    second = ProgressUpdate.objects.get(pk=update.pk)
    workflow.approve(reviewer, first, seen_by_both)
    with pytest.raises(workflow.ConflictError, match="published"):
        workflow.return_update(second_reviewer, second, seen_by_both, "Not good enough")
    update.refresh_from_db()
    council_item.refresh_from_db()
    assert (update.state, update.reviewer, update.review_comment) == (State.APPROVED, reviewer, "")
    assert council_item.status == "in_progress"
    assert update.history.filter(history_change_reason="Returned to the officer").count() == 0


def _approve(user, update, version):
    workflow.approve(user, update, version)


def _return(user, update, version):
    workflow.return_update(user, update, version, "Add the audit.")


def _edit(narrative):
    def edit(user, update, version):
        workflow.save_draft(user, update.item, narrative=narrative, proposed_status="in_progress",
                            update=update, expected_version=version)
    return edit


def race(first, second, update, version):
    """Run two (user, action) pairs on real, separate database sessions at the same moment."""
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(user, act):
        mine = ProgressUpdate.objects.get(pk=update.pk)  # each thread has its own connection
        barrier.wait()  # both hold the same version before either acts
        try:
            act(user, mine, version)
            outcomes[user.username] = "done"
        except workflow.ConflictError:
            outcomes[user.username] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "done"], outcomes
    return next(name for name, outcome in outcomes.items() if outcome == "done")


needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL sessions")


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_action", [_approve, _return], ids=["approve-approve", "approve-return"])
def test_two_reviewers_at_the_same_moment(council_officer, reviewer, second_reviewer, council_item, second_action):
    update = submitted(council_officer, council_item)
    version = update.version
    winner = race((reviewer, _approve), (second_reviewer, second_action), update, version)
    update.refresh_from_db()
    council_item.refresh_from_db()
    assert update.reviewer.username == winner
    assert update.version == version + 1
    if update.state == State.APPROVED:
        assert council_item.status == "in_progress" and update.review_comment == ""
    else:
        assert update.state == State.RETURNED and council_item.status == "not_started"
    decisions = update.history.filter(
        history_change_reason__in=["Approved and published", "Returned to the officer"]
    )
    assert decisions.count() == 1


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_saving_the_same_draft_at_the_same_moment(council_officer, council_item):
    colleague = make_user("council-colleague", roles.OFFICERS, council_officer.organisation)
    update = draft(council_officer, council_item)
    version = update.version
    winner = race((council_officer, _edit("Mine: the audit is done.")),
                  (colleague, _edit("Theirs: the audit is half done.")), update, version)
    update.refresh_from_db()
    expected = "Mine: the audit is done." if winner == council_officer.username else "Theirs: the audit is half done."
    assert update.narrative == expected
    assert update.version == version + 1


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_updates_save_clicked_twice_keeps_one_draft(council_officer, council_item, monkeypatch):
    """Both requests look for the organisation's open update before either has saved one, so
    both insert a draft: the database lets one in, and the other is told, with nothing saved."""
    both_looked = threading.Barrier(2)
    look = workflow.open_update

    def look_then_wait(item, organisation):
        found = look(item, organisation)
        both_looked.wait(timeout=10)  # the moment a double click makes
        return found

    monkeypatch.setattr(workflow, "open_update", look_then_wait)
    outcomes = []

    def save():
        try:
            draft(council_officer, council_item, evidence=[EVIDENCE])
            outcomes.append("done")
        except workflow.ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "done"]
    updates = ProgressUpdate.objects.filter(item=council_item, organisation=council_officer.organisation)
    assert updates.count() == 1 and updates.get().state == State.DRAFT
    assert EvidenceLink.objects.filter(update__in=updates).count() == 1
