"""Two reviewers acting on the same update at once: exactly one succeeds, the other is told, nothing is lost."""
import threading

import pytest
from django.db import connection, connections

from recommendations.models import ProgressUpdate
from recommendations.services import workflow
from tests.workflow_helpers import submitted

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


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL sessions")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_the_same_moment(council_officer, reviewer, second_reviewer, council_item):
    update = submitted(council_officer, council_item)
    version = update.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def review(user, act):
        mine = ProgressUpdate.objects.get(pk=update.pk)  # each thread has its own connection
        barrier.wait()  # both hold the same version before either acts
        try:
            act(user, mine)
            outcomes[user.username] = "done"
        except workflow.ConflictError:
            outcomes[user.username] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=review, args=(reviewer, lambda user, mine: workflow.approve(user, mine, version))),
        threading.Thread(target=review, args=(second_reviewer, lambda user, mine: workflow.return_update(
            user, mine, version, "Add the audit."))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "done"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "done")
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
