"""The owner's reporting clock: "update overdue" counts only the owner's published progress
updates. A board decision (a correction, a reopening, an assurance) is published as the board's,
not the owner's, and does not reset it: the item page, the list, the board, open data, the
reminders and the escalations all say so, and the item pages show the two dates apart.

The hand-made history: C-UPDATE-OVERDUE expects a monthly update (30 days); its owner last published one
100 days ago, and the board corrected the item yesterday. C-FRESH, also monthly, had its owner's
update 10 days ago and no board decision: the control, never overdue.
"""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations import roles
from recommendations import versions
from recommendations.models import EscalationStep, Item, ProgressUpdate
from recommendations import figures
from recommendations.services import attention, dashboards, escalation, reminders
from tests import board_data
from tests.helpers import csv_rows, govuk_tags, long_date, make_user, references

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
    overdue = board_data.make_item(source, "C-UPDATE-OVERDUE", 1, owner, "Director", S.IN_PROGRESS, "amber", cadence=1)
    fresh = board_data.make_item(source, "C-FRESH", 2, owner, "Director", S.IN_PROGRESS, "amber", cadence=1)
    report = publish(overdue, officer, owner, now - 100 * DAY)
    publish(fresh, officer, owner, now - 10 * DAY)
    # The board corrects the RAG rating: its decision is published and applied at once.
    correction = publish(overdue, board, None, now - DAY, kind=ProgressUpdate.Kind.CORRECTION, proposed_rag="red")
    board_data.change(overdue, now - DAY, rag="red")
    versions.changed()
    return {"now": now, "overdue": overdue, "fresh": fresh, "report": report, "correction": correction,
            "officer": officer, "board": board}


def test_a_board_decision_does_not_reset_the_owners_clock(clock):
    now = clock["now"]
    assert references(Item.objects.update_overdue(now)) == {"C-UPDATE-OVERDUE"}
    overdue = Item.objects.with_last_report().get(reference="C-UPDATE-OVERDUE")
    assert overdue.last_reported_at == clock["report"].published_at
    assert overdue.is_update_overdue(now)


def test_the_public_item_page_shows_both_dates_and_update_overdue(clock, client):
    page = client.get("/items/C-UPDATE-OVERDUE/").content.decode()
    assert "Update overdue" in page
    report_day = long_date(timezone.localdate(clock["report"].published_at))
    decision_day = long_date(timezone.localdate(clock["correction"].published_at))
    assert f"3 months ago</a> ({report_day})" in page  # the owner's last report
    assert f"Corrected by the board on {decision_day}" in page  # the board's last decision, apart
    fresh = client.get("/items/C-FRESH/").content.decode()
    assert "Update overdue" not in fresh and "by the board on" not in fresh


def test_the_list_and_its_filter_mark_it(clock, client):
    listed = client.get("/items/?source=clock").content.decode()
    assert govuk_tags(listed).count(("govuk-tag--yellow", "Update overdue")) == 1
    filtered = client.get("/items/?update_overdue=on").context["items"]
    assert [item.reference for item in filtered] == ["C-UPDATE-OVERDUE"]


def test_the_board_counts_and_lists_it_with_the_owners_last_report(clock, client):
    assert [item.reference for item in dashboards.update_overdue_items(Item.objects.all(), figures.live())] == ["C-UPDATE-OVERDUE"]
    client.force_login(clock["board"])
    page = client.get("/board/").content.decode()
    assert "1 item with an update overdue" in page
    rows = csv_rows(client.get("/board/update-overdue.csv"))
    assert rows[0][-1] == "Last report from the owner"
    assert [row[0] for row in rows[1:]] == ["C-UPDATE-OVERDUE"]
    assert datetime.datetime.fromisoformat(rows[1][-1]) == clock["report"].published_at


def test_open_data_says_update_overdue_from_the_owners_last_report(clock, client):
    records = {record["reference"]: record for record in client.get("/items.json").json()["items"]}
    overdue = records["C-UPDATE-OVERDUE"]
    assert overdue["update_overdue"] is True
    assert overdue["last_published_update"] == clock["report"].published_at.isoformat()
    assert overdue["next_update_due"] == timezone.localdate(clock["report"].published_at + 30 * DAY).isoformat()
    assert records["C-FRESH"]["update_overdue"] is False
    rows = {row[0]: row for row in csv_rows(client.get("/items.csv"))}
    header = rows["reference"]
    assert rows["C-UPDATE-OVERDUE"][header.index("update_overdue")] == "yes"


def test_reminders_and_escalation_still_chase_the_owner(clock, mailoutbox):
    now = clock["now"]
    overdue = attention.attention_sorted(Item.objects.all(), now=now)[0]
    assert overdue.reference == "C-UPDATE-OVERDUE"
    assert [reason.text for reason in overdue.reasons] == ["No update published for 3 months"]
    assert reminders.send_reminders() == 1
    assert "C-UPDATE-OVERDUE" in mailoutbox[0].body and "C-FRESH" not in mailoutbox[0].body

    escalation.run(now=now - 2 * DAY)  # before the board's decision
    step = EscalationStep.objects.get(item=clock["overdue"])
    assert step.reason == EscalationStep.Reason.UPDATE_OVERDUE
    escalation.run(now=now)  # the board's decision since then is not the owner's update
    step.refresh_from_db()
    assert step.resolved_at is None
    assert EscalationStep.objects.filter(item=clock["overdue"]).count() == 1


def test_the_signed_in_item_page_shows_both_dates_and_update_overdue(clock, client):
    client.force_login(clock["officer"])
    page = client.get(reverse("workflow:item", args=["C-UPDATE-OVERDUE"])).content.decode()
    assert "Update overdue" in page
    last_report = re.search(r"Last report from the owner\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", page)
    assert last_report[1] == long_date(timezone.localdate(clock['report'].published_at))
    decision_day = long_date(timezone.localdate(clock["correction"].published_at))
    assert f"Corrected by the board on {decision_day}" in page
    fresh = client.get(reverse("workflow:item", args=["C-FRESH"])).content.decode()
    assert "Update overdue" not in fresh
