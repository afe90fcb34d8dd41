"""The benchmark's bare reference view exists only where TRACKER_BENCH_VIEW is on."""
import importlib

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import clear_url_caches

import tracker.urls


@pytest.fixture
def reload_urls():
    original = django_settings.TRACKER_BENCH_VIEW

    def reload():
        importlib.reload(tracker.urls)
        clear_url_caches()

    yield reload
    # Back to the URLs of the settings as they were. The settings fixture
    # restores the setting only after this teardown, so name it here.
    with override_settings(TRACKER_BENCH_VIEW=original):
        reload()


def test_bare_view_does_not_exist_by_default(client, settings, reload_urls):
    settings.TRACKER_BENCH_VIEW = False
    reload_urls()
    assert client.get("/bench/bare/").status_code == 404


@pytest.mark.django_db
def test_bare_view_answers_without_the_database(client, settings, reload_urls, django_assert_num_queries):
    settings.TRACKER_BENCH_VIEW = True
    reload_urls()
    with django_assert_num_queries(0):
        response = client.get("/bench/bare/")
    assert response.status_code == 200
    # 8 KB of HTML, like a small real page: the reference the benchmark compares pages with.
    assert len(response.content) == 8192
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.startswith(b"<!DOCTYPE html>") and response.content.endswith(b"</html>\n")
