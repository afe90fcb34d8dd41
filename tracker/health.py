"""
/healthz, for load balancers and monitoring: whether the database and the cache
answer, with nothing personal in it and never cached.

200 while the database answers, whatever the cache's state: the tracker serves
every page without its cache (tracker/cache.py), only more slowly. 503 when the
database cannot be reached, as every page then answers.
"""
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unreachable"
    return "ok"


def _cache_state():
    cache = caches["default"]
    if isinstance(cache, DummyCache):
        return "off"
    reachable = getattr(cache, "reachable", None)
    if reachable is not None:  # Redis: does it answer now (unless this process is resting after an error)?
        return "ok" if reachable() else "degraded"
    try:
        cache.get("healthz")
    except Exception:  # the database cache, while the database is down
        return "degraded"
    return "ok"


@require_safe
@never_cache
def healthz(request):
    database, cache_state = _database_state(), _cache_state()
    if database != "ok":
        status = "unavailable"
    else:
        status = "ok" if cache_state in {"ok", "off"} else "degraded"
    return JsonResponse({"status": status, "database": database, "cache": cache_state},
                        status=503 if database != "ok" else 200)
