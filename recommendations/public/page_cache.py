"""
The page cache: anonymous visitors all see the same public pages, so a page is
rendered once and kept in Django's cache (TRACKER_CACHE_URL) under a key that
holds the public version and the day (recommendations/versions.py).

PublicPageCacheMiddleware, placed before sessions and authentication, answers
a visitor's repeat request (304, conditional_get.py) and serves kept pages
without running the rest of the stack. public_cache() marks a view as a public
page and gives it conditional GET and Cache-Control.
"""
import hashlib
import pickle
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import DatabaseError
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from recommendations import kept_values, versions
from recommendations.public import conditional_get


def remembered(request, name, compute):
    """compute() (an unchanging value), kept until the next public change.

    Kept in this process even when the page cache is off (dummy://): the key
    holds the version read from the database on this request, so a value kept
    here is never stale, and pages that are rendered every time (filtered
    lists, the first request after a publication) still reuse the parts that
    only change with the public version (the filters' option lists, figures).
    """
    # The day is in the key too: figures such as "past their target date" change at midnight.
    return kept_values.kept(f"public-pages:{versions.version(request)}:{conditional_get.today()}:{name}", compute)


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
    return f"public-pages:{versions.version(request)}:{conditional_get.today()}:page:{digest}"


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
            not_modified = conditional_get.not_modified(request)
            key = _page_key(request, view)
        except DatabaseError:
            return self.get_response(request)  # DatabaseUnavailableMiddleware answers
        if not_modified is not None:
            return not_modified
        stored = kept_values.find(key)
        if stored is not None:
            return pickle.loads(stored)  # a fresh copy: the outer middleware adds headers to it
        response = self.get_response(request)
        if getattr(response, "shareable", False) and response.status_code == 200 and not response.streaming \
                and not response.cookies:
            kept_values.keep(key, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
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
    conditional_view = require_safe(condition(etag_func=conditional_get.etag, last_modified_func=conditional_get.last_modified)(cached_page(view)))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = page_query(request.GET, query, blank_is_a_value)
        response = conditional_view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            conditional_get.shared_by_everyone(response)
        return response

    wrapper.public_page = True  # PublicPageCacheMiddleware answers for it
    wrapper.query_names, wrapper.blank_is_a_value = tuple(query), blank_is_a_value
    return wrapper
