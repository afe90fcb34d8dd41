"""Two-factor sign-in for the people who can publish or reach the admin (reviewers,
administrators, every staff account); officers may opt in; demo accounts are exempt in
demo mode. The setting is an on/off flag that only an explicit off value turns off."""
import os
import re
import subprocess
import sys
import time

import pytest
import segno
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import checks
from django.test import override_settings
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations import roles
from recommendations.models import Theme, User
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
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The QR code of the device's own URL, as an image (no markup of segno's in the page).
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    assert f'<img src="{escape(qr)}" alt="QR code for your authenticator app">' in page.content.decode()
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


@pytest.fixture
def limited_staff(seeded):
    """A staff account given a few model permissions by hand: in no role group, not a superuser."""
    user = User.objects.create_user(username="limited-staff", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="recommendations", codename__in=["view_theme", "change_theme"],
    ))
    assert not user.groups.exists() and not user.is_superuser
    return user


def admin_pages():
    """Every admin page: the index, each app's index, each registered model's list and add page,
    a theme's change, history and delete pages, the password change, an unknown admin address,
    and the admin's own sign-in page."""
    theme = Theme.objects.order_by("pk").first()
    pages = ["/admin/", "/admin/password_change/", "/admin/no-such-page/", "/admin/login/"]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        pages += [f"/admin/{meta.app_label}/", f"/admin/{meta.app_label}/{meta.model_name}/"]
        pages.append(f"/admin/{meta.app_label}/{meta.model_name}/add/")
    pages += [f"/admin/recommendations/theme/{theme.pk}/{page}" for page in ["change/", "history/", "delete/"]]
    return sorted(set(pages))


def assert_every_admin_page_asks_for_the_code(client, step):
    for page in admin_pages():
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{step}?next="), page
    response = client.post("/admin/logout/")
    assert response["Location"].startswith(f"{step}?next="), "/admin/logout/"


def test_a_staff_account_with_a_few_permissions_gets_no_admin_page_without_a_code(client, limited_staff):
    theme = Theme.objects.order_by("pk").first()
    sign_in(client, limited_staff)
    assert_every_admin_page_asks_for_the_code(client, "/accounts/two-factor/setup/")

    codes = set_up(client, limited_staff, next_page="/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/recommendations/theme/").status_code == 200
    assert client.get(f"/admin/recommendations/theme/{theme.pk}/change/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"  # signed in already

    client.post("/accounts/logout/")
    sign_in(client, limited_staff)
    assert_every_admin_page_asks_for_the_code(client, "/accounts/two-factor/")
    assert client.post("/accounts/two-factor/", {"code": codes[0], "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/recommendations/theme/{theme.pk}/change/").status_code == 200
    assert client.post("/admin/logout/")["Location"] == "/"  # signed out (LOGOUT_REDIRECT_URL)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@override_settings(DEMO_MODE=True)
def test_a_demo_staff_account_is_exempt_only_in_demo_mode(client, seeded):
    demo = User.objects.create_user(username="demo-staff", password=PASSWORD, is_staff=True, is_demo=True)
    demo.user_permissions.add(Permission.objects.get(codename="view_theme"))
    sign_in(client, demo)
    assert client.get("/admin/recommendations/theme/").status_code == 200
    with override_settings(DEMO_MODE=False):
        assert client.get("/admin/recommendations/theme/")["Location"].startswith("/accounts/two-factor/setup/")


def required_with(value, variable="TRACKER_TWO_FACTOR_REQUIRED"):
    """TRACKER_TWO_FACTOR_REQUIRED as tracker.settings reads it when `variable` is `value` (None: unset)."""
    env = {**os.environ, "DJANGO_SECRET_KEY": "tests-only-secret"}
    env.pop(variable, None)
    if value is not None:
        env[variable] = value
    return subprocess.run(
        [sys.executable, "-c", "import tracker.settings as s; print(s.TRACKER_TWO_FACTOR_REQUIRED)"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True,
    )


# Every value as tracker.settings reads it: None is unset, and anything but on or off stops the start.
FLAG_VALUES = {
    None: "True", "": "True", "1": "True", "true": "True", "TRUE": "True", "yes": "True", "Yes": "True",
    "on": "True", " On ": "True",
    "0": "False", "false": "False", "False": "False", "no": "False", "NO": "False", "off": "False", " Off ": "False",
    "2": "refused", "enabled": "refused", "disabled": "refused", "of": "refused", "none": "refused", "y": "refused",
}


def test_the_flag_is_on_unless_explicitly_off_and_any_other_value_stops_the_start():
    read = {}
    for value in FLAG_VALUES:
        result = required_with(value)
        if result.returncode == 0:
            read[value] = result.stdout.strip()
        elif "ImproperlyConfigured: TRACKER_TWO_FACTOR_REQUIRED=" in result.stderr and \
                "use 1, true, yes or on, or 0, false, no or off" in result.stderr:
            read[value] = "refused"
        else:
            read[value] = result.stderr
    assert read == FLAG_VALUES
    for other_flag in ["DJANGO_DEBUG", "TRACKER_DEMO_MODE"]:  # read the same way
        assert f"ImproperlyConfigured: {other_flag}='enabled'" in required_with("enabled", other_flag).stderr


def two_factor_warnings():
    return [message for message in checks.run_checks() if message.id == "recommendations.W020"]


def test_the_system_check_warns_when_it_is_off_outside_debug(settings):
    settings.TRACKER_TWO_FACTOR_REQUIRED, settings.DEBUG = False, False
    (warning,) = two_factor_warnings()
    assert warning.level == checks.WARNING
    assert "Two-factor sign-in is off" in warning.msg

    settings.DEBUG = True
    assert two_factor_warnings() == []
    settings.TRACKER_TWO_FACTOR_REQUIRED, settings.DEBUG = True, False
    assert two_factor_warnings() == []
