"""Public pages can be cached, and a publication invalidates them at once."""
import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client

from recommendations.models import Item, Source
from recommendations.services import workflow

pytestmark = pytest.mark.django_db

URLS = ["/", "/items/?source=JAY", "/items/JAY-03/", "/sources/JAY/", "/sources/JAY/report/", "/sources/JAY/report.odt",
        "/updates.json", "/feed/"]


def test_public_responses_carry_validators_and_may_be_cached(demo_progress, client):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.has_header("ETag"), url
        assert response.has_header("Last-Modified"), url
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"], url


def test_unchanged_pages_are_not_sent_again(demo_progress, client):
    for url in URLS:
        response = client.get(url)
        again = client.get(url, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304, url
        assert again.content == b""
        since = client.get(url, headers={"If-Modified-Since": response["Last-Modified"]})
        assert since.status_code == 304, url


def test_approval_changes_the_etag_at_once(demo_progress, council_officer, reviewer, client):
    before = client.get("/items/JAY-03/")
    update = workflow.save_draft(council_officer, Item.objects.get(reference="JAY-03"),
                                 narrative="Meetings are now minuted.", proposed_status="in_progress")
    workflow.submit(council_officer, update, update.version)
    # Drafts and submissions are not public, so they do not change what is public.
    assert client.get("/items/JAY-03/", headers={"If-None-Match": before["ETag"]}).status_code == 304

    workflow.approve(reviewer, update, update.version)
    after = client.get("/items/JAY-03/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"Meetings are now minuted." in after.content


def test_signed_in_pages_are_private_and_never_revalidated(demo_progress, reviewer, client):
    anonymous_etag = client.get("/").headers["ETag"]
    client.force_login(reviewer)
    response = client.get("/", headers={"If-None-Match": anonymous_etag})
    assert response.status_code == 200  # not the anonymous page from the browser's cache
    assert not response.has_header("ETag")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_public_pages_vary_on_the_cookie(demo_progress, client):
    assert "Cookie" in client.get("/").headers.get("Vary", "")


# --- The page cache (recommendations/public/page_cache.py) --------------------------
# A cached page costs one query: reading the public version.


def test_a_repeat_anonymous_request_is_served_from_the_shared_cache(demo_progress, client, django_assert_num_queries):
    for url in URLS:
        first = client.get(url)
        with django_assert_num_queries(1):
            again = client.get(url)
        assert again.status_code == 200, url
        assert again.content == first.content, url
        assert again["ETag"] == first["ETag"], url
        # Conditional GET still works on a cached page, with that one query.
        with django_assert_num_queries(1):
            assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304, url


def test_a_cached_page_keeps_every_header_the_middleware_gave_it(demo_progress, client):
    """Cached pages are answered before the rest of the middleware runs, so they must have
    been stored with its headers (security policy, framing, Vary) and give them again."""
    for url in URLS:
        first = client.get(url)
        again = client.get(url)
        for header in ("Content-Security-Policy", "X-Frame-Options", "Vary", "Cache-Control", "Content-Type",
                       "Referrer-Policy", "X-Content-Type-Options"):
            assert again.get(header) == first.get(header) is not None, (url, header)


def test_with_the_cache_off_a_current_copy_costs_one_query(demo_progress, client, settings,
                                                          django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for url in URLS:
        first = client.get(url)
        with django_assert_num_queries(1):  # the public version
            not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert not_modified.status_code == 304, url
        assert not_modified["ETag"] == first["ETag"], url
        assert "max-age=60" in not_modified["Cache-Control"], url


def test_a_publication_through_the_workflow_shows_at_once_with_the_cache_on(
    demo_progress, council_officer, reviewer, client, django_assert_num_queries
):
    item = Item.objects.get(reference="JAY-03")
    assert item.status == Item.Status.NOT_STARTED
    in_progress = "/items/?status=in_progress"
    item_page, item_list = client.get("/items/JAY-03/"), client.get(in_progress)
    assert b"Case reviews now use a shared checklist." not in item_page.content
    assert b"/items/JAY-03/" not in item_list.content

    update = workflow.save_draft(council_officer, item, narrative="Case reviews now use a shared checklist.",
                                 proposed_status="in_progress")
    workflow.submit(council_officer, update, update.version)
    # Not public yet, so the cached pages are still good: only the version is read, same page.
    with django_assert_num_queries(2):
        assert client.get("/items/JAY-03/").content == item_page.content
        assert client.get(in_progress).content == item_list.content

    workflow.approve(reviewer, update, update.version)
    assert b"Case reviews now use a shared checklist." in client.get("/items/JAY-03/").content
    assert b"/items/JAY-03/" in client.get(in_progress).content


def test_an_edit_to_public_details_outside_the_workflow_shows_at_once(demo_progress, client):
    before = client.get("/sources/")
    assert b"Renamed by an administrator" not in before.content
    source = Source.objects.get(code="JAY")
    source.title = "Renamed by an administrator"
    source.save()
    assert b"Renamed by an administrator" in client.get("/sources/").content
    # A browser revalidating its copy gets the new page too.
    revalidated = client.get("/sources/", headers={"If-None-Match": before["ETag"]})
    assert revalidated.status_code == 200
    assert b"Renamed by an administrator" in revalidated.content


def test_with_the_cache_off_pages_are_rendered_every_time_and_still_revalidate(demo_progress, client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    first = client.get("/items/JAY-03/")
    again = client.get("/items/JAY-03/")
    assert again.context is not None  # rendered, not cached
    assert again["ETag"] == first["ETag"]
    assert client.get("/items/JAY-03/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_with_the_cache_off_an_item_page_rendered_again_reads_only_the_version(demo_progress, client, settings,
                                                                               django_assert_max_num_queries):
    # The item page's record is kept for the public version (views/public.py): rendered again, the
    # page reads the version and nothing else, and a publication shows at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    first = client.get("/items/JAY-03/")
    with django_assert_max_num_queries(1):
        again = client.get("/items/JAY-03/")
    assert again.content == first.content
    item = Item.objects.get(reference="JAY-03")
    item.title = "A title changed in the admin"
    item.save()
    assert b"A title changed in the admin" in client.get("/items/JAY-03/").content


def test_signed_in_people_never_get_the_anonymous_cached_page(demo_progress, reviewer, client):
    anonymous = client.get("/items/")
    assert b"Sign out" not in anonymous.content
    client.force_login(reviewer)
    signed_in = client.get("/items/")
    assert b"Sign out" in signed_in.content
    assert "private" in signed_in["Cache-Control"]


def test_the_header_kept_for_visitors_marks_each_page_and_is_never_a_signed_in_one(demo_progress, reviewer, client,
                                                                                  settings):
    # The layout keeps a visitor's header per page name (tracker/jinja2.py, constant): with the page
    # cache off, each page still marks its own navigation item, and a signed-in person gets theirs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def current(page):
        return re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="page"', page)

    for _ in range(2):
        assert current(client.get("/items/").content.decode()) == ["/items/"]
        assert current(client.get("/sources/").content.decode()) == ["/sources/"]
    signed_in = Client()
    signed_in.force_login(reviewer)
    assert b"Sign out" in signed_in.get("/items/").content
    assert b"Sign out" not in client.get("/items/").content


def test_anonymous_visitors_never_get_a_signed_in_page(demo_progress, reviewer, client):
    client.force_login(reviewer)
    assert b"Sign out" in client.get("/items/").content
    anonymous = Client()
    assert b"Sign out" not in anonymous.get("/items/").content
    assert b"Sign out" not in anonymous.get("/items/").content  # nor from the cache


def test_a_visitor_with_a_message_waiting_is_not_given_or_stored_a_shared_page(demo_progress, client):
    cached = client.get("/")
    client.cookies[CookieStorage.cookie_name] = "anything"
    response = client.get("/")
    assert response.context is not None  # rendered for this visitor, not taken from the cache
    assert response.content == cached.content


def test_parts_kept_per_public_version_change_with_it_even_with_the_cache_off(demo_progress, reviewer, client,
                                                                              settings):
    """The home page's table and the filters' option lists are kept per public version inside each
    process, also with the page cache off: a public change shows in them on the next request."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(reviewer)  # signed in: never the page cache, always these kept parts
    assert b"Renamed source" not in client.get("/").content
    assert b"Renamed source" not in client.get("/items/").content
    source = Source.objects.get(code="JAY")
    source.short_title = "Renamed source"
    source.save()
    assert b"Renamed source" in client.get("/").content  # the by-source table
    assert b'<option value="JAY">Renamed source' in client.get("/items/").content  # the source filter's options


def test_the_list_rows_kept_in_each_process_change_with_the_public_version(
    demo_progress, council_officer, reviewer, client, settings
):
    """Each process keeps the rows the item list has shown, per public version: with the page
    cache off, an edit (one that moves the item, too) and a publication show on the very next list."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    lists = ["/items/", "/items/?source=JAY", "/items/?source=JAY&status=not_started"]

    def rows(url):
        return {item.reference: item for item in client.get(url).context["items"]}

    for url in lists:
        listed = list(rows(url))
        assert listed.index("JAY-03") < listed.index("JAY-14"), url

    item = Item.objects.get(reference="JAY-03")
    item.title, item.number = "Retitled by an administrator", 99  # now last of its source
    item.save()
    for url in lists:
        listed = rows(url)
        assert listed["JAY-03"].title == "Retitled by an administrator", url
        assert list(listed).index("JAY-03") > list(listed).index("JAY-14"), url

    update = workflow.save_draft(council_officer, item, narrative="Started.", proposed_status="in_progress")
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    assert rows("/items/?source=JAY")["JAY-03"].status == Item.Status.IN_PROGRESS
    assert "JAY-03" not in rows("/items/?source=JAY&status=not_started")


def test_the_home_pages_figures_kept_per_public_version_change_with_it(demo_progress, reviewer, client, settings):
    """The home page's figures at a glance and its date of the last publication are kept per public
    version in each process: a change shows on the next request, with the page cache off."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(reviewer)  # signed in: never the page cache

    def done():
        glance = client.get("/").context["glance"]
        return f"{glance.done} of {glance.total} {glance.counted} implemented or assured"

    before = done()
    assert before in client.get("/").content.decode()
    item = Item.objects.exclude(status__in=Item.DONE_STATUSES).first()
    item.status = Item.Status.IMPLEMENTED
    item.save()
    after = done()
    assert after != before
    body = client.get("/").content.decode()
    assert after in body and before not in body
