"""
Two-factor sign-in (django-otp): a code from an authenticator app (TOTP), or a
one-off recovery code, after the password.

Rules, here and nowhere else:
- reviewers, administrators and every staff account (anyone who can reach the
  admin, however few its permissions), who can publish and change the public
  record, must use it (TRACKER_TWO_FACTOR_REQUIRED, on unless turned off);
  officers may opt in, and once they have set it up it is asked of them too;
- until a person who must use it has entered a code in this session, the
  pages that publish or show unpublished work ask for one (middleware.py);
- in demo mode, the fictional demo accounts are exempt, so the demo can be
  tried without an authenticator app;
- setting up gives ten recovery codes, shown once, each usable once;
- an app already set up is replaced only after a code from it in this session.
"""
from django.conf import settings
from django_otp import devices_for_user, login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations.policies import is_administrator, is_reviewer

APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
RECOVERY_CODES = 10


def is_required_for(user):
    if not settings.TRACKER_TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if settings.DEMO_MODE and user.is_demo:
        return False
    return user.is_staff or is_reviewer(user) or is_administrator(user)


def is_set_up(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_code(user):
    """Signed in with the password only, but a code is due: required, or set up by choice."""
    if not user.is_authenticated or user.is_verified():
        return False
    return is_required_for(user) or is_set_up(user)


def may_set_up(user):
    """Setting up (or replacing) the app: only with no app yet, or after a code from it this session."""
    return not is_set_up(user) or user.is_verified()


def start_setup(user):
    """A new, unconfirmed authenticator device (replacing any unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def pending_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _clean(code):
    """A code as typed, without the spaces people put in to read it."""
    return "".join(code.split())


def finish_setup(request, device, code):
    """Confirm the device with a code from the app; sign this session in with it and
    return the new recovery codes. Returns None if the code is wrong."""
    if not device.verify_token(_clean(code)):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save()
    otp_login(request, device)
    return new_recovery_codes(device.user)


def new_recovery_codes(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    device.token_set.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def check_code(request, code):
    """Sign this session in with a code from the app or a recovery code. True if it was right."""
    code = _clean(code)
    for device in devices_for_user(request.user, confirmed=True):
        if device.verify_token(code):
            otp_login(request, device)
            return True
    return False
