"""Security headers, the Content Security Policy and the production settings check."""
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/items/", "/accounts/login/", "/admin/login/", "/no-such-page/"])
def test_responses_carry_the_csp_and_security_headers(seeded, client, url):
    response = client.get(url)
    directives = sorted(part.strip() for part in response["Content-Security-Policy"].split(";"))
    assert directives == sorted(part.strip() for part in EXPECTED_CSP.split(";"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(seeded, client):
    for url in ["/", "/items/", "/items/JAY-04/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<script " not in html.replace('<script type="module" src=', "")
        assert " style=" not in html and "<style" not in html


def test_https_is_enforced_outside_debug():
    """tracker.settings, not the test settings, decide this; see check --deploy below."""
    script = (
        "import tracker.settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, hasattr(s, 'SECURE_PROXY_SSL_HEADER'))"
    )
    output = run_with_production_environment([sys.executable, "-c", script]).stdout.split()
    assert output == ["True", "True", "True", "31536000", "True", "True", "False"]
    output = run_with_production_environment(
        [sys.executable, "-c", script], DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_PROXY_SSL_HEADER="1"
    ).stdout.split()
    assert output[0] == "False" and output[-1] == "True"


def test_check_deploy_reports_nothing_with_production_settings():
    # Real addresses and a mail server, as a deployment sets them: with the placeholders the
    # check warns (tests/test_email_configuration.py).
    result = run_with_production_environment(
        [sys.executable, "manage.py", "check", "--deploy"],
        TRACKER_SITE_URL="https://tracker.rotherham.gov.uk",
        TRACKER_CONTACT_EMAIL="inquiry-tracker@rotherham.gov.uk",
        TRACKER_FROM_EMAIL="tracker-no-reply@rotherham.gov.uk",
        TRACKER_EMAIL_HOST="smtp.rotherham.gov.uk",
        TRACKER_SAFEGUARDING_EMAIL="safeguarding@rotherham.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def run_with_production_environment(command, **extra):
    environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TRACKER_", "AXES_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
        **extra,
    )
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
