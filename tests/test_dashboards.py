"""Dashboard figures against numbers worked out by hand (see tests/board_data.py)."""
import datetime

import pytest
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item
from recommendations import policies
from recommendations import figures
from recommendations.services import dashboards
from tests import board_data
from tests.helpers import csv_rows, make_user

pytestmark = pytest.mark.empty_database

ALL = Item.objects.all


def counts(groups, total):
    """{label: (total, done, overdue, slipping, update_overdue)} including the total row."""
    return {group.label: (group.total, group.done, group.overdue, group.slipping, group.update_overdue)
            for group in [*groups, total]}


@pytest.fixture
def crafted(db):
    return board_data.crafted()


@pytest.fixture
def timeline(db):
    return board_data.timeline()


@pytest.fixture
def board_client(client, db):
    client.force_login(make_user("crafted-reviewer", roles.REVIEWERS))
    return client


# --- Overview ----------------------------------------------------------------


def test_counts_by_source(crafted):
    groups, total = figures.counts_by_source(ALL(), figures.live())
    assert counts(groups, total) == {
        "Source syn-a": (4, 2, 1, 1, 1),
        "Source syn-b": (3, 0, 1, 1, 2),
        "All sources": (7, 2, 2, 2, 3),
    }
    a, b = groups
    assert a.by_status == {"not_started": 1, "in_progress": 1, "implemented": 1, "assured": 1, "not_accepted": 0, "closed_not_implemented": 0, "superseded": 0}
    assert a.by_rag == {"red": 1, "amber": 0, "green": 2, "": 1}
    assert b.by_status == {"not_started": 0, "in_progress": 2, "implemented": 0, "assured": 0, "not_accepted": 1, "closed_not_implemented": 0, "superseded": 0}
    assert b.by_rag == {"red": 1, "amber": 2, "green": 0, "": 0}
    assert (a.percent_done, b.percent_done, total.percent_done) == (50, 0, 29)


def test_overdue_items_longest_first_with_days(crafted):
    overdue = dashboards.overdue_items(ALL(), figures.live())
    assert [(item.reference, item.days_overdue) for item in overdue] == [("A1", 10), ("B2", 5)]


def test_slipping_items_with_days_slipped(crafted):
    slipping = dashboards.slipping_items(ALL(), figures.live())
    assert [(item.reference, item.slipped_by) for item in slipping] == [("B1", 40), ("A1", 30)]


# Longest overdue first: never published (A3, B2: added 400 days ago), then the longest since (B1 40 days,
# B3 20 days). A month counts as 30 days, two as 61, a year as 365.
@pytest.mark.parametrize("months, expected", [(1, ["A3", "B2", "B1"]), (2, ["A3", "B2"]), (12, ["A3", "B2"])])
def test_update_overdue_items_follow_each_items_update_cadence(crafted, months, expected):
    Item.objects.update(update_cadence_months=months)
    listed = dashboards.update_overdue_items(ALL(), figures.live())
    assert [item.reference for item in listed] == expected
    _, total = figures.counts_by_source(ALL(), figures.live())
    assert total.update_overdue == len(expected)


def test_update_overdue_items_show_their_last_published_update(crafted):
    listed = {item.reference: item.last_reported_at for item in dashboards.update_overdue_items(ALL(), figures.live())}
    assert listed["A3"] is None
    assert (timezone.now() - listed["B1"]).days == 40


def test_review_queue_size_and_oldest(crafted):
    queue = dashboards.review_queue(ALL(), figures.live())
    assert (queue.size, queue.oldest_reference, queue.days_waiting) == (2, "B2", 10)


def test_overview_page_and_csv_show_the_same_numbers(crafted, board_client):
    response = board_client.get("/board/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 items past their target date" in page and "2 slipping items" in page and "3 items with an update overdue" in page
    assert "2 updates waiting for review</a>, the oldest for 10 days" in page
    assert 'role="img"' in page and "style=" not in page
    assert csv_rows(board_client.get("/board/overdue.csv"))[1:] == [
        ["A1", "Item A1", "Org X", "Director", str(timezone.localdate() - datetime.timedelta(days=10)), "10"],
        ["B2", "Item B2", "Org Y", "Chief", str(timezone.localdate() - datetime.timedelta(days=5)), "5"],
    ]
    assert csv_rows(board_client.get("/board/status-by-source.csv"))[-1] == ["All sources", "1", "3", "1", "1", "1", "0", "0", "7", "29"]
    assert csv_rows(board_client.get("/board/review-queue.csv"))[1][0] == "2"
    assert board_client.get("/board/no-such-table.csv").status_code == 404


# --- By owner ----------------------------------------------------------------


def test_counts_by_owner_and_lead_role(crafted):
    moment = figures.live()
    assert counts(*figures.counts_by_owner(ALL(), moment)) == {
        "Org X": (4, 1, 1, 2, 1),
        "Org Y": (3, 1, 1, 0, 2),
        "All organisations": (7, 2, 2, 2, 3),
    }
    assert counts(*figures.counts_by_lead_role(ALL(), moment)) == {
        "Chief": (4, 1, 1, 0, 2),
        "Director": (3, 1, 1, 2, 1),
        "All lead roles": (7, 2, 2, 2, 3),
    }


def test_long_lists_show_their_first_rows_and_the_csv_has_every_row(crafted, board_client, monkeypatch):
    from recommendations.views import board

    monkeypatch.setattr(board, "LISTED_ON_PAGE", 1)
    page = board_client.get("/board/").content.decode()
    # The summary still counts every item; each list shows its most urgent row first.
    assert "2 items past their target date" in page and "3 items with an update overdue" in page
    assert page.count("Showing the first 1 of 2.") == 2  # overdue and slipping
    assert "Showing the first 1 of 3." in page  # update overdue
    overdue = page[page.index('id="overdue"'):page.index('id="slipping"')]
    assert "A1" in overdue and "B2" not in overdue  # A1 is the longer overdue
    assert "Download the full list as CSV" in overdue
    assert [row[0] for row in csv_rows(board_client.get("/board/overdue.csv"))[1:]] == ["A1", "B2"]


def test_short_lists_are_shown_in_full(crafted, board_client):
    page = board_client.get("/board/").content.decode()
    assert "Showing the first" not in page and "Download the full list" not in page


def test_owner_page_csv(crafted, board_client):
    assert board_client.get("/board/owners/").status_code == 200
    rows = csv_rows(board_client.get("/board/owners/rag-by-organisation.csv"))
    assert rows[0] == ["Organisation", "Red", "Amber", "Green", "Not rated", "Past target date", "Slipping", "Update overdue"]
    assert rows[1:] == [
        ["Org X", "1", "2", "1", "0", "1", "2", "1"],
        ["Org Y", "1", "0", "1", "1", "1", "0", "2"],
        ["All organisations", "2", "2", "2", "1", "2", "2", "3"],
    ]


def test_officer_counts_only_their_organisations_slice(crafted):
    officer_y = make_user("officer-y", roles.OFFICERS, crafted["y"])
    officer_x = make_user("officer-x", roles.OFFICERS, crafted["x"])
    # Org Y owns A3, A4, B2 and is a partner on ACT-X (A1, B1).
    _, total = figures.counts_by_source(policies.dashboards.items_counted_for(officer_y), figures.live())
    assert (total.total, total.overdue, total.slipping) == (5, 2, 2)
    assert sorted(policies.dashboards.items_counted_for(officer_x).values_list("reference", flat=True)) == ["A1", "A2", "B1", "B3"]
    queue = dashboards.review_queue(policies.dashboards.items_counted_for(officer_x), figures.live())
    assert queue.size == 0


# --- Trend -------------------------------------------------------------------


def test_trend_is_a_burn_up_of_each_months_end_with_the_baseline_plan(timeline):
    (series,) = dashboards.trend(ALL())
    assert series["source"] == timeline["source"]
    # (month, tracked, planned, done, no target date), from January, when the items were added.
    points = [(point.month, point.tracked, point.planned, point.delivered, point.no_target_date)
              for point in series["points"]]
    assert points[:6] == [
        (datetime.date(2024, 1, 1), 5, 0, 0, 1),
        (datetime.date(2024, 2, 1), 5, 1, 1, 1),
        (datetime.date(2024, 3, 1), 5, 4, 2, 1),
        (datetime.date(2024, 4, 1), 6, 4, 2, 1),
        (datetime.date(2024, 5, 1), 6, 4, 3, 1),
        (datetime.date(2024, 6, 1), 6, 5, 4, 1),
    ]
    # Then flat up to this month: the chart reaches the day the page describes.
    this_month = timezone.localdate().replace(day=1)
    assert points[-1] == (this_month, 6, 5, 4, 1)
    assert all(point[1:] == (6, 5, 4, 1) for point in points[6:])


def test_trend_page_and_csv(timeline, board_client):
    response = board_client.get("/board/trend/")
    assert response.status_code == 200
    this_month = timezone.localdate().strftime("%B %Y")
    assert (f"By {this_month}, 6 items were tracked: 5 were planned to be done, 4 were implemented or assured, "
            "0 closed without being implemented and 1 had no target date." in response.content.decode())
    rows = csv_rows(board_client.get("/board/trend/trend-tl.csv"))
    assert rows[2] == ["February 2024", "5", "1", "1", "0", "1"] and rows[6] == ["June 2024", "6", "5", "4", "0", "1"]
    assert rows[-1] == [f"{this_month} (to date)", "6", "5", "4", "0", "1"]


# --- Overlap -----------------------------------------------------------------


def test_overlap_matrix_and_uncovered_items(crafted):
    data = dashboards.overlap(ALL())
    assert [(row["reference"], row["cells"], row["source_count"]) for row in data["actions"]] == [
        ("ACT-X", [["A1"], ["B1"]], 2),
        ("ACT-Y", [["A2"], []], 1),
    ]
    assert sorted(item.reference for item in data["uncovered"]) == ["A3", "A4", "B2", "B3"]


def test_overlap_page_and_csv(crafted, board_client):
    response = board_client.get("/board/overlap/")
    assert "1 action answers items from more than one source" in response.content.decode()
    assert '<a class="govuk-link" href="/items/A1/">A1</a>' in response.content.decode()  # references are links
    assert csv_rows(board_client.get("/board/overlap/actions-by-source.csv"))[1:] == [
        ["ACT-X", "Joint action", "A1", "B1", "2"],
        ["ACT-Y", "Council action", "A2", "", "1"],
    ]
    assert [row[0] for row in csv_rows(board_client.get("/board/overlap/uncovered-items.csv"))[1:]] == [
        "A3", "A4", "B2", "B3"
    ]


# --- As at a date ------------------------------------------------------------


def test_as_at_gives_the_earlier_state_after_later_changes(timeline):
    moment = figures.at_end_of(datetime.date(2024, 3, 20))
    data = dashboards.overview(ALL(), moment)
    total = data["total"]
    # T5 did not exist yet; T1 and T2 were implemented; T6 was overdue.
    assert (total.total, total.done, total.overdue, total.slipping, total.update_overdue) == (5, 2, 1, 0, 3)
    assert total.by_status == {"not_started": 2, "in_progress": 1, "implemented": 2, "assured": 0, "not_accepted": 0, "closed_not_implemented": 0, "superseded": 0}
    assert [(item.reference, item.days_overdue) for item in data["overdue"]] == [("T6", 19)]
    assert (data["queue"].size, data["queue"].oldest_reference, data["queue"].days_waiting) == (1, "T3", 2)

    later = dashboards.overview(ALL(), figures.at_end_of(datetime.date(2024, 4, 5)))
    assert [(item.reference, item.slipped_by) for item in later["slipping"]] == [("T3", 91)]
    assert [item.reference for item in later["update_overdue"]] == ["T4", "T6"]  # T3's update was published on 25 March
    assert later["queue"].size == 0

    now = dashboards.overview(ALL(), figures.live())["total"]
    assert (now.total, now.done, now.overdue) == (6, 4, 2)


def test_as_at_before_anything_existed_is_empty(timeline):
    _, total = figures.counts_by_source(ALL(), figures.at_end_of(datetime.date(2023, 12, 31)))
    assert total.total == 0


def test_as_at_page_and_csv(timeline, board_client):
    query = "day=20&month=3&year=2024"
    response = board_client.get(f"/board/as-at/?{query}")
    page = response.content.decode()
    assert "As it stood at the end of 20 March 2024" in page
    assert "1 item past its target date" in page
    assert "1 of the 6 items tracked now had not been added to the tracker by then" in page  # T5
    assert "/board/as-at/overdue.csv?" + query.replace("&", "&amp;") in page
    rows = csv_rows(board_client.get(f"/board/as-at/status-by-source.csv?{query}"))
    assert rows[-1] == ["All sources", "2", "1", "2", "0", "0", "0", "0", "5", "40"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("day=&month=&year=", "Enter the date you want to see the dashboard for"),
        ("day=20&month=&year=2024", "The date must include a month"),
        ("day=x&month=3&year=2024", "The date must be a real date"),
        ("day=20&month=3&year=24", "Year must include 4 numbers"),
        ("day=31&month=2&year=2024", "The date must be a real date"),
        ("day=1&month=13&year=2024", "The date must be a real date"),
        ("day=1&month=1&year=2999", "The date must be today or in the past"),
    ],
)
def test_as_at_rejects_bad_dates_clearly(board_client, query, message):
    response = board_client.get(f"/board/as-at/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "There is a problem" in page and message in page
    assert "As it stood" not in page
