"""
Each public page, download and feed runs a fixed number of SQL queries,
whatever the number of items, updates and evidence links.

Counted once on a small data set, then again after adding over 500 items and
hundreds of published updates with evidence: the counts must be the same. Each
page is counted as the first request after a change, when nothing kept for the
public version (option lists, the list's rows) is reused: the most it runs.
"""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations import roles
from recommendations import versions
from recommendations.models import Action, EvidenceLink, Item, Organisation, ProgressUpdate, Source, Theme
from tests.helpers import make_user

URLS = [
    "/",
    "/items/",
    "/items/?source=SYN&status=in_progress&overdue=on&q=Synthetic",
    "/items/?formal_response=awaiting&update_overdue=on",
    "/items/JAY-04/",
    "/items/SYN-1/",
    "/sources/",
    "/sources/SYN/",
    "/sources/SYN/report/",
    "/sources/SYN/report.odt",
    "/sources/JAY/report/",
    "/accessibility/",
    "/open-data/",
    "/items.csv",
    "/items.json?source=SYN",
    "/updates.csv",
    "/updates.json?source=JAY",
    "/feed/",
    f"/as-at/{datetime.date.today().isoformat()}/",
    "/as-at/2015-06-30/",
    f"/changes/?from=2015-01-01&to={datetime.date.today().isoformat()}",
    f"/changes.json?from=2015-01-01&to={datetime.date.today().isoformat()}",
]

# Generous, but fixed: a page that queried per row would blow far past it. The largest is an item page
# with everything (JAY-04: joint work, outcome indicators, board meetings and responses to feedback), 14.
MOST_QUERIES_PER_PAGE = 15


def add_synthetic_items(source, start, count, themes):
    owner = Organisation.objects.get(slug="rmbc-cyps")
    items = Item.objects.bulk_create(
        Item(
            source=source, reference=f"SYN-{n}", number=n, kind=Item.Kind.RECOMMENDATION,
            title=f"Synthetic item {n}", summary="Synthetic test data.", provenance=Item.Provenance.SEED,
            owner=owner, lead_role="Test lead", status=Item.Status.IN_PROGRESS, rag=Item.Rag.AMBER,
            baseline_target_date=datetime.date(2015, 1, 1), current_target_date=datetime.date(2015, 6, 1),
        )
        for n in range(start, start + count)
    )
    Item.themes.through.objects.bulk_create(
        Item.themes.through(item_id=item.pk, theme_id=theme.pk) for item in items for theme in themes
    )
    return items


def add_published_updates(items, per_item, author):
    now = timezone.now()
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            item=item, author=author, narrative=f"Synthetic progress {n}", proposed_status="in_progress",
            proposed_rag="amber", proposed_target_date=datetime.date(2016, 1, 1 + n % 28),
            target_date_reason="Synthetic", state=ProgressUpdate.State.APPROVED,
            submitted_at=now, reviewed_at=now, published_at=now - datetime.timedelta(minutes=n),
        )
        for item in items for n in range(per_item)
    )
    EvidenceLink.objects.bulk_create(
        EvidenceLink(item_id=update.item_id, update=update, title=f"Evidence {update.pk}",
                     url="https://example.org/evidence.pdf", date=datetime.date(2015, 1, 1))
        for update in updates
    )


@pytest.fixture
def small_data(demo_progress):
    source = Source.objects.create(
        code="SYN", short_title="Synthetic", title="Synthetic source", kind=Source.Kind.REVIEW,
        author="Tests", publisher="Tests", published_on=datetime.date(2020, 1, 1),
        url="https://example.org/synthetic", synthetic=True,
    )
    themes = list(Theme.objects.all()[:2])
    items = add_synthetic_items(source, 1, 3, themes)
    # An item in no joint work skips the related-items query altogether, so
    # the small data set gives SYN-1 one piece of joint work to compare like with like.
    action = Action.objects.create(reference="ACT-SYN", title="Synthetic joint work",
                                   owner=Organisation.objects.get(slug="rmbc-cyps"))
    action.items.add(*items)
    # Nor does an item with no published update look for the board meetings of its updates' days.
    add_published_updates(items[:1], 1, make_user("small-officer", roles.OFFICERS,
                                                  Organisation.objects.get(slug="rmbc-cyps")))
    return source, themes


def grow(source, themes):
    officer = make_user("bulk-officer", roles.OFFICERS, Organisation.objects.get(slug="rmbc-cyps"))
    items = add_synthetic_items(source, 4, 520, themes)
    add_published_updates(items[:150], 2, officer)
    add_published_updates(list(Item.objects.filter(reference__in=["JAY-04", "SYN-1"])), 200, officer)
    action = Action.objects.get(reference="ACT-SYN")
    action.items.add(*Item.objects.filter(source=source)[:300], Item.objects.get(reference="JAY-04"))
    assert Item.objects.count() > 500
    assert ProgressUpdate.objects.published().count() > 700
    versions.changed()  # bulk writes send no model signals (as in services.synthetic)


def count_queries(client, url):
    versions.changed()  # nothing kept for the version yet: the most queries the page runs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_public_query_counts_do_not_grow_with_the_data(small_data, client, django_assert_num_queries):
    small = {url: count_queries(client, url) for url in URLS}
    assert max(small.values()) <= MOST_QUERIES_PER_PAGE, small
    grow(*small_data)
    for url in URLS:
        versions.changed()
        with django_assert_num_queries(small[url]):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_the_large_data_set_is_really_shown(small_data, client):
    grow(*small_data)
    assert client.get("/items.json?source=SYN").json()["count"] == 523
    body = client.get("/items/JAY-04/").content.decode()
    assert body.count('id="update-') == 201
    assert "SYN-300" in body  # related through the synthetic action
    assert "Page 12" in client.get("/items/").content.decode()  # 558 items, 50 a page: 12 pages
    assert client.get("/sources/SYN/report/").content.decode().count('class="tracker-report-item"') == 523
