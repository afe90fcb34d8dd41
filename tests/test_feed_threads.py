"""The Atom feeds keep no per-request state on the feed objects, which every thread of a
worker shares (gunicorn --threads): feeds asked for at the same time, for different items,
sources, themes and host names, each get their own answer.

Each feed is read once, alone, for each host name; then all of them many times at once
from many threads, and every answer must be the same as the one read alone (its title, its
links and its entries' ids, which carry the host name it was asked under). The page cache is
off, so every request is rendered.
"""
import os
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import gunicorn, manage, scratch_database_url

HOSTS = ["127.0.0.1", "localhost", "tracker-a.test", "tracker-b.test"]
FEEDS = [
    "/items/JAY-04/feed/", "/items/JAY-05/feed/", "/items/OFSTED-F1/feed/", "/items/JAY-01/feed/",
    "/sources/JAY/feed/", "/sources/OFSTED/feed/", "/sources/ADCS/feed/",
    "/themes/resources/feed/", "/themes/joint-working/feed/",
    "/feed/", "/feed/?source=OFSTED",
]
ROUNDS = 6
CLIENT_THREADS = 16


@pytest.fixture
def threaded_server(tmp_path):
    with scratch_database_url(tmp_path, "feeds") as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": ",".join(HOSTS),
            "TRACKER_DEMO_MODE": "1",
            "DATABASE_URL": database_url,
            "TRACKER_CACHE_URL": "dummy://",  # every request rendered, none served from a cache
        }
        manage(env, "migrate", "--no-input")
        manage(env, "load_sources")
        manage(env, "load_demo")
        with gunicorn(env, "--workers", "1", "--threads", "4") as base:
            yield base


def fetch(base, path, host):
    request = urllib.request.Request(base + path, headers={"Host": host})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def test_feeds_asked_for_at_once_from_many_threads_each_get_their_own_answer(threaded_server):
    alone = {(path, host): fetch(threaded_server, path, host) for path in FEEDS for host in HOSTS}
    for (path, host), feed in alone.items():
        ids = re.findall(r"<id>([^<]+)</id>", feed)
        assert len(ids) > 1, path  # the feed's own id and at least one entry's
        assert all(entry_id.startswith(f"http://{host}/") for entry_id in ids), (path, host)
    assert len(set(alone.values())) == len(alone)  # every feed and host answers differently

    asked = list(alone) * ROUNDS
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        answers = list(pool.map(lambda key: fetch(threaded_server, *key), asked))
    wrong = [key for key, answer in zip(asked, answers) if answer != alone[key]]
    assert wrong == []
