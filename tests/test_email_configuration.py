"""
A deployment's e-mail and site address from the environment (tracker/settings.py), and the
warnings `manage.py check --deploy` gives while they are placeholders (recommendations/checks.py).
"""
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.checks import run_checks

SETTINGS_SHOWN = [
    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
    "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL", "SITE_URL",
]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Real-looking values, none a placeholder: nothing is sent by these tests.
PRODUCTION_VALUES = {
    "TRACKER_SITE_URL": "https://tracker.rotherham.gov.uk",
    "TRACKER_CONTACT_EMAIL": "inquiry-tracker@rotherham.gov.uk",
    "TRACKER_FROM_EMAIL": "tracker-no-reply@rotherham.gov.uk",
    "TRACKER_EMAIL_HOST": "smtp.rotherham.gov.uk",
}


def run_production(command, **environment):
    """`command` with the real settings (not the test settings) and only the environment given."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TRACKER_"))}
    clean.update(DJANGO_SETTINGS_MODULE="tracker.settings", DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
                 DJANGO_ALLOWED_HOSTS="tracker.rotherham.gov.uk")
    clean.update(environment)
    return subprocess.run(command, cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
                          check=False)


def production_settings(**environment):
    """The e-mail settings tracker.settings makes of this environment."""
    script = f"import json, tracker.settings as s; print(json.dumps({{n: getattr(s, n) for n in {SETTINGS_SHOWN!r}}}))"
    result = run_production([sys.executable, "-c", script], **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_error(**environment):
    result = run_production([sys.executable, "-c", "import tracker.settings"], **environment)
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


# --- Settings from the environment ---------------------------------------------------


def test_the_mail_server_comes_from_the_environment():
    assert production_settings(
        TRACKER_EMAIL_HOST="smtp.rotherham.gov.uk", TRACKER_EMAIL_PORT="2525", TRACKER_EMAIL_USER="tracker",
        TRACKER_EMAIL_PASSWORD="s3cret", TRACKER_EMAIL_USE_TLS="1", TRACKER_FROM_EMAIL="tracker@rotherham.gov.uk",
        TRACKER_SITE_URL="https://tracker.rotherham.gov.uk/",
    ) == {
        "EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.rotherham.gov.uk", "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "tracker", "EMAIL_HOST_PASSWORD": "s3cret", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "tracker@rotherham.gov.uk", "SITE_URL": "https://tracker.rotherham.gov.uk",
    }


def test_the_port_follows_tls_or_ssl_unless_given():
    host = "smtp.rotherham.gov.uk"
    assert production_settings(TRACKER_EMAIL_HOST=host, TRACKER_EMAIL_USE_SSL="1")["EMAIL_PORT"] == 465
    assert production_settings(TRACKER_EMAIL_HOST=host, TRACKER_EMAIL_USE_TLS="1")["EMAIL_PORT"] == 587
    assert production_settings(TRACKER_EMAIL_HOST=host)["EMAIL_PORT"] == 25


def test_without_a_mail_server_e_mail_goes_to_the_console_and_links_to_the_first_allowed_host():
    shown = production_settings()
    assert (shown["EMAIL_BACKEND"], shown["SITE_URL"]) == (CONSOLE, "https://tracker.rotherham.gov.uk")
    assert production_settings(DJANGO_ALLOWED_HOSTS=".rotherham.gov.uk")["SITE_URL"] == ""


def test_the_earlier_names_still_work():
    shown = production_settings(DJANGO_DEFAULT_FROM_EMAIL="old@rotherham.gov.uk",
                                DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    assert shown["DEFAULT_FROM_EMAIL"] == "old@rotherham.gov.uk"
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"
    # The new name wins where both are set.
    both = production_settings(DJANGO_DEFAULT_FROM_EMAIL="old@rotherham.gov.uk",
                               TRACKER_FROM_EMAIL="new@rotherham.gov.uk")
    assert both["DEFAULT_FROM_EMAIL"] == "new@rotherham.gov.uk"


@pytest.mark.parametrize("environment, message", [
    ({"TRACKER_EMAIL_USE_TLS": "1", "TRACKER_EMAIL_USE_SSL": "1"},
     "Set TRACKER_EMAIL_USE_TLS (STARTTLS, usually port 587) or TRACKER_EMAIL_USE_SSL (usually port 465), not both."),
    ({"TRACKER_EMAIL_PORT": "smtp"}, "TRACKER_EMAIL_PORT must be a port number (like 587), not 'smtp'."),
    ({"TRACKER_SITE_URL": "tracker.rotherham.gov.uk"},
     "TRACKER_SITE_URL must be the tracker's public address with https://, like https://tracker.rotherham.gov.uk, "
     "not 'tracker.rotherham.gov.uk'."),
], ids=["tls-and-ssl", "port", "site-without-scheme"])
def test_a_setting_that_cannot_work_stops_the_start_with_a_clear_message(environment, message):
    assert settings_error(**environment) == f"django.core.exceptions.ImproperlyConfigured: {message}"


# --- manage.py check --deploy ---------------------------------------------------------


def test_check_deploy_names_every_placeholder_and_the_console():
    result = run_production([sys.executable, "manage.py", "check", "--deploy"],
                            DJANGO_ALLOWED_HOSTS="tracker.example.org")
    for check_id in ("recommendations.W001", "recommendations.W002", "recommendations.W003", "recommendations.W005"):
        assert check_id in result.stderr + result.stdout, check_id
    # Only with --deploy: a developer's `manage.py check` stays quiet.
    quiet = run_production([sys.executable, "manage.py", "check"])
    assert quiet.returncode == 0 and "recommendations.W" not in quiet.stdout + quiet.stderr


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.TRACKER_TWO_FACTOR_REQUIRED = True  # as in production (off, it has a warning of its own)
    settings.TRACKER_CONTACT_EMAIL = PRODUCTION_VALUES["TRACKER_CONTACT_EMAIL"]
    settings.DEFAULT_FROM_EMAIL = PRODUCTION_VALUES["TRACKER_FROM_EMAIL"]
    settings.SITE_URL = PRODUCTION_VALUES["TRACKER_SITE_URL"]
    settings.EMAIL_BACKEND = SMTP
    settings.TRACKER_SAFEGUARDING_EMAIL = "safeguarding@rotherham.gov.uk"
    return settings


def our_warnings():
    return sorted(message.id for message in run_checks(include_deployment_checks=True)
                  if message.id.startswith("recommendations."))


@pytest.mark.parametrize("name, value, check_id", [
    ("TRACKER_CONTACT_EMAIL", "inquiry-tracker@council.example", "recommendations.W001"),
    ("TRACKER_CONTACT_EMAIL", "feedback@example.com", "recommendations.W001"),
    ("TRACKER_CONTACT_EMAIL", "", "recommendations.W001"),
    ("DEFAULT_FROM_EMAIL", "tracker@example.org", "recommendations.W002"),
    ("DEFAULT_FROM_EMAIL", "webmaster@localhost", "recommendations.W002"),
    ("DEFAULT_FROM_EMAIL", "no-reply@tracker.invalid", "recommendations.W002"),
    ("SITE_URL", "", "recommendations.W003"),
    ("SITE_URL", "https://tracker.example.org", "recommendations.W003"),
    ("SITE_URL", "http://127.0.0.1:8000", "recommendations.W003"),
    ("SITE_URL", "http://localhost:8000", "recommendations.W003"),
    ("SITE_URL", "https://tracker.test", "recommendations.W003"),
    ("SITE_URL", "http://tracker.rotherham.gov.uk", "recommendations.W004"),
    ("EMAIL_BACKEND", CONSOLE, "recommendations.W005"),
    ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "recommendations.W005"),
    ("TRACKER_SAFEGUARDING_EMAIL", "", "recommendations.W030"),
    ("TRACKER_SAFEGUARDING_EMAIL", "safeguarding@council.example", "recommendations.W030"),
])
def test_each_placeholder_gets_its_warning(production_like, name, value, check_id):
    assert our_warnings() == []
    setattr(production_like, name, value)
    assert our_warnings() == [check_id]


def test_e_mail_to_the_console_is_fine_in_debug_only(production_like):
    production_like.EMAIL_BACKEND = CONSOLE
    assert our_warnings() == ["recommendations.W005"]
    production_like.DEBUG = True
    assert our_warnings() == []
