"""The board's trend counts what was true at each month's end, from the items' change history.

Hand-made history in 2024 (all items added on 10 January 2024):

    source  item  target date             changes
    trend   R1    31 Mar 2024             implemented 15 Mar, assured 2 Apr, reopened (in progress) 5 May
    trend   F1    a year after today      -  (planned for a month that has not come yet)
    trend   N1    none                    in progress from the start
    quiet   Q1    none                    not started (a source whose only item has no target date)
"""
import datetime

import pytest
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item
from recommendations.services import dashboards
from tests import board_data
from tests.board_data import at
from tests.helpers import csv_rows, make_user

pytestmark = pytest.mark.empty_database

S = Item.Status
day = datetime.date


@pytest.fixture
def history(db):
    trend_source = board_data.make_source("trend")
    quiet_source = board_data.make_source("quiet", datetime.date(2014, 9, 1))
    owner = board_data.make_organisation("org-t", "Org T")
    added = at(day(2024, 1, 10))
    a_year_ahead = timezone.localdate() + datetime.timedelta(days=365)

    def item(source, reference, number, target, status=S.NOT_STARTED):
        return board_data.make_item(source, reference, number, owner, "Director", status, "", target, target,
                                    when=added)

    r1 = item(trend_source, "R1", 1, day(2024, 3, 31))
    item(trend_source, "F1", 2, a_year_ahead)
    item(trend_source, "N1", 3, None, S.IN_PROGRESS)
    item(quiet_source, "Q1", 1, None)
    board_data.change(r1, at(day(2024, 3, 15)), status=S.IMPLEMENTED)
    board_data.change(r1, at(day(2024, 4, 2)), status=S.ASSURED)
    board_data.change(r1, at(day(2024, 5, 5)), status=S.IN_PROGRESS)
    return {"a_year_ahead": a_year_ahead}


@pytest.fixture
def board_client(client, db):
    client.force_login(make_user("trend-reviewer", roles.REVIEWERS))
    return client


def series_by_source(items=None):
    return {series["source"].code: series["points"] for series in dashboards.trend(items or Item.objects.all())}


def test_an_item_reopened_is_done_only_until_the_month_it_reopened(history):
    points = series_by_source()["trend"]
    delivered = {point.month: point.delivered for point in points}
    assert [delivered.get(day(2024, month, 1), 0) for month in (1, 2, 3, 4, 5, 6)] == [0, 0, 1, 1, 0, 0]
    assert points[-1].delivered == 0


def test_each_month_counts_the_items_tracked_planned_and_without_a_target_date(history):
    points = series_by_source()["trend"]
    assert [(point.month, point.tracked, point.planned, point.delivered, point.no_target_date)
            for point in points[:5]] == [
        (day(2024, 1, 1), 3, 0, 0, 1),
        (day(2024, 2, 1), 3, 0, 0, 1),
        (day(2024, 3, 1), 3, 1, 1, 1),
        (day(2024, 4, 1), 3, 1, 1, 1),
        (day(2024, 5, 1), 3, 1, 0, 1),
    ]


def test_no_month_after_today_appears(history, board_client):
    this_month = timezone.localdate().replace(day=1)
    for points in series_by_source().values():
        assert points[-1].month == this_month
        assert all(point.month <= this_month for point in points)
    # F1, planned for a month that has not come, is not yet planned in any month shown.
    assert series_by_source()["trend"][-1].planned == 1
    rows = csv_rows(board_client.get("/board/trend/trend-trend.csv"))
    assert rows[-1][0] == timezone.localdate().strftime("%B %Y") + " (to date)"  # this month, as it stands today
    next_month = (this_month + datetime.timedelta(days=32)).strftime("%B %Y")
    page = board_client.get("/board/trend/").content.decode()
    assert next_month not in page and history["a_year_ahead"].strftime("%B %Y") not in page


def test_items_without_a_target_date_show_in_the_chart_table_and_csv(history, board_client):
    page = board_client.get("/board/trend/").content.decode()
    # A source whose only item has no target date still has its chart and table.
    assert "Source quiet" in page
    quiet = page[page.index("Source quiet"):]
    assert "No target date" in quiet[:quiet.index("</svg>")]  # a series of the chart, named in its legend
    rows = csv_rows(board_client.get("/board/trend/trend-quiet.csv"))
    assert rows[0] == ["Month", "Items tracked at the end of the month",
                       "Planned to be done by the end of the month (first agreed target date)",
                       "Implemented or assured at the end of the month",
                       "Closed without being implemented at the end of the month (not implemented or superseded)",
                       "No target date at the end of the month"]
    assert rows[1] == ["January 2024", "1", "0", "0", "0", "1"]
    # The chart's scale is every item tracked, so one item done of two never looks complete.
    trend = page[page.index('id="trend-trend-chart-desc"'):]
    assert trend.startswith('id="trend-trend-chart-desc">By ')
    this_month = timezone.localdate().strftime("%B %Y")
    assert (f"By {this_month}, 3 items were tracked: 1 was planned to be done, 0 were implemented or assured, "
            "0 closed without being implemented and 1 had no target date.") in trend
