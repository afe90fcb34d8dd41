"""
System checks of the tracker's own settings and files.

With `manage.py check --deploy`: the settings a deployment must set before the
tracker writes to anyone (README, "Configuration"). Each is a warning, so a
deployment still starts, but the check names what to set: the public contact
address, the address e-mails come from, the site address used in their links and
the safeguarding contact for the public's feedback must not be placeholders, and outside debug e-mail must go to a mail server, not
to the console or memory.

With every `manage.py check`: each entry of the support services file that the
pages leave out, and why (services/support_services.py).
"""
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

from recommendations.services import support_services

# Names reserved for examples and tests (RFC 2606, RFC 6761), which never reach anyone.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net", "example", "invalid", "test", "localhost")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "0.0.0.0")
BACKENDS_THAT_SEND_NOTHING = {
    "django.core.mail.backends.console.EmailBackend": "the console",
    "django.core.mail.backends.locmem.EmailBackend": "memory",
    "django.core.mail.backends.filebased.EmailBackend": "files",
    "django.core.mail.backends.dummy.EmailBackend": "nowhere",
}


def is_placeholder_domain(domain):
    """True for an empty domain, a loopback address, or a name reserved for examples and tests."""
    domain = (domain or "").strip().lower().rstrip(".")
    if not domain or domain in LOOPBACK_HOSTS or domain.startswith("127."):
        return True
    return any(domain == reserved or domain.endswith("." + reserved) for reserved in PLACEHOLDER_DOMAINS)


def is_placeholder_address(address):
    """True unless the e-mail address is on a real domain."""
    _, _, domain = (address or "").rpartition("@")
    return is_placeholder_domain(domain)


@register(deploy=True)
def check_contact_address(app_configs, **kwargs):
    if is_placeholder_address(settings.TRACKER_CONTACT_EMAIL):
        return [Warning(
            f"The public contact address is a placeholder ({settings.TRACKER_CONTACT_EMAIL!r}): people's feedback "
            "and reports of mistakes would go nowhere.",
            hint="Set TRACKER_CONTACT_EMAIL to the council's service mailbox.",
            id="recommendations.W001",
        )]
    return []


@register(deploy=True)
def check_from_address(app_configs, **kwargs):
    if is_placeholder_address(settings.DEFAULT_FROM_EMAIL):
        return [Warning(
            f"E-mails would come from a placeholder address ({settings.DEFAULT_FROM_EMAIL!r}): mail servers "
            "refuse or bin them.",
            hint="Set TRACKER_FROM_EMAIL to an address on the council's own mail domain.",
            id="recommendations.W002",
        )]
    return []


@register(deploy=True)
def check_site_address(app_configs, **kwargs):
    site_url = settings.SITE_URL
    if is_placeholder_domain(urlsplit(site_url).hostname):
        state = f"a placeholder ({site_url!r})" if site_url else "not set"
        return [Warning(
            f"The site address used in e-mail links is {state}: the links in alerts, reminders and "
            "notifications would not work.",
            hint="Set TRACKER_SITE_URL to the tracker's public address, like https://tracker.rotherham.gov.uk.",
            id="recommendations.W003",
        )]
    if urlsplit(site_url).scheme != "https" and not settings.DEBUG:
        return [Warning(
            f"The site address used in e-mail links ({site_url!r}) is not https.",
            hint="Set TRACKER_SITE_URL to the https:// address the tracker is served on.",
            id="recommendations.W004",
        )]
    return []


@register(deploy=True)
def check_email_is_sent(app_configs, **kwargs):
    destination = BACKENDS_THAT_SEND_NOTHING.get(settings.EMAIL_BACKEND)
    if destination and not settings.DEBUG:
        return [Warning(
            f"E-mail goes to {destination} ({settings.EMAIL_BACKEND}), not to a mail server: no alert, reminder "
            "or notification would reach anyone.",
            hint="Set TRACKER_EMAIL_HOST (and TRACKER_EMAIL_PORT, TRACKER_EMAIL_USER, TRACKER_EMAIL_PASSWORD, "
                 "TRACKER_EMAIL_USE_TLS or TRACKER_EMAIL_USE_SSL) to the council's mail server.",
            id="recommendations.W005",
        )]
    return []


@register(deploy=True)
def check_safeguarding_contact(app_configs, **kwargs):
    """Feedback marked as a safeguarding concern goes to this address (services/feedback.py)."""
    if is_placeholder_address(settings.TRACKER_SAFEGUARDING_EMAIL):
        state = (f"a placeholder ({settings.TRACKER_SAFEGUARDING_EMAIL!r})" if settings.TRACKER_SAFEGUARDING_EMAIL
                 else "not set")
        return [Warning(
            f"The safeguarding contact is {state}: feedback a reviewer marks as a safeguarding concern could not "
            "be passed on, so reviewers cannot mark it so.",
            hint="Set TRACKER_SAFEGUARDING_EMAIL to the council's safeguarding team's mailbox (an organisation's "
                 "address, not a person's).",
            id="recommendations.W030",
        )]
    return []


@register()
def check_support_services(app_configs, **kwargs):
    return [
        Warning(problem, hint=f"Correct it in {support_services.path()}.", id="recommendations.W010")
        for problem in support_services.load().problems
    ]


@register()
def check_two_factor_required(app_configs, **kwargs):
    """With every `manage.py check`: two-factor sign-in turned off outside debug, where anyone who
    can reach the admin or publish would sign in with a password alone (services/two_factor.py)."""
    if settings.TRACKER_TWO_FACTOR_REQUIRED or settings.DEBUG:
        return []
    return [Warning(
        "Two-factor sign-in is off (TRACKER_TWO_FACTOR_REQUIRED): reviewers, administrators and staff "
        "accounts sign in with a password alone.",
        hint="Unset TRACKER_TWO_FACTOR_REQUIRED, or set it to 1.",
        id="recommendations.W020",
    )]
