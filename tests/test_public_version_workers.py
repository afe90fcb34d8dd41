"""Two real gunicorn workers, each with its own in-process cache (pages, and the item list's
rows), both show a public change on their very next request: the public version is read
from the database, not from memory.
The same holds for the board's figures, kept per board version, after an unpublished change.

The server runs on a database of its own, set up here with the real commands: a SQLite
file, or, when the suite runs on PostgreSQL, a scratch database on the same server (the
workers then keep their connections open, as in production). The change is made by
another process, as an administrator's edit would be.
"""
import os
import subprocess
import sys
import urllib.request

import pytest
from django.conf import settings

from tests.servers import ROOT, gunicorn, manage, scratch_database_url

REQUESTS = 24


def fetch(url, headers=None):
    """A new connection each time, so the requests spread over the workers."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return response.headers["ETag"], response.read().decode()


@pytest.fixture
def server(tmp_path):
    with scratch_database_url(tmp_path, "workers") as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database_url,
            "TRACKER_CACHE_URL": "locmem://",  # a cache inside each worker
            "TRACKER_TWO_FACTOR_REQUIRED": "0",  # the board test signs in with a session made here
        }
        manage(env, "migrate", "--no-input")
        manage(env, "load_sources")
        with gunicorn(env, "--workers", "2") as base:
            yield base, env


def test_every_worker_shows_a_change_made_elsewhere_on_its_next_request(server):
    """The item page through the page cache, and the item list's rows, which each worker keeps per
    public version as the page cache is not, and its order (a renumbered item moves): a cookie keeps
    those requests out of the page cache, so every one renders the list."""
    base, env = server
    page = base + "/items/JAY-04/"
    no_page_cache = {"Cookie": f"{settings.SESSION_COOKIE_NAME}=not-a-session"}
    lists = [base + "/items/", base + "/items/?source=JAY&status=not_started"]
    before = {fetch(page) for _ in range(REQUESTS)}  # each worker now holds the page
    assert len(before) == 1
    for url in lists:
        bodies = {fetch(url, no_page_cache)[1] for _ in range(REQUESTS)}  # and its list rows
        assert all(body.index("JAY-03") < body.index("JAY-14") for body in bodies), url

    manage(env, "shell", "-c", (
        "from recommendations.models import Item; item = Item.objects.get(reference='JAY-04'); "
        "item.title = 'Renamed by another process'; item.save(); "
        "item = Item.objects.get(reference='JAY-03'); item.title = 'Retitled by another process'; "
        "item.number = 99; item.save()"
    ))

    after = [fetch(page) for _ in range(REQUESTS)]
    assert all("Renamed by another process" in body for _, body in after)
    assert len({etag for etag, _ in after}) == 1  # one ETag, from both workers
    assert {etag for etag, _ in after} != {etag for etag, _ in before}
    for url in lists:
        bodies = [fetch(url, no_page_cache)[1] for _ in range(REQUESTS)]
        assert all("Retitled by another process" in body for body in bodies), url
        assert all(body.index("JAY-03") > body.index("JAY-14") for body in bodies), url


# Made in another process: a board reviewer's session, and later an update submitted for review.
SIGN_IN = (
    "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY; "
    "from django.contrib.auth.models import Group; "
    "from django.contrib.sessions.backends.db import SessionStore; "
    "from recommendations import roles; from recommendations.models import User; "
    "user = User.objects.create_user('worker-reviewer', password='not-used-0123456789'); "
    "user.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0]); "
    "session = SessionStore(); session[SESSION_KEY] = str(user.pk); "
    "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'; "
    "session[HASH_SESSION_KEY] = user.get_session_auth_hash(); session.create(); print(session.session_key)"
)
SUBMIT = (
    "from django.utils import timezone; from recommendations.models import Item, ProgressUpdate, User; "
    "item = Item.objects.get(reference='JAY-04'); "
    "ProgressUpdate.objects.create(item=item, author=User.objects.get(username='worker-reviewer'), "
    "narrative='Waiting for review', proposed_status=item.status, state='submitted', submitted_at=timezone.now())"
)


def test_every_worker_shows_an_unpublished_change_on_the_board_on_its_next_request(server):
    base, env = server
    session = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SIGN_IN], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    ).stdout.split()[-1]
    board = [base + "/board/", {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}]
    before = [fetch(*board)[1] for _ in range(REQUESTS)]  # each worker now holds the figures
    assert all("0 updates waiting for review" in body for body in before)

    manage(env, "shell", "-c", SUBMIT)  # not published: the public version stays, the board's changes

    after = [fetch(*board)[1] for _ in range(REQUESTS)]
    assert all("1 update waiting for review" in body for body in after)
