"""Public pages can be cached, and a publication invalidates them at once."""
import pytest

from recommendations.models import Item
from recommendations.services import workflow
from tests.public_fixtures import demo_progress  # noqa: F401

pytestmark = pytest.mark.django_db

URLS = ["/", "/items/?source=JAY", "/items/JAY-03/", "/sources/JAY/", "/updates.json", "/feed/"]


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
