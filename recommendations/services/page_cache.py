"""
The shared cache of public pages, and the one place that decides when it is
out of date.

Anonymous visitors all see the same public pages, so a page is rendered once
and kept in Django's cache (Redis or the database in production; see
TRACKER_CACHE_URL in the settings). Every key includes the "public version",
a random token kept in the same cache. Whenever anything shown publicly
changes, the token is replaced: every cached page is then out of date at once,
on every app server, without clearing anything else in the cache.

What counts as a public change: saving or deleting an item, source, theme,
organisation or action (and their links), evidence that is public, and a
published progress update (approving it publishes it). Drafts, submissions
and returned updates are not public, so they leave the cache alone. Writes
that bypass model signals (the synthetic data's bulk load, a backup restore)
call changed() themselves.
"""
import hashlib
import pickle
import threading
import uuid
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "public-pages:version"
# Pages are dropped by a change of version, not by age; the timeout only lets
# Redis or the database reclaim pages nobody asks for.
PAGE_TIMEOUT = 24 * 60 * 60


def changed():
    """Something shown publicly changed: every cached public page is out of date.

    Inside a transaction the version changes now, and again after the commit,
    so a page rendered from the not-yet-committed state in between is never
    kept under the final version.
    """
    _new_version()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(_new_version)


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def version(request):
    """The public version, read once per request so one page never mixes two.

    "off" where the cache keeps nothing (dummy://), so the version stays the
    same there and only the database decides the ETag.
    """
    if not hasattr(request, "_public_version"):
        current = cache.get(VERSION_KEY)
        if current is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            current = cache.get(VERSION_KEY, "off")
        request._public_version = current
    return request._public_version


# Pages and fingerprints are also kept inside each process, under the same
# versioned keys. The version itself is still read from the shared cache on
# every request, so a change is seen at once; only the page need not cross the
# network again. Bounded, and never used without a real cache (version "off").
_local = OrderedDict()
_local_lock = threading.Lock()
LOCAL_ENTRIES = 200


def _get(request, key):
    if version(request) != "off":
        with _local_lock:
            if key in _local:
                _local.move_to_end(key)
                return _local[key]
    value = cache.get(key)
    if value is not None:
        _keep_locally(request, key, value)
    return value


def _set(request, key, value):
    cache.set(key, value, PAGE_TIMEOUT)
    _keep_locally(request, key, value)


def _keep_locally(request, key, value):
    if version(request) == "off":
        return
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def remembered(request, name, compute):
    """compute() (an unchanging value), kept in the cache until the next public change."""
    key = f"public-pages:{version(request)}:{name}"
    value = _get(request, key)
    if value is None:
        value = compute()
        _set(request, key, value)
    return value


def is_shared(request):
    """Whether this request may be answered from, and stored in, the shared cache.

    Only GETs from anonymous visitors with no session or messages cookie: a
    signed-in person's page shows their own navigation, and a message (such as
    "You have signed out") belongs to one visitor.
    """
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and not request.user.is_authenticated
    )


def cached_page(view):
    """Serve the view's page from the shared cache for anonymous visitors."""

    def wrapper(request, *args, **kwargs):
        if not is_shared(request):
            return view(request, *args, **kwargs)
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"public-pages:{version(request)}:page:{address}"
        stored = _get(request, key)
        if stored is not None:
            return pickle.loads(stored)  # a fresh copy: middleware adds headers to it
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.streaming and not response.cookies:
            _set(request, key, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
        return response

    return wrapper


# -- what counts as a public change (connected in RecommendationsConfig.ready)


def _on_public_model_change(sender, **kwargs):
    changed()


def _on_update_change(sender, instance, **kwargs):
    from recommendations.models import ProgressUpdate

    if instance.state == ProgressUpdate.State.APPROVED:
        changed()


def _on_evidence_saved(sender, instance, raw=False, **kwargs):
    from recommendations.models import ProgressUpdate

    # A backup restore saves rows as they are (raw): look nothing up, count it as a change.
    if raw or instance.update_id is None or instance.update.state == ProgressUpdate.State.APPROVED:
        changed()


def connect_signals():
    from recommendations.models import Action, EvidenceLink, Item, Organisation, ProgressUpdate, Source, Theme

    for model in (Item, Source, Theme, Organisation, Action):
        post_save.connect(_on_public_model_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-save")
        post_delete.connect(_on_public_model_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-del")
    for through in (Item.themes.through, Action.items.through, Action.partners.through):
        m2m_changed.connect(_on_public_model_change, sender=through, dispatch_uid=f"page-cache-{through.__name__}")
    post_save.connect(_on_update_change, sender=ProgressUpdate, dispatch_uid="page-cache-update-save")
    post_delete.connect(_on_update_change, sender=ProgressUpdate, dispatch_uid="page-cache-update-del")
    post_save.connect(_on_evidence_saved, sender=EvidenceLink, dispatch_uid="page-cache-evidence-save")
    # A deleted link's update may already be gone (a cascade), so any deletion counts.
    post_delete.connect(_on_public_model_change, sender=EvidenceLink, dispatch_uid="page-cache-evidence-del")
