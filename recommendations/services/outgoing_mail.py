"""
Every e-mail the tracker sends is built here, so each carries the same headers:

- From: DEFAULT_FROM_EMAIL (TRACKER_FROM_EMAIL);
- Auto-Submitted: auto-generated (RFC 3834): mail programs and servers send no
  out-of-office or other automatic answers to it;
- a Message-ID on the tracker's own domain (the host of SITE_URL), not the name
  of whichever machine ran the job, so a message can be traced to this tracker.

Links in the bodies are full addresses built from SITE_URL (notifications.link).
"""
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME


def site_domain():
    """The host of SITE_URL; the machine's own name (as Django finds it, once) if SITE_URL is not set."""
    return urlsplit(settings.SITE_URL).hostname or str(DNS_NAME)


def message(subject, body, to, headers=None):
    """An e-mail to the addresses in `to`, with the tracker's headers and any `headers` given."""
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers={"Auto-Submitted": "auto-generated", "Message-ID": make_msgid(domain=site_domain()), **(headers or {})},
    )


def send(subject, body, to):
    """Build and send one e-mail; the mail server's errors are raised, as send_mail's are."""
    message(subject, body, to).send()
