"""Two-factor sign-in for the people who can publish (reviewers and administrators);
officers may opt in; demo accounts are exempt in demo mode."""
import re
import time

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations import roles
from tests.helpers import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]


@pytest.fixture
def two_factor_on(settings):
    settings.TRACKER_TWO_FACTOR_REQUIRED = True


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = None
    return f"{totp.token():0{device.digits}d}"


def set_up(client, user, next_page="/board/"):
    page = client.get(f"/accounts/two-factor/setup/?next={next_page}")
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = re.search(r"data-two-factor-key>([A-Z2-7 ]+)<", page.content.decode()).group(1).replace(" ", "")
    assert key  # the typed key, for phones that cannot scan
    response = client.post("/accounts/two-factor/setup/", {"code": code_for(device), "next": next_page})
    assert b"Two-factor sign-in is on" in response.content
    return re.findall(r'<code class="tracker-hash">(\w+)</code>', response.content.decode())


@pytest.mark.parametrize("protected", ["/board/", "/work/review/", "/admin/"])
def test_a_reviewer_with_only_a_password_is_sent_to_set_it_up(client, reviewer, protected):
    reviewer.is_staff = True
    reviewer.save()
    sign_in(client, reviewer)
    response = client.get(protected)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")


def test_set_up_then_sign_in_again_with_a_code_or_a_recovery_code(client, reviewer):
    sign_in(client, reviewer)
    codes = set_up(client, reviewer)
    assert len(codes) == 10
    assert client.get("/board/").status_code == 200  # this session is verified

    client.post("/accounts/logout/")
    sign_in(client, reviewer)
    response = client.get("/board/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    wrong = client.post("/accounts/two-factor/", {"code": "000000", "next": "/board/"})
    assert b"The code is not right" in wrong.content
    time.sleep(1.1)  # django-otp refuses every code for 2^(failures-1) seconds after a wrong one
    assert client.post("/accounts/two-factor/", {"code": codes[0], "next": "/board/"})["Location"] == "/board/"
    assert client.get("/board/").status_code == 200

    client.post("/accounts/logout/")
    sign_in(client, reviewer)
    refused = client.post("/accounts/two-factor/", {"code": codes[0], "next": "/board/"})  # each code works once
    assert b"The code is not right" in refused.content


def test_a_password_alone_cannot_replace_the_app(client, reviewer):
    sign_in(client, reviewer)
    set_up(client, reviewer)
    client.post("/accounts/logout/")
    sign_in(client, reviewer)
    response = client.get("/accounts/two-factor/setup/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


def test_officers_may_opt_in_and_are_then_asked_for_a_code(client, council_officer):
    sign_in(client, council_officer)
    assert client.get("/work/").status_code == 200  # not required of officers
    set_up(client, council_officer, next_page="/work/")
    client.post("/accounts/logout/")
    sign_in(client, council_officer)
    assert client.get("/work/")["Location"].startswith("/accounts/two-factor/")


def test_the_next_page_must_be_on_the_tracker(client, reviewer):
    sign_in(client, reviewer)
    codes = set_up(client, reviewer)
    client.post("/accounts/logout/")
    sign_in(client, reviewer)
    response = client.post("/accounts/two-factor/", {"code": codes[1], "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/home/"


@override_settings(DEMO_MODE=True)
def test_demo_accounts_are_exempt_in_demo_mode(client, seeded):
    demo = make_user("demo-board", roles.REVIEWERS, is_demo=True)
    sign_in(client, demo)
    assert client.get("/board/").status_code == 200


@override_settings(DEMO_MODE=False)
def test_outside_demo_mode_no_account_is_exempt(client, seeded):
    demo = make_user("demo-board", roles.REVIEWERS, is_demo=True)
    sign_in(client, demo)
    assert client.get("/board/").status_code == 302


def test_production_settings_require_it():
    from tracker import settings as production

    assert production.TRACKER_TWO_FACTOR_REQUIRED is True
