"""
The shared cache (Redis) speeds the tracker up; it must never take it down.

FailOpenRedisCache is Django's RedisCache with three differences, so that every
user of django.core.cache (the page cache, conditional GET, kept figures, the
board's figures) is covered in one place:

- a Redis error or time-out is a miss: a read returns the default, a write
  stores nothing, and the caller goes on to the database;
- connecting and reading give up after a fraction of a second
  (TRACKER_CACHE_TIMEOUT, set by cache_from_url in tracker/settings.py), and
  redis-py does not retry;
- after an error this process leaves Redis alone for RETRY_AFTER seconds
  (TRACKER_CACHE_RETRY_AFTER), so a dead Redis costs one time-out per process
  now and then, not one per request.

The process logs one warning when Redis becomes unreachable and one when it is
back. Counters (incr, decr) are not made to fail open: a count that cannot be
read must not pass for zero, so they raise as before. Nothing in the tracker
counts in the cache: sign-in lockouts (django-axes), two-factor throttling
(django-otp) and the e-mail alert limits are all kept in the database.
"""
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("tracker.cache")


class _Health:
    """What this process knows of one Redis server: reachable, or resting until a moment."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.resting_until = 0.0

    def resting(self):
        return time.monotonic() < self.resting_until

    def failed(self, location, error, retry_after):
        with self.lock:
            self.resting_until = time.monotonic() + retry_after
            if self.down:
                return
            self.down = True
        logger.warning("Cache %s unreachable (%s): serving from the database, trying again every %s s.",
                       location, error, retry_after)

    def succeeded(self, location):
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Cache %s reachable again.", location)


# One per server location, shared by the threads of this process (Django makes a cache object per thread).
_health = {}
_health_lock = threading.Lock()


def _health_of(location):
    with _health_lock:
        return _health.setdefault(location, _Health())


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_after = float(params.get("RETRY_AFTER", 5))
        self._location = server if isinstance(server, str) else ",".join(server)
        self._health_state = _health_of(self._location)
        from redis.exceptions import RedisError

        self._errors = (RedisError, OSError)

    def _fail_open(self, fallback, operation, *args, **kwargs):
        health = self._health_state
        if health.resting():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except self._errors as error:
            health.failed(self._location, error, self.retry_after)
            return fallback
        health.succeeded(self._location)
        return result

    def reachable(self):
        """Whether Redis answers now (for /healthz): False while this process is resting after an error."""
        return self._fail_open(False, lambda: bool(self._cache.get_client(write=True).ping()))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._fail_open(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._fail_open({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._fail_open(False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Nothing was stored: every key "failed", as Django's API puts it.
        return self._fail_open(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._fail_open(None, super().delete_many, keys, version)

    def clear(self):
        return self._fail_open(False, super().clear)
