"""The owner's reporting clock: "update overdue" counts only the owner's published progress
updates. A board decision (a correction, a reopening, an assurance) is published as the board's,
not the owner's, and does not reset it: the item page, the list, the board, open data, the
reminders and the escalations all say so, and the item pages show the two dates apart.

The hand-made history: C-LATE expects a monthly update (30 days); its owner last published one
100 days ago, and the board corrected the item yesterday. C-FRESH, also monthly, had its owner's
update 10 days ago and no board decision: the control, never overdue.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations import roles
from recommendations import versions
from recommendations.models import EscalationStep, Item, ProgressUpdate
from recommendations import figures
from recommendations.services import attention, dashboards, escalation, reminders
from tests import board_data
from tests.helpers import csv_rows, long_date, make_user, references

pytestmark = pytest.mark.empty_database

DAY = datetime.timedelta(days=1)
S = Item.Status


def publish(item, author, organisation, published_at, kind=ProgressUpdate.Kind.PROGRESS, **fields):
    """A published update on the item: the owner's progress update, or (organisation None) a board decision."""
    return ProgressUpdate.objects.create(
        item=item, author=author, organisation=organisation, kind=kind, narrative="Test narrative.",
        proposed_status=fields.pop("proposed_status", item.status), state=ProgressUpdate.State.APPROVED,
        created_at=published_at, submitted_at=published_at, reviewed_at=published_at, published_at=published_at,
        **fields,
    )


@pytest.fixture
def clock(db):
    now = timezone.now()
    source = board_data.make_source("clock")
    owner = board_data.make_organisation("org-c", "Org C")
    officer = make_user("clock-officer", roles.OFFICERS, owner)
    board = make_user("clock-board", roles.REVIEWERS)
    late = board_data.make_item(source, "C-LATE", 1, owner, "Director", S.IN_PROGRESS, "amber", cadence=1)
    fresh = board_data.make_item(source, "C-FRESH", 2, owner, "Director", S.IN_PROGRESS, "amber", cadence=1)
    report = publish(late, officer, owner, now - 100 * DAY)
    publish(fresh, officer, owner, now - 10 * DAY)
    # The board corrects the RAG rating: its decision is published and applied at once.
    correction = publish(late, board, None, now - DAY, kind=ProgressUpdate.Kind.CORRECTION, proposed_rag="red")
    board_data.change(late, now - DAY, rag="red")
    versions.changed()
    return {"now": now, "late": late, "fresh": fresh, "report": report, "correction": correction,
            "officer": officer, "board": board}


def test_a_board_decision_does_not_reset_the_owners_clock(clock):
    now = clock["now"]
    assert references(Item.objects.stale(now)) == {"C-LATE"}
    late = Item.objects.with_last_report().get(reference="C-LATE")
    assert late.last_reported_at == clock["report"].published_at
    assert late.is_stale(now)


def test_the_public_item_page_shows_both_dates_and_update_overdue(clock, client):
    page = client.get("/items/C-LATE/").content.decode()
    assert "Update overdue" in page
    report_day = long_date(timezone.localdate(clock["report"].published_at))
    decision_day = long_date(timezone.localdate(clock["correction"].published_at))
    assert f"3 months ago</a> ({report_day})" in page  # the owner's last report
    assert f"Corrected by the board on {decision_day}" in page  # the board's last decision, apart
    fresh = client.get("/items/C-FRESH/").content.decode()
    assert "Update overdue" not in fresh and "by the board on" not in fresh


def test_the_list_and_its_filter_mark_it(clock, client):
    listed = client.get("/items/?source=clock").content.decode()
    assert listed.count('<strong class="govuk-tag govuk-tag--yellow">Update overdue</strong>') == 1
    filtered = client.get("/items/?update_overdue=on").context["items"]
    assert [item.reference for item in filtered] == ["C-LATE"]


def test_the_board_counts_and_lists_it_with_the_owners_last_report(clock, client):
    assert [item.reference for item in dashboards.stale_items(Item.objects.all(), figures.live())] == ["C-LATE"]
    client.force_login(clock["board"])
    page = client.get("/board/").content.decode()
    assert "1 stale item" in page
    rows = csv_rows(client.get("/board/stale.csv"))
    assert rows[0][-1] == "Last report from the owner"
    assert [row[0] for row in rows[1:]] == ["C-LATE"]
    assert datetime.datetime.fromisoformat(rows[1][-1]) == clock["report"].published_at


def test_open_data_says_update_overdue_from_the_owners_last_report(clock, client):
    records = {record["reference"]: record for record in client.get("/items.json").json()["items"]}
    late = records["C-LATE"]
    assert late["update_overdue"] is True
    assert late["last_published_update"] == clock["report"].published_at.isoformat()
    assert late["next_update_due"] == timezone.localdate(clock["report"].published_at + 30 * DAY).isoformat()
    assert records["C-FRESH"]["update_overdue"] is False
    rows = {row[0]: row for row in csv_rows(client.get("/items.csv"))}
    header = rows["reference"]
    assert rows["C-LATE"][header.index("update_overdue")] == "yes"


def test_reminders_and_escalation_still_chase_the_owner(clock, mailoutbox):
    now = clock["now"]
    late = attention.attention_sorted(Item.objects.all(), now=now)[0]
    assert late.reference == "C-LATE"
    assert [reason.text for reason in late.reasons] == ["No update published for 3 months"]
    assert reminders.send_reminders() == 1
    assert "C-LATE" in mailoutbox[0].body and "C-FRESH" not in mailoutbox[0].body

    escalation.run(now=now - 2 * DAY)  # before the board's decision
    step = EscalationStep.objects.get(item=clock["late"])
    assert step.reason == EscalationStep.Reason.NO_UPDATE
    escalation.run(now=now)  # the board's decision since then is not the owner's update
    step.refresh_from_db()
    assert step.resolved_at is None
    assert EscalationStep.objects.filter(item=clock["late"]).count() == 1


def test_the_signed_in_item_page_shows_both_dates_and_update_overdue(clock, client):
    client.force_login(clock["officer"])
    page = client.get(reverse("workflow:item", args=["C-LATE"])).content.decode()
    assert "Update overdue" in page
    assert f"Last report from the owner</dt><dd class=\"govuk-summary-list__value\">" \
           f"{long_date(timezone.localdate(clock['report'].published_at))}" in page
    decision_day = long_date(timezone.localdate(clock["correction"].published_at))
    assert f"Corrected by the board on {decision_day}" in page
    fresh = client.get(reverse("workflow:item", args=["C-FRESH"])).content.decode()
    assert "Update overdue" not in fresh
