"""
Values kept in Django's cache and in each process, under keys that hold a
version read from the database on this request (recommendations/versions.py),
so a value kept anywhere is never out of date, only less often found.

With TRACKER_CACHE_URL=dummy:// nothing is kept in the shared cache; values
are still kept in the process that made them.
"""
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

# Entries are dropped by a change of version, not by age; the timeout lets Redis
# or the database reclaim values nobody asks for (an old version's, a rare
# search's) within the hour, and Redis's maxmemory policy bounds the rest
# (docs/operations.md, "Page cache").
TIMEOUT = 60 * 60

_local = OrderedDict()
_local_lock = threading.Lock()
LOCAL_ENTRIES = 200


def cache_is_on():
    """False with TRACKER_CACHE_URL=dummy://: pages are then rendered every time."""
    return not settings.CACHES["default"]["BACKEND"].endswith(".DummyCache")


def find(key):
    """The value kept under key, or None (always None with the cache off)."""
    if not cache_is_on():
        return None
    with _local_lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = cache.get(key)
    if value is not None:
        _keep_locally(key, value)
    return value


def keep(key, value):
    """Keep value under key, in the shared cache and this process (nowhere with the cache off)."""
    if cache_is_on():
        cache.set(key, value, TIMEOUT)
        _keep_locally(key, value)


def _keep_locally(key, value):
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def kept(key, compute):
    """compute(), kept under key in this process and in the shared cache (if on).

    The key must hold a version read from the database on this request, so that
    a value kept in any process is never out of date, only less often found.
    """
    with _local_lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = find(key)
    if value is None:
        value = compute()
        keep(key, value)
    _keep_locally(key, value)
    return value


def forget_kept_values():
    """Drop everything this process keeps (for tests: a rolled-back test leaves the
    versions as it found them, so the next test could find values kept for it)."""
    with _local_lock:
        _local.clear()
