"""
E-mail alerts, without an account: ask for them, confirm them, stop them.

The rules are in recommendations.services.alerts. These pages have a form
and a CSRF token, or act on one person's link, so unlike the other public
pages they are never cached. A link from an e-mail only shows a page: the
change is made by its button (a POST), because mail scanners open links.
"""
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from recommendations.forms import SubscribeForm
from recommendations.models import Subscription
from recommendations.services import alerts

TEMPLATES = "recommendations/alerts/"


def _problem(request, message, status):
    return render(request, TEMPLATES + "problem.html", {"message": message}, status=status)


def _requested(params):
    """(kind, key) of the first of ?item=, ?source= or ?theme= given."""
    for kind in alerts.KINDS:
        if params.get(kind):
            return kind, params[kind]
    return None, None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    kind, key = _requested(request.GET)
    try:
        followed = alerts.target(kind, key)
    except alerts.AlertError as error:
        return _problem(request, str(error), 404)
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts.subscribe(form.cleaned_data["email"], kind, key, form.cleaned_data["frequency"])
        except alerts.AlertError as error:
            form.add_error(error.field, str(error))
        else:
            return redirect(reverse("alerts:requested") + "?" + urlencode({kind: key}))
    return render(request, TEMPLATES + "subscribe.html", {"form": form, "followed": followed})


@never_cache
@require_safe
def requested(request):
    kind, key = _requested(request.GET)
    try:
        followed = alerts.target(kind, key)
    except alerts.AlertError:
        followed = None
    return render(request, TEMPLATES + "requested.html", {"followed": followed, "days": alerts.CONFIRM_DAYS})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        subscription, frequency = alerts.check_confirm_token(token)
        if request.method == "POST":
            subscription = alerts.confirm(token)
    except alerts.AlertError as error:
        return _problem(request, str(error), 400)
    return render(request, TEMPLATES + "confirm.html", {
        "followed": alerts.target_of(subscription),
        "frequency": Subscription.Frequency(frequency).label,
        "done": request.method == "POST",
    })


# The token in the address is the secret that proves the request came from the
# e-mail, as a CSRF token would; and RFC 8058 mail programs post without one.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        if request.method == "POST":
            followed = alerts.unsubscribe(token)
            done = True
        else:
            subscription = alerts.check_unsubscribe_token(token)
            followed = subscription and alerts.target_of(subscription)
            done = False
    except alerts.AlertError as error:
        return _problem(request, str(error), 400)
    return render(request, TEMPLATES + "unsubscribe.html", {
        "followed": followed, "done": done, "gone": followed is None, "no_longer": alerts.NO_LONGER,
    })
