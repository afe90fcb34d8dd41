"""
The public record in the past: /as-at/<date>/ and /changes/.

The history is made by hand through the real workflow (updates written,
approved, corrected and assured by the services), each step moved back to a
known day, and the figures checked a day before, on and after each step.
"""
import csv
import datetime
import io
import json
import re

import pytest
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item, ProgressUpdate
from recommendations.services import workflow
from recommendations.public import history
from tests.board_data import at, make_item, make_organisation, make_source
from tests.helpers import make_user
from tests.workflow_helpers import EVIDENCE, approved, assure, draft, submitted

D = datetime.date
S = Item.Status


def on(day, action):
    """Run a workflow action as if it happened at 10:00 on `day`: the workflow's clock reads then
    (as the demo's does, services/demo.py), so its rules judge that day (a new target date is
    never before the day it is written); what model defaults stamped is moved back to then."""
    started = timezone.now()
    when = at(day, 10)
    real_now = timezone.now
    timezone.now = lambda: when.astimezone(datetime.timezone.utc)
    try:
        result = action()
    finally:
        timezone.now = real_now
    ProgressUpdate.objects.filter(created_at__gte=started).update(
        created_at=when, submitted_at=when, reviewed_at=when, published_at=when)
    ProgressUpdate.history.filter(history_date__gte=started).update(history_date=when)
    Item.history.filter(history_date__gte=started).update(history_date=when)
    return result


@pytest.fixture
def made_history(db):
    """Three items of one source (published 26 August 2014):

        P1  added 10 Jan 2015  in progress (amber) 1 Mar; implemented (green) 30 Jun; assured 1 Sep
        P2  added 10 Jan 2015  in progress, target 31 Dec 2015, 15 May; corrected to not started 10 Jul
        P3  added 1 Aug 2015   never published (a draft is waiting; P2 has a returned update)
    """
    source = make_source("HIST", published_on=D(2014, 8, 26))
    owner = make_organisation("org-h", "Org H")
    officer = make_user("history-officer", roles.OFFICERS, owner, first_name="Hidden", last_name="Officername")
    reviewer = make_user("history-reviewer", roles.REVIEWERS, first_name="Hidden", last_name="Reviewername")

    def item(reference, number, added):
        return make_item(source, reference, number, owner, "Director", S.NOT_STARTED, when=at(added, 9))

    p1, p2 = item("P1", 1, D(2015, 1, 10)), item("P2", 2, D(2015, 1, 10))
    on(D(2015, 3, 1), lambda: approved(officer, reviewer, p1, proposed_status="in_progress", proposed_rag="amber"))
    on(D(2015, 5, 15), lambda: approved(officer, reviewer, p2, proposed_status="in_progress", proposed_rag="amber",
                                        proposed_target_date=D(2015, 12, 31), target_date_reason="Agreed later."))
    on(D(2015, 6, 30), lambda: approved(officer, reviewer, p1, proposed_status="implemented", proposed_rag="green",
                                        evidence=[EVIDENCE]))
    on(D(2015, 7, 10), lambda: workflow.correct(reviewer, p2, "Work had not begun.", status="not_started"))
    p3 = item("P3", 3, D(2015, 8, 1))
    on(D(2015, 9, 1), lambda: assure(reviewer, Item.objects.get(pk=p1.pk), "Audit seen by the board."))
    # A draft and a returned update are never part of the record, then or now.
    returned = submitted(officer, p2, narrative="Returned update text.")
    workflow.return_update(reviewer, returned, returned.version, "Returned comment text.")
    draft(officer, p3, narrative="Unpublished draft text.")
    return source


def record(day):
    return {row.item.reference: (row.status, row.rag, row.current_target_date) if row.tracked else None
            for row in history.as_at(day).items}


@pytest.mark.empty_database
@pytest.mark.parametrize("day, expected", [
    (D(2015, 1, 9), {"P1": None, "P2": None, "P3": None}),
    (D(2015, 1, 10), {"P1": ("not_started", "", None), "P2": ("not_started", "", None), "P3": None}),
    (D(2015, 2, 28), {"P1": ("not_started", "", None), "P2": ("not_started", "", None), "P3": None}),
    (D(2015, 3, 1), {"P1": ("in_progress", "amber", None), "P2": ("not_started", "", None), "P3": None}),
    (D(2015, 3, 2), {"P1": ("in_progress", "amber", None), "P2": ("not_started", "", None), "P3": None}),
    (D(2015, 5, 14), {"P1": ("in_progress", "amber", None), "P2": ("not_started", "", None), "P3": None}),
    (D(2015, 5, 15), {"P1": ("in_progress", "amber", None), "P2": ("in_progress", "amber", D(2015, 12, 31)),
                      "P3": None}),
    (D(2015, 6, 29), {"P1": ("in_progress", "amber", None), "P2": ("in_progress", "amber", D(2015, 12, 31)),
                      "P3": None}),
    (D(2015, 6, 30), {"P1": ("implemented", "green", None), "P2": ("in_progress", "amber", D(2015, 12, 31)),
                      "P3": None}),
    (D(2015, 7, 9), {"P1": ("implemented", "green", None), "P2": ("in_progress", "amber", D(2015, 12, 31)),
                     "P3": None}),
    (D(2015, 7, 10), {"P1": ("implemented", "green", None), "P2": ("not_started", "amber", D(2015, 12, 31)),
                      "P3": None}),
    (D(2015, 8, 1), {"P1": ("implemented", "green", None), "P2": ("not_started", "amber", D(2015, 12, 31)),
                     "P3": ("not_started", "", None)}),
    (D(2015, 8, 31), {"P1": ("implemented", "green", None), "P2": ("not_started", "amber", D(2015, 12, 31)),
                      "P3": ("not_started", "", None)}),
    (D(2015, 9, 1), {"P1": ("assured", "green", None), "P2": ("not_started", "amber", D(2015, 12, 31)),
                     "P3": ("not_started", "", None)}),
])
def test_each_item_as_it_stood_before_on_and_after_each_change(made_history, day, expected):
    assert record(day) == expected


@pytest.mark.empty_database
def test_the_figures_count_only_items_tracked_that_day(made_history):
    before_p3 = history.as_at(D(2015, 6, 30))
    assert before_p3.total.total == 2  # P3 is not yet tracked: not counted as not started
    assert before_p3.total.by_status == {"not_started": 0, "in_progress": 1, "implemented": 1, "assured": 0,
                                         "not_accepted": 0, "closed_not_implemented": 0, "superseded": 0}
    assert before_p3.not_yet_tracked == 1
    assert [(group.label, group.total) for group in before_p3.by_source] == [("Source HIST", 2)]

    later = history.as_at(D(2015, 9, 1))
    assert later.not_yet_tracked == 0
    assert later.total.by_status == {"not_started": 2, "in_progress": 0, "implemented": 0, "assured": 1,
                                     "not_accepted": 0, "closed_not_implemented": 0, "superseded": 0}
    assert later.total.done == 1


@pytest.mark.empty_database
def test_as_at_page(made_history, client, django_assert_num_queries):
    # Two for the page cache's checks, five for the page and one for the outcome indicators (none here;
    # four with some): the same however many items there are.
    with django_assert_num_queries(8):
        response = client.get("/as-at/2015-06-30/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The record as at 30 June 2015" in page
    assert "2 recommendations were tracked, 1 of them implemented or assured" in page
    assert "1 of the items tracked now had not been added to the tracker by then" in page
    assert page.count("Not yet tracked") == 1
    assert 'href="/items/P1/"' in page and 'href="/sources/HIST/"' in page
    # The picker holds the date shown, to change it.
    assert re.search(r'<input\s[^>]*name="day"[^>]*value="30"', page)
    for private in ("Unpublished draft text", "Returned comment text", "Officername", "Reviewername"):
        assert private not in page


@pytest.mark.empty_database
def test_the_date_picker_goes_to_the_date_page(made_history, client):
    response = client.get("/as-at/?day=30&month=6&year=2015")
    assert response.status_code == 302 and response["Location"] == "/as-at/2015-06-30/"
    assert client.get("/as-at/").status_code == 200


@pytest.mark.empty_database
@pytest.mark.parametrize("query, message", [
    ("day=31&month=2&year=2015", "The date must be a real date"),
    ("day=1&month=1&year=2014", "The date must be on or after 26 August 2014"),
    ("day=1&month=1&year=2999", "The date must be today or in the past"),
    ("day=&month=6&year=2015", "The date must include a day"),
    ("day=&month=&year=", "Enter the date you want to see the record for"),
])
def test_the_date_picker_explains_a_wrong_date(made_history, client, query, message):
    response = client.get(f"/as-at/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert "<title>Error: " in page


@pytest.mark.empty_database
@pytest.mark.parametrize("day, message", [
    ("2015-02-30", "must be a real date"),
    ("30-06-2015", "must be a real date"),
    ("2015-6-30", "must be a real date"),
    ("yesterday", "must be a real date"),
    ("2999-01-01", "must be today or in the past"),
    ("2014-08-25", "must be on or after 26 August 2014"),
])
def test_a_bad_date_in_the_address_is_a_clear_404(made_history, client, day, message):
    response = client.get(f"/as-at/{day}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no record for that date" in page and message in page
    assert 'name="day"' in page  # and a way to choose another


@pytest.mark.empty_database
def test_the_first_day_itself_can_be_shown(made_history, client):
    response = client.get("/as-at/2014-08-26/")
    assert response.status_code == 200
    assert "0 recommendations, proposals or findings were tracked" in response.content.decode()


# --- Changes between two dates -------------------------------------------------


def changes_listed(client, query):
    response = client.get(f"/changes/?{query}")
    assert response.status_code == 200
    return [(change.item_reference, change.kind, timezone.localtime(change.published_at).date())
            for change in response.context["changes"]]


@pytest.mark.empty_database
def test_changes_between_two_dates_include_both_days(made_history, client):
    assert changes_listed(client, "from=2015-06-30&to=2015-09-01") == [
        ("P1", "assurance", D(2015, 9, 1)),
        ("P2", "correction", D(2015, 7, 10)),
        ("P1", "progress", D(2015, 6, 30)),
    ]
    assert changes_listed(client, "from=2015-03-02&to=2015-06-29") == [("P2", "progress", D(2015, 5, 15))]
    assert changes_listed(client, "from=2015-07-11&to=2015-08-31") == []


@pytest.mark.empty_database
def test_changes_page_says_what_happened(made_history, client, django_assert_num_queries):
    # Two for the page cache's checks, six for the page (the last: the record's other changes, from the log).
    with django_assert_num_queries(8):
        response = client.get("/changes/?from=2015-01-01&to=2015-12-31")
    page = response.content.decode()
    assert "5 changes published from 1 January 2015 to 31 December 2015" in page
    for text in ("Assured and closed by the board", "Corrected by the board", "Progress update",
                 'href="/items/P1/#update-', "The improvement board", "Org H"):
        assert text in page
    assert "/changes.csv?from=2015-01-01&amp;to=2015-12-31" in page
    for private in ("Unpublished draft text", "Returned comment text", "Officername", "Reviewername"):
        assert private not in page


@pytest.mark.empty_database
def test_changes_default_to_the_last_30_days(made_history, client):
    response = client.get("/changes/")
    assert response.status_code == 200
    today = timezone.localdate()
    assert (response.context["start"], response.context["end"]) == (today - datetime.timedelta(days=30), today)


@pytest.mark.empty_database
def test_changes_are_paginated(made_history, client, monkeypatch):
    from recommendations.views import record as views
    monkeypatch.setattr(views, "CHANGES_PER_PAGE", 3)
    first = client.get("/changes/?from=2015-01-01&to=2015-12-31")
    assert len(first.context["changes"]) == 3
    assert "?from=2015-01-01&amp;to=2015-12-31&amp;page=2" in first.content.decode()
    second = client.get("/changes/?from=2015-01-01&to=2015-12-31&page=2")
    assert [change.item_reference for change in second.context["changes"]] == ["P2", "P1"]


@pytest.mark.empty_database
@pytest.mark.parametrize("query, message", [
    ("from=2015-07-01&to=2015-06-01", "The end date must be the same as or after the start date"),
    ("from=1%2F7%2F2015&to=2015-08-01", "The start date must be a real date"),
    ("from=2015-07-01&to=2999-01-01", "The end date must be today or in the past"),
    ("from=2014-01-01", "The start date must be on or after 26 August 2014"),
])
def test_wrong_dates_for_changes_are_explained(made_history, client, query, message):
    response = client.get(f"/changes/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert client.get(f"/changes.csv?{query}").status_code == 400
    assert client.get(f"/changes.json?{query}").status_code == 400


@pytest.mark.empty_database
def test_changes_downloads(made_history, client):
    query = "from=2015-06-30&to=2015-07-10"
    data = json.loads(client.get(f"/changes.json?{query}").content)
    assert [(change["item_reference"], change["status"]) for change in data["changes"]] == [
        ("P2", "not_started"), ("P1", "implemented")
    ]
    assert data["licence"]["name"] == "Open Government Licence v3.0"
    response = client.get(f"/changes.csv?{query}")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["item_reference"] for row in rows] == ["P2", "P1"]
    assert rows[0]["organisation"] == "The improvement board"
    assert 'rel="license"' in response["Link"]
