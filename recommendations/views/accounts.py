import base64
from urllib.parse import urlencode

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from recommendations.forms import ThrottledPasswordChangeForm, TwoFactorCodeForm
from recommendations import policies
from recommendations.services import two_factor


@login_required
def signed_in_home(request):
    """Send each role to the page where its work starts."""
    if policies.updates.may(request.user, "review_update"):
        return redirect("workflow:my-items")
    if policies.dashboards.may(request.user, "view_board"):
        return redirect("board:overview")
    return redirect("workflow:my-items")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with GOV.UK inputs and throttled like signing in.

    Django keeps this session signed in and, through the session auth hash,
    signs out every other session of the user.
    """

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "govuk-input govuk-!-width-two-thirds"
        return form


def _next_page(request):
    """Where to go once the code is in: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("signed-in-home")


@login_required
def two_factor_setup(request):
    """Add an authenticator app: scan the QR code (or type the key), then enter a code from it."""
    if not two_factor.may_set_up(request.user):
        # Replacing an app needs a code from the current one first, or a password alone would do.
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.get_full_path()})}")
    device = two_factor.pending_device(request.user)
    if device is None or request.method != "POST":
        device = two_factor.start_setup(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.finish_setup(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_page(request)})
        form.add_error("code", "The code is not right: enter the code your app shows now")
    key = device.bin_key
    secret = base64.b32encode(key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return render(request, "registration/two_factor_setup.html", {
        "form": form,
        "required": two_factor.is_required_for(request.user),
        "already_set_up": two_factor.is_set_up(request.user),
        "secret": " ".join(secret[index:index + 4] for index in range(0, len(secret), 4)),
        # The QR code of the device's own URL as an SVG image in a data: address, which the page
        # shows with <img>: no markup made here goes into the page.
        "qr_data_uri": qr.svg_data_uri(scale=4),
        "next": _next_page(request),
    })


@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    if not two_factor.is_set_up(request.user):
        return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': request.GET.get('next', '')})}")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.check_code(request, form.cleaned_data["code"]):
            return redirect(_next_page(request))
        form.add_error("code", "The code is not right: enter the code your app shows now, or a recovery code")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_page(request)})
