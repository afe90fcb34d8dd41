"""
Caching of the public pages over HTTP: the one place that decides when a
public page is out of date.

Three layers, all keyed on the "public version", a number kept in the
database (PublicVersion) and raised by every public change:

- conditional GET: each public response has an ETag and Last-Modified, so a
  browser's repeat request is answered 304 Not Modified;
- the page cache: anonymous visitors all see the same public pages, so a page
  is rendered once and kept in Django's cache (TRACKER_CACHE_URL) under a key
  that includes the version. PublicPageCacheMiddleware, placed before sessions
  and authentication, answers a visitor's repeat request (304) and serves kept
  pages without running the rest of the stack;
- a copy of recent pages inside each process, under the same keys.

Pages also say what is overdue and how long ago something was published, which
changes with the date alone, so the ETag and the page cache key include the
day as well, and Last-Modified is never earlier than the start of the day.

Because the version lives in the database, every app server and every worker
process reads the same one on every request (one primary-key lookup), so a
publication through one is seen by all of them on their next request, whatever
the cache: a per-process cache is never stale, only less often hit. Inside a
transaction the new version is committed with the change itself. While the
database cannot be reached, the version this process read last is used, so
pages already cached are still served (nothing can be published meanwhile).

What counts as a public change: saving or deleting an item, source, theme,
organisation or action (and their links), evidence that is public, and a
published progress update (approving it publishes it). Drafts, submissions and
returned updates are not public, so they leave the version alone. Writes that
bypass model signals (the synthetic data's bulk load) call changed()
themselves. The signals are connected in RecommendationsConfig.ready().

The same signals raise a second version, the board's (work_changed), on every
change the dashboards count, published or not; the board's figures are kept
under it (services/dashboards.py remembered).
"""
import calendar
import datetime
import hashlib
import pickle
import threading
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import condition, require_safe

from recommendations.models import EvidenceLink, Item, ProgressUpdate, PublicVersion

# Short, so a proxy never serves a page long after a publication; the ETag lets
# browsers revalidate cheaply after that.
PUBLIC_MAX_AGE = 60
# Pages are dropped by a change of version, not by age; the timeout lets Redis
# or the database reclaim pages nobody asks for (an old version's, a rare
# search's) within the hour, and Redis's maxmemory policy bounds the rest
# (README, "Page cache").
PAGE_TIMEOUT = 60 * 60


def changed():
    """Something shown publicly changed: every cached public page is out of date
    (and the board's figures, which count public data too)."""
    PublicVersion.bump()
    work_changed()


def work_changed():
    """Something the board's dashboards count changed, public or not (a draft,
    a submission, a return): their figures kept per board version are out of date."""
    PublicVersion.bump(PublicVersion.BOARD_ROW)


def board_version():
    """The board's figures' version: read from the database on every request, like the public one."""
    return PublicVersion.current(PublicVersion.BOARD_ROW)


# The version this process read last. Used only while the database cannot be
# reached: nothing can be published then, so cached pages stay up instead of a 503.
_last_seen_version = None


def version(request):
    """The public version, read once per request so one page never mixes two."""
    global _last_seen_version
    if not hasattr(request, "_public_version"):
        try:
            _last_seen_version = PublicVersion.current()
        except DatabaseError:
            if _last_seen_version is None:
                raise
        request._public_version = _last_seen_version
    return request._public_version


def last_changed():
    """The time of the latest change to an item, a published update or evidence
    (three index lookups, whatever the data size): the pages' Last-Modified.

    Approving an update publishes it and saves its item, so the time moves. The
    time of any evidence counts, public or not: evidence added to a draft makes
    browsers fetch an unchanged page once more, but nothing public is missed.
    Changes these times cannot see (a deletion, a source renamed in the admin)
    raise the public version, which the ETag also includes.
    """
    times = [
        Item.objects.order_by("-updated_at").values_list("updated_at", flat=True).first(),
        ProgressUpdate.objects.published().order_by("-published_at").values_list("published_at", flat=True).first(),
        EvidenceLink.objects.order_by("-created_at").values_list("created_at", flat=True).first(),
    ]
    times = [time for time in times if time]
    return max(times) if times else None


# --- Pages kept in the cache, and in each process ------------------------------

_local = OrderedDict()
_local_lock = threading.Lock()
LOCAL_ENTRIES = 200


def _cache_is_on():
    """False with TRACKER_CACHE_URL=dummy://: pages are then rendered every time."""
    return not settings.CACHES["default"]["BACKEND"].endswith(".DummyCache")


def _get(key):
    if not _cache_is_on():
        return None
    with _local_lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = cache.get(key)
    if value is not None:
        _keep_locally(key, value)
    return value


def _set(key, value):
    if _cache_is_on():
        cache.set(key, value, PAGE_TIMEOUT)
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
    value = _get(key)
    if value is None:
        value = compute()
        _set(key, value)
    _keep_locally(key, value)
    return value


def remembered(request, name, compute):
    """compute() (an unchanging value), kept until the next public change.

    Kept in this process even when the page cache is off (dummy://): the key
    holds the version read from the database on this request, so a value kept
    here is never stale, and pages that are rendered every time (filtered
    lists, the first request after a publication) still reuse the parts that
    only change with the public version (the filters' option lists, figures).
    """
    # The day is in the key too: figures such as "past their target date" change at midnight.
    return kept(f"public-pages:{version(request)}:{_today()}:{name}", compute)


# name: (public version and day, value), one value per name.
_kept_here = {}


def remembered_here(request, name, factory):
    """factory(), kept in this process only (never in the shared cache) until the
    next public change or the next day.

    For the item list: a dict of the records of the items it has shown, which
    pages add to in place (as a value in the shared cache could not be). As with
    remembered(), the key holds the version read from the database on this
    request, so what is kept is never stale; and only one version's value is kept
    per name, so nothing grows past one version.
    """
    key = (version(request), _today())
    kept_key, value = _kept_here.get(name, (None, None))
    if kept_key != key:
        # No lock held while making it: two threads may both make it, and either one kept is right.
        value = factory()
        _kept_here[name] = (key, value)
    return value


def forget_kept_values():
    """Drop everything this process keeps (for tests: a rolled-back test leaves the
    public version as it found it, so the next test could find values kept for it)."""
    with _local_lock:
        _local.clear()
        _kept_here.clear()


def is_shared(request):
    """Whether this request may be answered from, and stored in, the page cache.

    Only GETs from anonymous visitors with no session or messages cookie: a
    signed-in person's page shows their own navigation, and a message (such as
    "You have signed out") belongs to one visitor.
    """
    return _is_anonymous_get(request) and not request.user.is_authenticated


def _page_key(request, view):
    """The page's key: its address with only the query parameters its view reads
    (page_query), so other parameters, repeated or blank ones add no entry."""
    query = page_query(request.GET, view.query_names, view.blank_is_a_value).urlencode()
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-pages:{version(request)}:{_today()}:page:{digest}"


def page_query(params, names, blank_is_a_value=False):
    """The query a public page reads: only the parameters in `names`, in order of
    name, the last value of each (as forms read a repeated one), and without blank
    ones, which the forms read as not given (unless blank_is_a_value)."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        value = params.get(name)
        if value is not None and (value != "" or blank_is_a_value):
            query[name] = value
    query._mutable = False
    return query


def cached_page(view):
    """Mark the view's page for anonymous visitors as one the page cache may keep.

    PublicPageCacheMiddleware stores it on its way out, once every middleware
    has added its headers, and serves it from then on.
    """

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if is_shared(request):
            response.shareable = True
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """The page cache's front door, placed before sessions and authentication.

    An anonymous GET (no session or messages cookie) for a public page is
    answered here when it can be: 304 Not Modified if the visitor's copy is
    current, else the stored page if there is one, with the headers every
    middleware gave it when it was stored. Nothing else runs for it, so a
    cached page costs little more than reading the public version. Everything
    else goes on down the stack, and a page the view marked shareable is
    stored on the way back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = _anonymous_public_view(request)
        if view is None:
            return self.get_response(request)
        try:
            not_modified = _not_modified(request)
            key = _page_key(request, view)
        except DatabaseError:
            return self.get_response(request)  # DatabaseUnavailableMiddleware answers
        if not_modified is not None:
            return not_modified
        stored = _get(key)
        if stored is not None:
            return pickle.loads(stored)  # a fresh copy: the outer middleware adds headers to it
        response = self.get_response(request)
        if getattr(response, "shareable", False) and response.status_code == 200 and not response.streaming \
                and not response.cookies:
            _set(key, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
        return response


def _is_anonymous_get(request):
    """A GET from a visitor with no session and no message waiting: before the
    session is read, nobody else can be signed in."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _anonymous_public_view(request):
    """The view of a public page asked for by an anonymous GET, else None."""
    if not _is_anonymous_get(request):
        return None
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    return view if getattr(view, "public_page", False) else None


def _not_modified(request):
    """A 304 response if the visitor's copy of a public page is current, else None."""
    if "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers:
        return None
    last_modified = calendar.timegm(_public_last_modified(request).utctimetuple())
    validators = HttpResponse()
    validators["ETag"] = quote_etag(_public_etag(request))
    validators["Last-Modified"] = http_date(last_modified)
    validators["Vary"] = "Cookie"  # as SessionMiddleware marks the full response
    _shared_by_everyone(validators)
    response = get_conditional_response(request, etag=validators["ETag"], last_modified=last_modified,
                                        response=validators)
    return response if response is not validators else None


# --- Conditional GET -----------------------------------------------------------


def _today():
    return timezone.localdate().isoformat()


def _fingerprint(request):
    if not hasattr(request, "_public_fingerprint"):
        request._public_fingerprint = remembered(request, "fingerprint", last_changed)
    return request._public_fingerprint


def _etag(request, *args, **kwargs):
    # Signed-in people see their own navigation and sign-out form on public
    # pages, so only anonymous pages are shared and revalidated.
    if request.user.is_authenticated:
        return None
    return _public_etag(request)


def _public_etag(request):
    latest = _fingerprint(request)
    stamp = f"{latest.isoformat() if latest else '-'}|{version(request)}|{_today()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    if request.user.is_authenticated:
        return None
    return _public_last_modified(request)


def _public_last_modified(request):
    start_of_day = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    return max(filter(None, [_fingerprint(request), start_of_day]))


def public_cache(view=None, *, query=(), blank_is_a_value=False):
    """Conditional GET, Cache-Control and the page cache for a public view.

    query: the names of the query parameters the view reads. It is given only
    those (page_query), and the page cache keeps one page per value of them, so
    unknown parameters cannot make a page differ or fill the cache.
    blank_is_a_value: a blank parameter means something to the view (a form
    sent empty), so it is kept.
    """
    if view is None:
        return lambda view: public_cache(view, query=query, blank_is_a_value=blank_is_a_value)
    conditional_view = require_safe(condition(etag_func=_etag, last_modified_func=_last_modified)(cached_page(view)))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = page_query(request.GET, query, blank_is_a_value)
        response = conditional_view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            _shared_by_everyone(response)
        return response

    wrapper.public_page = True  # PublicPageCacheMiddleware answers for it
    wrapper.query_names, wrapper.blank_is_a_value = tuple(query), blank_is_a_value
    return wrapper


def _shared_by_everyone(response):
    """Cache-Control of a page every anonymous visitor sees alike."""
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)


# --- What counts as a public change --------------------------------------------


def _on_public_model_change(sender, **kwargs):
    changed()


def _on_update_change(sender, instance, **kwargs):
    if instance.state == ProgressUpdate.State.APPROVED:
        changed()
    else:
        work_changed()  # the review queue and returned updates are on the board


def _on_evidence_saved(sender, instance, raw=False, **kwargs):
    # A backup restore saves rows as they are (raw): look nothing up, count it as a change.
    if raw or instance.update_id is None or instance.update.state == ProgressUpdate.State.APPROVED:
        changed()
    else:
        work_changed()


def connect_signals():
    from recommendations.models import Action, Organisation, Source, Theme

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
