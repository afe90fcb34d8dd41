"""Signing in to the admin as production requires: a password, then a two-factor code."""
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations.services import two_factor
from tests.helpers import PASSWORD


def sign_in_with_two_factor(client, user, settings):
    """Sign `user` in with their password and one of their recovery codes, with two-factor required."""
    settings.TRACKER_TWO_FACTOR_REQUIRED = True
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE, confirmed=True)
    code = two_factor.new_recovery_codes(user)[0]
    response = client.post("/accounts/two-factor/", {"code": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response
    assert client.get("/admin/").status_code == 200
    return client
