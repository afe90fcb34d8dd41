"""Settings for the test suite: the real settings with test-only secrets."""
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("TRACKER_DEMO_MODE", "1")

from tracker.settings import *  # noqa: E402,F401,F403

# Fast hashing keeps the suite quick; production uses Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests render templates without a collectstatic manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise reads the whole collectstatic output each time a test client starts: a
# staticfiles/ folder left by the benchmark made every test slower (the suite 55 s to 66 s).
# The browser tests' live server serves static files from the finders instead.
STATIC_ROOT = None

# Playwright's sync API runs an event loop in the test thread; Django's guard
# against ORM calls from async code would otherwise stop the browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The test client and the browser tests' live server speak plain http, so the
# production https redirect and https-only cookies are off here. The
# production values are checked by `manage.py check --deploy` in
# tests/test_security_headers.py, which runs with the real settings.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# django-axes needs the request when authenticating, but the test client's
# client.login() passes none. Sign-in throttling is therefore off by default
# in tests, and tests/test_accounts.py turns it on with override_settings.
AXES_ENABLED = False

# Most tests sign people in with client.force_login(), which gives no second
# factor; tests/test_two_factor.py and the browser tests turn the requirement
# back on, as production has it (TRACKER_TWO_FACTOR_REQUIRED defaults to on).
TRACKER_TWO_FACTOR_REQUIRED = False

# The browser tests' live server answers each request in a thread of its own, which keeps its
# database connection while the browser keeps the HTTP connection open. Closing connections at
# the end of every request leaves fewer sessions open on the PostgreSQL test databases when the
# run drops them. The test client is not affected.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
