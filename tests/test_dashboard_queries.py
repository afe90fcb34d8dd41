"""Each dashboard and each of its CSV downloads runs a fixed number of queries,
the same for seven items as for 1,200 items with 10,800 updates."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations import roles
from recommendations.database import analyse_tables
from recommendations.models import Action, Item, ProgressUpdate
from tests import board_data
from tests.helpers import make_user

AS_AT = "day=1&month=1&year=2025"
URLS = [
    "/board/",
    *[f"/board/{table}.csv" for table in ("status-by-source", "rag-by-source", "overdue", "slipping", "update-overdue",
                                          "review-queue")],
    "/board/owners/",
    *[f"/board/owners/{table}.csv" for table in ("status-by-organisation", "rag-by-organisation",
                                                 "status-by-lead-role", "rag-by-lead-role")],
    "/board/trend/",
    "/board/trend/trend-syn-a.csv",
    "/board/overlap/",
    "/board/overlap/actions-by-source.csv",
    "/board/overlap/uncovered-items.csv",
    "/board/assurance/",
    "/board/assurance/?strength=audited",
    "/board/assurance/assured-items.csv?strength=audited",
    f"/board/as-at/?{AS_AT}",
    *[f"/board/as-at/{table}.csv?{AS_AT}" for table in ("status-by-source", "overdue", "update-overdue", "review-queue")],
]
# Queries per request, including those of signing in (session, user, groups, two-factor device, organisation);
# the "as at" page, counting also the items added since, and the overview, reading the board's data
# version, the escalations, the broken evidence links and the counts of the public's feedback beside its
# kept figures, are the largest.
BUDGET = 18

ITEMS = 1200
UPDATES_PER_ITEM = 9


def add_large_data_set(source_a, source_b, owner, other, author):
    """1,200 items, 10,800 updates and their history, written in bulk."""
    today = timezone.localdate()
    now = timezone.now()
    statuses = Item.Status.values
    rags = ["red", "amber", "green", ""]
    items = Item.objects.bulk_create(
        Item(
            source=source_a if n % 2 else source_b, reference=f"L-{n}", number=100 + n,
            kind=Item.Kind.RECOMMENDATION, title=f"Large item {n}", summary="Bulk test item.",
            provenance=Item.Provenance.SEED, owner=owner if n % 3 else other, lead_role=f"Lead {n % 7}",
            status=statuses[n % len(statuses)], rag=rags[n % len(rags)],
            baseline_target_date=today - datetime.timedelta(days=400 - n % 300),
            current_target_date=today - datetime.timedelta(days=400 - n % 300 - n % 5 * 20),
        )
        for n in range(ITEMS)
    )
    history = Item.history.model
    history.objects.bulk_create(
        history(
            id=item.pk, source_id=item.source_id, reference=item.reference, number=item.number, kind=item.kind,
            title=item.title, summary=item.summary, provenance=item.provenance, owner_id=item.owner_id,
            lead_role=item.lead_role, status=status, rag=item.rag, baseline_target_date=item.baseline_target_date,
            current_target_date=item.current_target_date, verified=False, official_wording="",
            created_at=now, updated_at=now, history_date=when, history_type=kind,
        )
        for item in items
        for status, when, kind in (
            (Item.Status.NOT_STARTED, now - datetime.timedelta(days=700), "+"),
            (item.status, now - datetime.timedelta(days=item.number % 600), "~"),
        )
    )
    states = ProgressUpdate.State.values
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            item=item, author=author, narrative="Bulk progress.", proposed_status=item.status,
            state=states[(item.number + n) % len(states)],
            created_at=now - datetime.timedelta(days=n * 11 + item.number % 9),
            submitted_at=now - datetime.timedelta(days=n * 11 + item.number % 9),
            published_at=now - datetime.timedelta(days=n * 11 + item.number % 9),
        )
        for item in items
        for n in range(UPDATES_PER_ITEM)
    )
    update_history = ProgressUpdate.history.model
    update_history.objects.bulk_create(
        update_history(
            id=update.pk, item_id=update.item_id, author_id=author.pk, narrative=update.narrative,
            proposed_status=update.proposed_status, proposed_rag="", target_date_reason="", state=update.state,
            created_at=update.created_at, updated_at=now, submitted_at=update.submitted_at,
            published_at=update.published_at, review_comment="", version=1,
            history_date=update.created_at, history_type="+",
        )
        for update in updates
    )
    action = Action.objects.create(reference="ACT-LARGE", title="Large joint action", owner=owner)
    action.items.add(*items[::4])
    # As every bulk load in the tracker does: without statistics PostgreSQL's planner can pick plans
    # slow enough to reach the statement time-out on a busy machine.
    analyse_tables()
    return len(items), len(updates)


def query_counts(client):
    counts = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.django_db
def test_dashboards_use_the_same_fixed_number_of_queries_at_any_size(client):
    """For the board (every item) and for an officer (their organisation's slice)."""
    crafted = board_data.crafted()
    users = {
        "reviewer": make_user("query-reviewer", roles.REVIEWERS),
        "officer": make_user("query-officer", roles.OFFICERS, crafted["x"]),
    }
    small = {}
    for role, user in users.items():
        client.force_login(user)
        small[role] = query_counts(client)
        assert max(small[role].values()) <= BUDGET, (role, small[role])

    items, updates = add_large_data_set(crafted["a"], crafted["b"], crafted["x"], crafted["y"], users["officer"])
    assert items >= 1000 and updates >= 10000
    for role, user in users.items():
        client.force_login(user)
        assert query_counts(client) == small[role], role
