"""Middleware for the tracker."""
import logging
from urllib.parse import urlencode

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from recommendations.services import two_factor

logger = logging.getLogger(__name__)

# Seconds a browser or client is told to wait before trying again.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Answer "service unavailable" (503) while the database cannot be reached.

    Without this, a stopped or unreachable database gives a generic server
    error. The page is rendered without a request context, so it needs nothing
    from the database. Django reconnects by itself once the database is back
    (CONN_HEALTH_CHECKS is on), so nothing has to be restarted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable while handling %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class RejectNullCharactersMiddleware:
    """Answer 400 Bad Request to a path with a null character (%00) in it.

    No address of the tracker has one, and PostgreSQL refuses it in a query
    (a server error otherwise). Query strings of the tracker's own pages are
    checked by their forms, which say what is wrong; the Django admin's are
    checked here too, since its filters pass them to the database unchecked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_admin_query = request.path.startswith("/admin/") and any(
            "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
        )
        if "\x00" in request.path or in_admin_query:
            response = HttpResponseBadRequest(render_to_string("400.html"))
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


class SignedInNoStoreMiddleware:
    """Signed-in pages and downloads hold unpublished work: the browser must not keep them.

    Every response to a signed-in person gets Cache-Control: no-store (with
    private, no-cache), so nothing stays in the browser's cache or history
    after sign-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class TwoFactorMiddleware:
    """Ask for the second factor before the signed-in work pages (services/two_factor.py).

    The workflow, the board and every admin page, for anyone who must use
    two-factor sign-in or has set it up, until they have entered a code in this
    session. That includes the admin's own sign-in and sign-out pages: signed in
    with a password only, a person reaches them only from admin pages, and can
    always sign out at /accounts/logout/. Visitors not signed in are not asked.
    Needs django_otp's OTPMiddleware before it.
    """

    PROTECTED_NAMESPACES = {"workflow", "board", "admin"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not set(match.namespaces) & self.PROTECTED_NAMESPACES:
            return None
        if not two_factor.needs_code(request.user):
            return None
        step = "two-factor-verify" if two_factor.is_set_up(request.user) else "two-factor-setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
