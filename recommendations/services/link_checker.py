"""
Checking that the published evidence links still open: `manage.py check_evidence_links`, run daily.

Links rot over the years a response takes. Each published evidence link
(EvidenceLink.objects.public(); evidence of drafts, submitted and returned
updates is never checked) is opened politely:

- one request at a time, and to the same host no sooner than `gap` seconds
  after the end of its last request (each redirect is a request too); links
  are taken host by host in turn, so the gap is rarely waited for;
- short time-outs to connect and to read (`connect_timeout`, `read_timeout`);
- a User-Agent that names the tracker and its address (settings.SITE_URL);
- HEAD first; GET only where HEAD is refused (405 or 501, or any other answer
  of 400 or more but 404 and 410: many servers answer HEAD wrongly), and then
  at most READ_LIMIT bytes of the body are read;
- at most MAX_REDIRECTS redirects are followed: a redirect to a page that
  opens is fine;
- only addresses on the public internet are opened (not loopback, private or
  link-local ones), and the connection goes to the very address that was
  checked, so a link cannot make the server probe its own network
  (settings.LINK_CHECK_PRIVATE_ADDRESSES allows them, for the tests' local server).

What each link answered is recorded (checked_at, check_answer): an HTTP status
("200 OK", "404 Not Found", "200 OK after 1 redirect") or a failure ("timed
out", "could not connect", "host name not found", ...). An answer below 400
opens. 404, 410 and 5xx answers and every failure to get an answer fail. Other
answers (401, 403, 429: the site is there but turned the checker away) are
recorded but are not failures. A link counts as broken (`broken`) when its
latest check failed and so did a check on an earlier day, with no success in
between (`failing_since`): a site down for an afternoon is never shown broken.

Safe to run twice: a link checked within `skip_hours` is skipped (with
`everything`, --all, every link not checked since the run began is checked).
Two runs at once never check or record a link twice: a run claims each link
with a conditional UPDATE (check_claimed_at) before opening it, and records
only under its own claim; the other run's claim finds nothing and skips it. A
claim older than CLAIM_EXPIRES (a run that died) is taken over.

Results are written by query updates, not save(): they are not part of the
record, so not in the change history or the publication log. The public
version is raised once at the end of a run in which a link became broken or
opened again, or a broken link was checked on a new day, so the public pages
say so.
"""
import datetime
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import zip_longest
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from recommendations import versions
from recommendations.models import EvidenceLink

MAX_REDIRECTS = 5
READ_LIMIT = 4096  # bytes of a GET's body read, at most
CLAIM_EXPIRES = datetime.timedelta(minutes=30)
REDIRECTS = {301, 302, 303, 307, 308}
GONE = {404, 410}
ANSWER_LENGTH = EvidenceLink._meta.get_field("check_answer").max_length


@dataclass(frozen=True)
class Limits:
    """How politely links are opened. The command's options set them."""

    connect_timeout: float = 5.0  # seconds to connect (and complete a secure connection)
    read_timeout: float = 10.0  # seconds to wait for each part of the answer
    gap: float = 1.0  # seconds between the end of one request to a host and the start of the next
    skip_hours: float = 20.0  # a link checked more recently is not checked again (without --all)


@dataclass(frozen=True)
class Answer:
    """What one link answered: `text` to record and show, whether it counts as a failure, and
    whether it opened (below 400; a 403 neither opened nor failed)."""

    text: str
    failed: bool
    opened: bool = False


class _Failure(Exception):
    """No usable answer; the message is what is recorded ("timed out")."""


def user_agent():
    """Names the tracker and where to find it, so a site's owner knows who is asking and why."""
    site = settings.SITE_URL or "no public address configured"
    return f"InquiryTracker-LinkChecker/1.0 (+{site}; checks that the evidence links it publishes still open)"


class Pacer:
    """One request at a time (the checker is single-threaded), and the same host no sooner than
    `gap` seconds after the end of its last request."""

    def __init__(self, gap, clock=time.monotonic, sleep=time.sleep):
        self.gap, self.clock, self.sleep = gap, clock, sleep
        self.finished = {}

    def wait_for(self, host):
        last = self.finished.get(host)
        if last is not None:
            wait = last + self.gap - self.clock()
            if wait > 0:
                self.sleep(wait)

    def done(self, host):
        self.finished[host] = self.clock()


def host_of(url):
    return (urlsplit(url).hostname or "").lower()


def _addresses_to_connect(host, port):
    """The addresses to open for `host`, in the order given: every one it resolves to, if all
    are on the public internet (unless settings.LINK_CHECK_PRIVATE_ADDRESSES)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _Failure("host name not found") from None
    addresses = [info[4][:2] for info in found]
    if not getattr(settings, "LINK_CHECK_PRIVATE_ADDRESSES", False):
        if not addresses or any(not ipaddress.ip_address(address[0].split("%")[0]).is_global
                                for address in addresses):
            raise _Failure("not an address on the public internet")
    return addresses


def _connect_to_one_of(addresses):
    """http.client's way to connect, to the addresses checked rather than to the host name: each in
    turn until one answers (a name may resolve to an IPv6 address with nothing listening)."""
    def create_connection(_, timeout, source_address):
        error = None
        for address in addresses:
            try:
                return socket.create_connection(address, timeout, source_address)
            except OSError as refused:
                error = refused
        raise error
    return create_connection


def _request(method, url, limits, pacer):
    """(status, reason, Location header) of one request; _Failure if there is no answer."""
    parts = urlsplit(url)
    host = host_of(url)
    if parts.scheme not in ("http", "https") or not host:
        raise _Failure("not a web address")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _Failure("not a web address") from None
    addresses = _addresses_to_connect(host, port)
    pacer.wait_for(host)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=limits.connect_timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=limits.connect_timeout)
    # Open the address checked above, not whatever the name resolves to a moment later; a secure
    # connection is still made, and its certificate checked, for the host name.
    connection._create_connection = _connect_to_one_of(addresses)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.connect()
        connection.sock.settimeout(limits.read_timeout)
        connection.request(method, target, headers={"User-Agent": user_agent(), "Accept": "*/*"})
        response = connection.getresponse()
        if method == "GET":
            response.read(READ_LIMIT)  # never the whole of a big document
        return response.status, response.reason, response.getheader("Location")
    except TimeoutError:
        raise _Failure("timed out") from None
    except (ssl.SSLError, ssl.CertificateError):
        raise _Failure("secure connection failed") from None
    except http.client.HTTPException:
        raise _Failure("answer was not understood") from None
    except OSError:
        raise _Failure("could not connect") from None
    finally:
        connection.close()
        pacer.done(host)


def _head_refused(status):
    return status >= 400 and status not in GONE


def _status_text(status, reason):
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} {reason}".strip()


def check(url, limits=Limits(), pacer=None):
    """The Answer of one address: HEAD (GET where HEAD is refused), following redirects."""
    pacer = pacer or Pacer(limits.gap)
    redirects = 0
    method = "HEAD"
    try:
        while True:
            status, reason, location = _request(method, url, limits, pacer)
            if method == "HEAD" and _head_refused(status):
                method = "GET"
                continue
            if status in REDIRECTS and location:
                if redirects == MAX_REDIRECTS:
                    raise _Failure(f"more than {MAX_REDIRECTS} redirects")
                url = urljoin(url, location.strip())
                if urlsplit(url).scheme not in ("http", "https"):
                    raise _Failure("redirected to something that is not a web address")
                redirects += 1
                method = "HEAD"
                continue
            text = _status_text(status, reason)
            if redirects:
                text += f" after {redirects} redirect{'s' if redirects > 1 else ''}"
            return Answer(text[:ANSWER_LENGTH], failed=status in GONE or status >= 500, opened=status < 400)
    except _Failure as failure:
        return Answer(str(failure), failed=True)


# --- A run over every published link ------------------------------------------------------


@dataclass
class RunReport:
    checked: int = 0
    opened: int = 0  # answered below 400
    failed: int = 0
    broken: int = 0  # of the failed, those now counted as broken
    left_to_another_run: int = 0
    failures: list = field(default_factory=list)  # (url, answer text, broken)


def due(cutoff):
    """Published links not checked since `cutoff`."""
    return EvidenceLink.objects.public().filter(Q(checked_at__isnull=True) | Q(checked_at__lt=cutoff))


def _host_by_host(links):
    """(pk, url) pairs in an order that takes one link of each host in turn."""
    by_host = {}
    for link in links:
        by_host.setdefault(host_of(link[1]), []).append(link)
    return [link for turn in zip_longest(*by_host.values()) for link in turn if link is not None]


def check_links(limits=Limits(), everything=False, pacer=None):
    """Check every published link that is due (every one not checked since now, with
    `everything`) and record what each answered. Returns a RunReport."""
    pacer = pacer or Pacer(limits.gap)
    started = timezone.now()
    cutoff = started if everything else started - datetime.timedelta(hours=limits.skip_hours)
    report = RunReport()
    public_change = False
    for pk, url in _host_by_host(due(cutoff).order_by("pk").values_list("pk", "url")):
        claim = timezone.now()
        unclaimed = Q(check_claimed_at__isnull=True) | Q(check_claimed_at__lt=claim - CLAIM_EXPIRES)
        if not due(cutoff).filter(unclaimed, pk=pk).update(check_claimed_at=claim):
            report.left_to_another_run += 1  # checked or being checked by another run since this one began
            continue
        answer = check(url, limits, pacer)
        broken, shown_differently = _record(pk, claim, answer)
        public_change = public_change or shown_differently
        report.checked += 1
        if answer.failed:
            report.failed += 1
            report.broken += broken
            report.failures.append((url, answer.text, broken))
        elif answer.opened:
            report.opened += 1
    if public_change:
        versions.changed()
    return report


def _record(pk, claim, answer):
    """Record the answer under this run's claim. Returns (broken now, whether the public page changes)."""
    now = timezone.now()
    before = EvidenceLink.objects.filter(pk=pk).values("failing_since", "broken", "checked_at").first()
    if answer.failed:
        failing_since = before["failing_since"] or now
        broken = timezone.localdate(failing_since) < timezone.localdate(now)
    else:
        failing_since, broken = None, False
    EvidenceLink.objects.filter(pk=pk, check_claimed_at=claim).update(
        checked_at=now, check_answer=answer.text, failing_since=failing_since, broken=broken, check_claimed_at=None,
    )
    # The public page shows a broken link's check date: it changes when the link breaks or
    # opens again, or when a broken link is checked on another day.
    new_day = before["checked_at"] is None or timezone.localdate(before["checked_at"]) != timezone.localdate(now)
    return broken, broken != before["broken"] or (broken and new_day)


def broken_links(items):
    """The published evidence links counted as broken on `items` (a queryset), by item. One query."""
    return (EvidenceLink.objects.public().filter(broken=True, item__in=items)
            .select_related("item", "item__owner").order_by("item__reference", "title", "pk"))
