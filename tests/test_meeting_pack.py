"""The board meeting pack against the hand-made timeline (tests/board_data.py), its CSV, bad dates and queries."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommendations import roles
from recommendations.models import EscalationStep, Item, ProgressUpdate
from recommendations import figures
from recommendations.services import meeting_pack
from tests import board_data
from tests.helpers import csv_rows, make_user
from tests.indicator_helpers import approved_value

pytestmark = pytest.mark.empty_database

SINCE = "day=20&month=3&year=2024"
TABLES = ["headline", "published", "returned", "slipped", "became-overdue", "waiting-for-assurance", "decisions",
          "public-feedback", "indicators"]


@pytest.fixture
def timeline(db):
    data = board_data.timeline()
    items = data["items"]
    author = make_user("pack-author", roles.OFFICERS, data["owner"])
    # Two returns of updates: on T3 before the meeting on 20 March 2024, on T5 after it.
    for reference, reviewed in (("T3", datetime.date(2024, 3, 1)), ("T5", datetime.date(2024, 4, 20))):
        update = ProgressUpdate(
            item=items[reference], author=author, organisation=data["owner"], narrative="Returned progress.",
            proposed_status=Item.Status.IN_PROGRESS, state=ProgressUpdate.State.RETURNED,
            created_at=board_data.at(reviewed), submitted_at=board_data.at(reviewed),
            reviewed_at=board_data.at(reviewed),
        )
        update._history_date = board_data.at(reviewed)
        update.save()
    # Editing a returned update is not another return.
    update.narrative = "Returned progress, being changed."
    update.save()
    # T4 is listed for the board (escalation step 3).
    EscalationStep.objects.create(
        item=items["T4"], step=EscalationStep.Step.BOARD, reason=EscalationStep.Reason.UPDATE_OVERDUE,
        recorded_at=board_data.at(datetime.date(2024, 7, 1)), sent_to="The improvement board",
    )
    return data


@pytest.fixture
def board_client(client, db):
    client.force_login(make_user("pack-reviewer", roles.REVIEWERS))
    return client


def test_the_pack_says_what_moved_since_the_date(timeline):
    pack = meeting_pack.meeting_pack(Item.objects.all(), datetime.date(2024, 3, 20))
    shown = {figure.label: (figure.then, figure.now) for figure in pack["headline"]}
    # At the end of 20 March 2024 (the "as at" reconstruction): T5 not yet added; T1 and T2 done;
    # T6 overdue; the update on T3 waiting. Today: T1 assured, T2, T4 and T6 implemented; T3 and T5 overdue.
    assert shown[meeting_pack.TRACKED] == (5, 6)
    assert shown["Implemented or assured"] == (2, 4)
    assert shown["Share implemented or assured"] == ("40% of 5", "67% of 6")
    assert shown["Past target date"] == (1, 2)
    assert shown["Slipping"] == (0, 1)
    assert shown["Updates waiting for review"] == (1, 0)
    # Update overdue is counted as the overview counts it (models.py has the one definition).
    assert shown["Update overdue"][1] == Item.objects.update_overdue(timezone.now()).count()
    assert [update.item.reference for update in pack["published"]] == ["T3"]
    assert [row["item__reference"] for row in pack["returned"]] == ["T5"]
    assert [(item.reference, item.was_target, item.moved_by) for item in pack["slipped"]] == [
        ("T3", datetime.date(2024, 3, 31), 91)
    ]
    # T6 was overdue already (and is implemented now); T3 and T5 became overdue.
    assert [item.reference for item in pack["became_overdue"]] == ["T3", "T5"]
    assert [item.reference for item in pack["to_assure"]] == ["T2", "T4", "T6"]
    assert [(decision.kind, decision.item.reference) for decision in pack["decisions"]] == [
        ("Assure and close", "T2"), ("Assure and close", "T4"), ("Assure and close", "T6"),
        ("Escalated to the board", "T4"),
    ]


@pytest.mark.parametrize("then, now, wording", [
    ((11, 25), (10, 35), "Down 15 percentage points: 29% of 35, was 44% of 25; 10 items added"),
    ((1, 4), (3, 5), "Up 35 percentage points: 60% of 5, was 25% of 4; 1 item added"),
    ((1, 3), (1, 3), "No change: 33% of 3, was 33% of 3; the same 3 items"),
    ((0, 0), (1, 1), "Up 100 percentage points: 100% of 1, was 0% of 0; 1 item added"),
    ((50, 100), (50, 99), "Up 1 percentage point: 51% of 99, was 50% of 100; 1 item fewer"),
])
def test_a_change_in_a_share_is_in_percentage_points_with_its_denominators(then, now, wording):
    share = meeting_pack.Share("Share implemented or assured", *then, *now)
    assert share.change_text == wording
    assert (share.then, share.now) == tuple(wording.split(": ")[1].split("; ")[0].split(", was ")[::-1])


def test_figures_then_are_the_as_at_dashboards_figures(timeline):
    """One reconstruction: the pack's "then" is the as-at dashboard's total."""
    items = Item.objects.all()
    _, total = figures.counts_by_source(items, figures.at_end_of(datetime.date(2024, 3, 20)))
    pack = meeting_pack.meeting_pack(items, datetime.date(2024, 3, 20))
    then = {figure.label: figure.then for figure in pack["headline"]}
    assert (then[meeting_pack.TRACKED], then["Past target date"], then["Update overdue"]) == (total.total, total.overdue, total.update_overdue)


def test_pack_page_and_every_csv_show_the_same_tables(timeline, board_client):
    response = board_client.get(f"/board/pack/?{SINCE}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Since 20 March 2024" in page
    tables = response.context["tables"]
    assert sorted(tables) == sorted(slug.replace("-", "_") for slug in TABLES)
    for slug in TABLES:
        table = tables[slug.replace("-", "_")]
        assert f"/board/pack/{slug}.csv?{SINCE.replace('&', '&amp;')}" in page
        rows = csv_rows(board_client.get(f"/board/pack/{slug}.csv?{SINCE}"))
        assert rows[0] == table.header
        assert rows[1:] == [[str(cell) for cell in row] for row in table.csv_rows()], slug
    headline = csv_rows(board_client.get(f"/board/pack/headline.csv?{SINCE}"))
    assert headline[0] == ["Figure", "End of 20 Mar 2024", "Today", "Change"]
    assert ["Past target date", "1", "2", "Up 1"] in headline
    assert ["Share implemented or assured", "40% of 5", "67% of 6",
            "Up 27 percentage points: 67% of 6, was 40% of 5; 1 item added"] in headline
    assert ["Updates waiting for review", "1", "0", "Down 1"] in headline
    slipped = csv_rows(board_client.get(f"/board/pack/slipped.csv?{SINCE}"))
    assert slipped[1] == ["T3", "Item T3", "Org T", "2024-03-31", "2024-06-30", "91"]
    decisions = csv_rows(board_client.get(f"/board/pack/decisions.csv?{SINCE}"))
    assert [row[:2] for row in decisions[1:]] == [
        ["T2", "Assure and close"], ["T4", "Assure and close"], ["T6", "Assure and close"],
        ["T4", "Escalated to the board"],
    ]


def test_with_no_date_the_pack_covers_the_last_three_months(timeline, board_client):
    response = board_client.get("/board/pack/")
    default = meeting_pack.default_since(timezone.localdate())
    assert response.status_code == 200
    assert response.context["since"] == default
    page = response.content.decode()
    assert f"Since {default.day} {default:%B %Y}" in page
    assert re.search(rf'<input\s[^>]*name="year"[^>]*value="{default.year}"', page)


@pytest.mark.parametrize(
    "query, message",
    [
        ("day=&month=&year=", "Enter the date you want to see the dashboard for"),
        ("day=20&month=&year=2024", "The date must include a month"),
        ("day=31&month=2&year=2024", "The date must be a real date"),
        ("day=1&month=1&year=2999", "The date must be today or in the past"),
        ("day=1&month=1&year=1999", "The date must be in 2000 or later"),
    ],
)
def test_a_bad_date_gets_a_clear_message(timeline, board_client, query, message):
    response = board_client.get(f"/board/pack/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page and message in page
    assert "Headline figures" not in page
    assert board_client.get(f"/board/pack/headline.csv?{query}").status_code == 404


def test_an_officer_sees_their_organisations_slice(timeline, client):
    other = board_data.make_organisation("org-other", "Org Other")
    client.force_login(make_user("pack-officer", roles.OFFICERS, other))
    rows = csv_rows(client.get(f"/board/pack/headline.csv?{SINCE}"))
    assert [meeting_pack.TRACKED, "0", "0", "No change"] in rows


def _pack_queries(client):
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/board/pack/?{SINCE}").status_code == 200
    with CaptureQueriesContext(connection) as download:
        assert client.get(f"/board/pack/decisions.csv?{SINCE}").status_code == 200
    return len(page), len(download)


def test_the_pack_runs_a_fixed_number_of_queries(timeline, board_client):
    small = _pack_queries(board_client)
    assert max(small) <= 25, small
    owner, source = timeline["owner"], timeline["source"]
    author = make_user("pack-bulk-author", roles.OFFICERS, owner)
    State = ProgressUpdate.State
    when = timezone.now() - datetime.timedelta(days=5)
    for n in range(40):
        item = board_data.make_item(
            source, f"BULK-{n}", 100 + n, owner, "Director",
            [Item.Status.IMPLEMENTED, Item.Status.IN_PROGRESS][n % 2], "", datetime.date(2024, 1, 1),
            datetime.date(2024, 1, 1), when=board_data.at(datetime.date(2024, 1, 5)),
        )
        board_data.change(item, board_data.at(datetime.date(2024, 5, 5)), current_target_date=datetime.date(2024, 9, 1))
        board_data.make_update(item, author, State.APPROVED, published_at=when)
        update = board_data.make_update(item, author, State.RETURNED, submitted_at=when)
        ProgressUpdate.objects.filter(pk=update.pk).update(reviewed_at=when)
        ProgressUpdate.history.filter(id=update.pk).update(reviewed_at=when)
        EscalationStep.objects.create(item=item, step=3, reason="past_target", recorded_at=when, sent_to="The board")
    assert _pack_queries(board_client) == small


def test_the_pack_lists_the_outcome_indicators_then_and_now(client, council_officer, reviewer):
    approved_value(council_officer, reviewer, value="91.25")
    board_member = make_user("pack-reader", roles.REVIEWERS)
    client.force_login(board_member)
    page = client.get("/board/pack/").content.decode()
    assert "Outcome indicators" in page and "Looked-after children visited on time" in page and "91.25" in page
    assert "None published" in page  # then, and for the indicators with no values
    download = client.get(reverse("board:pack-csv", args=["indicators"])).content.decode()
    assert "Looked-after children visited on time" in download and "91.25" in download
