"""
E-mail alerts, without an account: ask for them, confirm them, stop them, and
manage all of an address's alerts on one page (from the link in every e-mail).

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


def _problem(request, message, status, back=None):
    return render(request, TEMPLATES + "problem.html", {"message": message, "back": back}, status=status)


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


# What a change on the manage page did, for its notification banner after the redirect.
MANAGE_CHANGES = {"frequency", "everything"}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """Every alert of one address, from the signed link in its e-mails: change how often, follow every
    item, stop them all (the rules are in services/alerts.py)."""
    here = reverse("alerts:manage", args=[token])
    try:
        address = alerts.check_manage_token(token)
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "stop":
                alerts.stop_all(token)
                return render(request, TEMPLATES + "stopped.html")
            if action == "frequency":
                changed = alerts.change_frequency(token, request.POST.get("alert"), request.POST.get("frequency"))
                return redirect(f"{here}?{urlencode({'changed': 'frequency', 'alert': changed.id})}")
            if action == "everything":
                alerts.follow_everything(token, request.POST.get("frequency"))
                return redirect(f"{here}?{urlencode({'changed': 'everything'})}")
            raise alerts.AlertError("Choose one of the buttons on the page. Nothing has been changed.")
    except alerts.AlertError as error:
        return _problem(request, str(error), 400, back=here if request.method == "POST" else None)
    managed = alerts.alerts_of(address) if address else []
    changed = request.GET.get("changed")
    return render(request, TEMPLATES + "manage.html", {
        "email": address,
        "alerts": managed,
        "follows_everything": any(alert.followed.kind == alerts.EVERYTHING for alert in managed),
        "frequencies": Subscription.Frequency.choices,
        "changed": changed if changed in MANAGE_CHANGES else None,
        "changed_alert": next((alert for alert in managed if str(alert.id) == request.GET.get("alert")), None),
    })
