"""
Conditional GET for the public pages: each public response has an ETag and a
Last-Modified, so a browser's repeat request is answered 304 Not Modified.

Pages also say what is overdue and how long ago something was published, which
changes with the date alone, so the ETag includes the day as well, and
Last-Modified is never earlier than the start of the day.
"""
import calendar
import datetime
import hashlib

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from recommendations import kept_values, versions

# Short, so a proxy never serves a page long after a publication; the ETag lets
# browsers revalidate cheaply after that.
PUBLIC_MAX_AGE = 60


def today():
    return timezone.localdate().isoformat()


def _fingerprint(request):
    if not hasattr(request, "_public_fingerprint"):
        key = f"public-pages:{versions.version(request)}:{today()}:fingerprint"
        request._public_fingerprint = kept_values.kept(key, versions.last_changed)
    return request._public_fingerprint


def etag(request, *args, **kwargs):
    # Signed-in people see their own navigation and sign-out form on public
    # pages, so only anonymous pages are shared and revalidated.
    if request.user.is_authenticated:
        return None
    return public_etag(request)


def public_etag(request):
    latest = _fingerprint(request)
    stamp = f"{latest.isoformat() if latest else '-'}|{versions.version(request)}|{today()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:32]


def last_modified(request, *args, **kwargs):
    if request.user.is_authenticated:
        return None
    return public_last_modified(request)


def public_last_modified(request):
    start_of_day = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    return max(filter(None, [_fingerprint(request), start_of_day]))


def not_modified(request):
    """A 304 response if the visitor's copy of a public page is current, else None."""
    if "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers:
        return None
    last_modified_at = calendar.timegm(public_last_modified(request).utctimetuple())
    validators = HttpResponse()
    validators["ETag"] = quote_etag(public_etag(request))
    validators["Last-Modified"] = http_date(last_modified_at)
    validators["Vary"] = "Cookie"  # as SessionMiddleware marks the full response
    shared_by_everyone(validators)
    response = get_conditional_response(request, etag=validators["ETag"], last_modified=last_modified_at,
                                        response=validators)
    return response if response is not validators else None


def shared_by_everyone(response):
    """Cache-Control of a page every anonymous visitor sees alike."""
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
