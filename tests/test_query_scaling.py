"""Every page runs the same number of SQL queries however much data there is.

Each count is O(1) by construction: lists are paginated (50 rows), counts and
figures are GROUP BY queries in the database, related rows come in one query
per relation (select_related, one prefetch or one query for all ids), and
option lists and figures kept per version are read once per version.
"""
import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recommendations import versions
from recommendations.models import Item, User
from recommendations.services import synthetic
from tests.helpers import empty_database

pytestmark = pytest.mark.empty_database


def busiest_item():
    # Neither assured nor in joint work, each of which reads one more query (see below), at both sizes.
    items = Item.objects.exclude(status=Item.Status.ASSURED).filter(actions=None)
    return items.annotate(n=Count("updates")).order_by("-n", "reference").first().reference


def page_queries(client):
    client.force_login(User.objects.get(username="syn-reviewer"))
    urls = {
        "item list": "/items/",
        "filtered item list": "/items/?status=in_progress&overdue=true",
        "item page": f"/items/{busiest_item()}/",
        "board overview": "/board/",
        "home": "/",
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        counts[name] = len(captured)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_data(client):
    today = datetime.date(2026, 1, 15)
    synthetic.generate(items=120, updates=240, seed=1, today=today)
    small = page_queries(client)
    empty_database()
    synthetic.generate(items=700, updates=5000, seed=2, today=today)
    assert page_queries(client) == small


def anonymous_page_queries():
    """The public pages as a visitor sees them (page cache and conditional GET in the path), each asked
    first after a change, so nothing kept for the version is reused: the most queries they run."""
    client = Client()
    urls = {
        "home": "/",
        "item list": "/items/",
        "filtered item list": "/items/?status=in_progress&overdue=true&source=SYN-002",
        "item list, later page": "/items/?page=2",
        "item page": f"/items/{busiest_item()}/",
        "items CSV": "/items.csv",
    }
    counts = {}
    for name, url in urls.items():
        versions.changed()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200, url
            b"".join(response.streaming_content) if response.streaming else response.content
        counts[name] = len(captured)
    return counts


# The queries of each page, for a visitor and for a signed-in board reviewer (who also
# reads the session, the user and the groups). A change here is a change to a page's cost.
# A visitor's first page after a change reads the version, then the time of the latest change (one query).
# Signed in, the pages are asked one after another, so the filtered list reuses the option lists the
# item list read for the same version. Home counts its figures at a glance (two queries, then
# kept for the version); the item page reads all its evidence in one query, the board meetings held on the
# days of its updates in one more (to link each decision to its meeting), the links an
# assurance checked only for an assured item, and joint work only for an item in some (this
# one is in neither), its outcome indicators (one query; three more for an item that has some,
# this one has none), the board's published responses to feedback (one query), then keeps its
# record for the version (signed in, reading the version is one query more; rendered again, the
# page reads nothing else); the board overview reads the escalations, the broken evidence links
# and the counts of the public's feedback fresh beside its kept figures, and, for the board, the updates
# waiting for review, the reviewers and who worked on those updates (separation of duties:
# three queries, at any size); the items download reads values
# with source and owner joined. A list counts its matches, reads its page's ids in list order
# (by the items' indexed list_position), then reads its page's rows by id (rows it showed
# before in the same version are not read again).
EXPECTED_ANONYMOUS = {
    "home": 7, "item list": 8, "filtered item list": 9, "item list, later page": 8, "item page": 9, "items CSV": 4,
}
EXPECTED_SIGNED_IN = {"item list": 10, "filtered item list": 7, "item page": 11, "board overview": 18, "home": 9}


@pytest.mark.django_db
def test_query_counts_are_fixed_at_national_scale(client):
    """10,000 items (the national data set): the same queries as for 120 items, and these numbers."""
    today = datetime.date(2026, 1, 15)
    synthetic.generate(items=120, updates=240, seed=1, today=today)
    small = (anonymous_page_queries(), page_queries(client))
    empty_database()
    synthetic.generate(items=10_000, updates=10_000, seed=2, today=today)
    assert Item.objects.count() == 10_000
    large = (anonymous_page_queries(), page_queries(client))
    assert large == small
    assert large == (EXPECTED_ANONYMOUS, EXPECTED_SIGNED_IN)
