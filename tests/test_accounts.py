"""Sign-in throttling, password rules, password change and sessions."""
import pytest
from django.conf import settings
from django.test import Client, override_settings

from axes.models import AccessAttempt
from tests.helpers import make_user
from recommendations import roles

PASSWORD = "correct-horse-battery"

# client.login() passes no request, which django-axes needs, so tests/settings.py
# turns axes off; these tests turn it on and sign in through the real form.
axes_on = override_settings(AXES_ENABLED=True)


@pytest.fixture
def officer(db):
    return make_user("throttled-officer", roles.OFFICERS)


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@axes_on
def test_five_failed_sign_ins_lock_the_username_out(officer, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, officer.username, "wrong-password")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response = sign_in(client, officer.username, "wrong-password")
    assert response.status_code == 429
    assert b"Sign-in locked for a while" in response.content
    assert b"try again in 15 minutes" in response.content
    assert b"Traceback" not in response.content
    assert "registration/locked_out.html" in [template.name for template in response.templates]

    # Even the right password is refused while locked out.
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@axes_on
def test_lockout_is_per_username_and_address(officer, client):
    other = make_user("other-officer", roles.OFFICERS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, officer.username, "wrong-password")
    # Another username from the same address can still sign in.
    response = sign_in(client, other.username, PASSWORD)
    assert response.status_code == 302
    # The locked username from another address can too.
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert sign_in(elsewhere, officer.username, PASSWORD).status_code == 302


@axes_on
def test_lockout_ends_after_the_cool_off(officer, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, officer.username, "wrong-password")
    assert sign_in(client, officer.username, PASSWORD).status_code == 429
    # Move the recorded failures back past the cool-off time.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert sign_in(client, officer.username, PASSWORD).status_code == 302


@axes_on
def test_a_successful_sign_in_resets_the_count(officer, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, officer.username, "wrong-password")
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, officer.username, "wrong-password")
    assert sign_in(client, officer.username, PASSWORD).status_code == 302


def test_password_change_page_is_for_signed_in_users_only(client, db):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change_is_linked_from_the_signed_in_navigation(officer, client):
    client.force_login(officer)
    response = client.get("/accounts/password_change/")
    assert response.status_code == 200
    assert b'href="/accounts/password_change/"' in response.content
    assert b'class="govuk-input' in response.content


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("Sh0rt-pass", "This password is too short. It must contain at least 12 characters."),
        ("123456789012345", "This password is entirely numeric."),
        ("administrator", "This password is too common."),
        ("throttled-officer1", "The password is too similar to the username."),
    ],
)
def test_weak_new_passwords_are_refused(officer, client, new_password, message):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_signs_out_other_sessions(officer):
    laptop, phone = Client(), Client()
    laptop.force_login(officer)
    phone.force_login(officer)
    assert phone.get("/accounts/password_change/").status_code == 200

    new_password = "a-much-longer-passphrase-2024"
    response = laptop.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert b"Your password has been changed" in laptop.get(response["Location"]).content

    # The session that changed the password stays signed in; the other is signed out.
    assert laptop.get("/accounts/password_change/").status_code == 200
    response = phone.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    officer.refresh_from_db()
    assert officer.check_password(new_password)


def test_sessions_end_after_eight_hours_or_when_the_browser_closes(officer, client):
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 302
    # The session cookie has no expiry date, so the browser drops it when it closes...
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expire_at_browser_close()
    # ...and the server forgets the session after 8 hours in any case.
    assert client.session.get_expiry_age() == 8 * 60 * 60


def change_password(client, old):
    return client.post("/accounts/password_change/", {
        "old_password": old, "new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase",
    })


@axes_on
def test_wrong_current_passwords_on_the_change_form_are_throttled(officer, client):
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change_password(client, "not-my-password")
        assert response.status_code == 200
        assert b"Your old password was entered incorrectly" in response.content
    response = change_password(client, "not-my-password")
    assert response.status_code == 429  # locked, as on the sign-in page
    # Even the right current password is refused while locked out.
    response = change_password(client, PASSWORD)
    assert response.status_code in (200, 429)
    assert b"Password change successful" not in response.content
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


@axes_on
@override_settings(TRACKER_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_lockout_is_per_client_not_per_proxy(officer):
    """Everyone arrives from the proxy's address: one person's failures must not lock out another,
    and what a client writes into X-Forwarded-For itself is not believed."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        # The proxy appends the address it saw; the attacker's own forged entries come before it.
        attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 203.0.113.5")
        sign_in(attacker, officer.username, "wrong-password")
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5")
    assert sign_in(attacker, officer.username, PASSWORD).status_code == 429
    victim = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(victim, officer.username, PASSWORD).status_code == 302


@axes_on
def test_without_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(officer):
    for number in range(settings.AXES_FAILURE_LIMIT):
        forger = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        sign_in(forger, officer.username, "wrong-password")
    forger = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert sign_in(forger, officer.username, PASSWORD).status_code == 429
