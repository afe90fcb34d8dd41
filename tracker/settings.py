"""
Settings for the inquiry-recommendations tracker.

Everything that differs between a laptop and production comes from the
environment, and the defaults are the safe ones: DEBUG is off unless
DJANGO_DEBUG=1, and a missing secret key stops a production start.
"""
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """An on/off flag: 1, true, yes or on; 0, false, no or off (any case); unset or blank is the default.

    Any other value stops the start: a mistyped value must neither quietly turn
    a safeguard off nor be guessed at.
    """
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is neither on nor off: use 1, true, yes or on, or 0, false, no or off."
    )


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Demo accounts and demo progress may only be created where this is on.
DEMO_MODE = env_bool("TRACKER_DEMO_MODE", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recommendations.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers anonymous requests for cached public pages before sessions and the rest.
    "recommendations.public.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "recommendations.middleware.TwoFactorMiddleware",
    "recommendations.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "recommendations.middleware.DatabaseUnavailableMiddleware",
    # Axes must come last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

# The tracker's pages are Jinja2 templates calling the GOV.UK Frontend macros
# (tracker/jinja2.py); Django's own template language remains for Django's admin.
# Jinja2 comes first, so a page is found under a jinja2/ folder.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "tracker" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "tracker.jinja2.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# DATABASE_URL points at PostgreSQL in production, e.g.
# postgres://user:password@host:5432/tracker. Without it, an embedded SQLite
# file is used so the app runs anywhere.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A database that accepts connections but does not answer must give people
# the 503 page within seconds, not hang every worker until gunicorn's own
# time-out (30 s) kills it: connecting gives up after
# DATABASE_CONNECT_TIMEOUT seconds (twice that where libpq tries with and then
# without TLS, as with the default sslmode=prefer), and the server stops any
# one statement after DATABASE_STATEMENT_TIMEOUT_MS milliseconds.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "15000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
    })

AUTH_USER_MODEL = "recommendations.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out sign-in is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): after 5 failed attempts for the same
# username from the same address, that pair is locked out for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failed sign-ins are counted in the database, never in the cache: the cache is
# allowed to fail open (tracker/cache.py), a lockout is not.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy every request comes from the proxy's address, so one
# person's wrong passwords would lock out everyone using that username. Set
# TRACKER_TRUSTED_PROXY_COUNT to the number of proxies in front of the app
# (1 for one load balancer) and the client's address is read from the end of
# X-Forwarded-For, trusting only what the proxies added (tracker/proxies.py).
# With 0 (the default) X-Forwarded-For is ignored: a client could write anything there.
TRACKER_TRUSTED_PROXY_COUNT = int(os.environ.get("TRACKER_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "tracker.proxies.client_ip"

# Two-factor sign-in (django-otp) for reviewers and for every staff account
# (anyone who can reach the admin); officers may opt in. Only an explicit off
# value turns it off, and then `manage.py check` warns outside debug
# (recommendations/checks.py). See recommendations/services/two_factor.py.
TRACKER_TWO_FACTOR_REQUIRED = env_bool("TRACKER_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Rotherham recommendations tracker"

# Sessions end after 8 hours or when the browser closes, whichever is first.
# Changing a password signs out every other session (Django's session auth hash).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "signed-in-home"
LOGOUT_REDIRECT_URL = "public:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The GOV.UK Frontend styles are compiled by `npm run build` into build/static.
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Outgoing e-mail (alerts, reminders, escalations, review notifications). With
# TRACKER_EMAIL_HOST set, e-mail goes to that SMTP server; without it, it is
# written to the console (development). DJANGO_EMAIL_BACKEND overrides either.
# `manage.py check --deploy` warns about placeholders and the console outside
# debug (recommendations/checks.py); every message is built in one place
# (recommendations/services/outgoing_mail.py).
_email_host = os.environ.get("TRACKER_EMAIL_HOST", "").strip()
EMAIL_HOST = _email_host or "localhost"
EMAIL_HOST_USER = os.environ.get("TRACKER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TRACKER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TRACKER_EMAIL_USE_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("TRACKER_EMAIL_USE_SSL")  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set TRACKER_EMAIL_USE_TLS (STARTTLS, usually port 587) or TRACKER_EMAIL_USE_SSL (usually port 465), "
        "not both."
    )
_email_port = os.environ.get("TRACKER_EMAIL_PORT", "").strip()
if _email_port and not (_email_port.isdigit() and 0 < int(_email_port) < 65536):
    raise ImproperlyConfigured(f"TRACKER_EMAIL_PORT must be a port number (like 587), not {_email_port!r}.")
EMAIL_PORT = int(_email_port) if _email_port else 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
# Seconds to wait for the mail server, so a cron run cannot hang on it.
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if _email_host else "django.core.mail.backends.console.EmailBackend"
)
# TRACKER_FROM_EMAIL; DJANGO_DEFAULT_FROM_EMAIL is its earlier name and still works.
DEFAULT_FROM_EMAIL = (
    os.environ.get("TRACKER_FROM_EMAIL") or os.environ.get("DJANGO_DEFAULT_FROM_EMAIL") or "tracker@example.org"
)


def site_url_from(value):
    """TRACKER_SITE_URL as the links in e-mails use it: scheme and host, no slash at the end."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"TRACKER_SITE_URL must be the tracker's public address with https://, like "
            f"https://tracker.rotherham.gov.uk, not {value!r}."
        )
    return value.strip().rstrip("/")


# The tracker's own address, for the links in e-mails (which have no page to be
# relative to) and the domain of their Message-IDs: by default the local server
# in debug, else https on the first allowed host that is a plain host name.
if os.environ.get("TRACKER_SITE_URL", "").strip():
    SITE_URL = site_url_from(os.environ["TRACKER_SITE_URL"])
elif DEBUG:
    SITE_URL = "http://127.0.0.1:8000"
else:
    _plain_hosts = [host for host in ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
    SITE_URL = f"https://{_plain_hosts[0]}" if _plain_hosts else ""

# Where the public sends feedback and reports of mistakes in the record: the
# council's service mailbox (the default is a placeholder: set the real one).
# A telephone number is shown too if one is set.
TRACKER_CONTACT_EMAIL = os.environ.get("TRACKER_CONTACT_EMAIL", "inquiry-tracker@council.example")
TRACKER_CONTACT_PHONE = os.environ.get("TRACKER_CONTACT_PHONE", "")

# "Is this right? Tell the board" (recommendations/services/feedback.py). Feedback a reviewer marks as a
# safeguarding concern is e-mailed at once to this address: an organisation's mailbox (the council's
# safeguarding contact), never a person's. Unset, nothing can be marked so (check --deploy warns).
TRACKER_SAFEGUARDING_EMAIL = os.environ.get("TRACKER_SAFEGUARDING_EMAIL", "").strip()
# Days after feedback is closed before its text, reply address, private reply and hashed client
# address are deleted (manage.py delete_old_feedback); published summaries stay.
TRACKER_FEEDBACK_RETENTION_DAYS = int(os.environ.get("TRACKER_FEEDBACK_RETENTION_DAYS", "90"))
# The most feedback that may wait for a reviewer at once: a flood is refused, not stored.
TRACKER_FEEDBACK_WAITING_LIMIT = int(os.environ.get("TRACKER_FEEDBACK_WAITING_LIMIT", "500"))

# The support services named on every public page, with the day each was checked:
# a file the council keeps (recommendations/services/support_services.py).
TRACKER_SUPPORT_SERVICES_FILE = os.environ.get(
    "TRACKER_SUPPORT_SERVICES_FILE", str(BASE_DIR / "recommendations" / "data" / "support_services.yaml")
)

# A bare reference view at /bench/bare/ (no database, no template) for the
# benchmark in bench/. The URL exists only where this is on.
TRACKER_BENCH_VIEW = env_bool("TRACKER_BENCH_VIEW")


def cache_from_url(url):
    """The cache behind TRACKER_CACHE_URL.

    redis://host:6379/1 (or rediss://) uses Redis; db://table_name the database
    (run `manage.py createcachetable` first); dummy:// caches nothing; unset or
    locmem:// keeps a cache inside each process. Public pages are cached here
    and dropped when something is published, so production with more than one
    app server must use Redis or the database: a cache inside each process
    would not hear of a publication made through another server.

    Redis is used through tracker.cache.FailOpenRedisCache: while it cannot be
    reached, or does not answer within TRACKER_CACHE_TIMEOUT seconds, pages are
    served from the database and Redis is left alone for
    TRACKER_CACHE_RETRY_AFTER seconds before the next try.
    """
    scheme, _, rest = url.partition("://")
    if scheme in {"redis", "rediss"}:
        timeout = float(os.environ.get("TRACKER_CACHE_TIMEOUT", "0.25"))
        return {
            "BACKEND": "tracker.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "tracker",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            "RETRY_AFTER": float(os.environ.get("TRACKER_CACHE_RETRY_AFTER", "5")),
        }
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest or "tracker_cache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}
    raise ImproperlyConfigured(f"TRACKER_CACHE_URL: unknown cache {url!r} (use redis://, db://, locmem:// or dummy://).")


# The admin shows each record's change history but offers no "Revert": the
# public record changes only through the workflow (recommendations.admin.HistoryAdmin).
SIMPLE_HISTORY_REVERT_DISABLED = True

CACHES = {"default": cache_from_url(os.environ.get("TRACKER_CACHE_URL", "locmem://"))}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Content Security Policy (django-csp): only our own scripts, styles, fonts and
# images; no inline scripts or styles; no framing; forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    # Production is served over https only.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers check health over plain http inside the network (tracker/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Behind a proxy that terminates https, set DJANGO_SECURE_PROXY_SSL_HEADER=1 so
# Django trusts its X-Forwarded-Proto header. Only do so if the proxy always
# sets (and overwrites) that header.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Opt in now to Django 6's default of https for scheme-less form URLs.
FORMS_URLFIELD_ASSUME_HTTPS = True

# Seconds an update has been published before e-mail alerts include it (services/alerts.py): an update
# published in a transaction still committing while send_alerts looks is then not skipped.
TRACKER_ALERT_DELAY_SECONDS = int(os.environ.get("TRACKER_ALERT_DELAY_SECONDS", "60"))

# The evidence link checker (recommendations/services/link_checker.py) opens only addresses on the public
# internet, so a link cannot make the server probe its own network; only the tests' local server needs this on.
LINK_CHECK_PRIVATE_ADDRESSES = False
