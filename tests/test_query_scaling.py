"""Every page runs the same number of SQL queries however much data there is."""
import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from recommendations.models import Item, User
from recommendations.services import synthetic
from tests.helpers import empty_database

pytestmark = pytest.mark.empty_database


def busiest_item():
    return Item.objects.annotate(n=Count("updates")).order_by("-n", "reference").first().reference


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
