"""Evidence that lasts: `manage.py check_evidence_links` against a local HTTP server that answers
200, 404, 410, 500, redirects, refuses HEAD, and never answers; what is recorded, the pace per
host, running twice, unpublished links left alone, and the pages that show broken links."""
import datetime
import html
import io
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from recommendations import words
from recommendations.models import EvidenceLink, Item, PublicationLogEntry
from recommendations.services import link_checker, publication_log, workflow
from tests.admin_helpers import item_form
from tests.servers import free_port
from tests.workflow_helpers import approved, draft, update_form

pytestmark = pytest.mark.django_db

# Short enough for a test, long enough for a busy machine's local server to answer.
LIMITS = link_checker.Limits(connect_timeout=1.0, read_timeout=1.0, gap=0, skip_hours=20)

# path: (status, Location header) for GET; HEAD gets the same except where HEAD_ANSWERS says.
ANSWERS = {
    "/ok": (200, None),
    "/missing": (404, None),
    "/gone": (410, None),
    "/error": (500, None),
    "/forbidden": (403, None),
    "/moved": (301, "/ok"),
    "/moved-to-missing": (302, "/missing"),
    "/loop": (302, "/loop"),
    "/no-head": (200, None),
}
HEAD_ANSWERS = {"/no-head": 405}


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self._answer()

    def do_GET(self):
        self._answer()

    def _answer(self):
        path = self.path.split("?")[0]
        self.server.requests.append((self.command, self.path, self.headers["Host"], self.headers["User-Agent"],
                                     time.monotonic()))
        if path == "/silent":
            self.server.release.wait(10)  # never answers within the checker's time-out
            return
        status, location = ANSWERS.get(path, (404, None))
        if self.command == "HEAD":
            status = HEAD_ANSWERS.get(path, status)
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        body = b"x" * 200_000 if self.command == "GET" and status == 200 else b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            try:
                self.wfile.write(body)
            except OSError:
                pass  # the checker reads only the start and hangs up

    def log_message(self, *args):
        pass


@contextmanager
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.requests = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def server(settings):
    settings.LINK_CHECK_PRIVATE_ADDRESSES = True  # the local server is on the loopback address
    with local_server() as running:
        running.url = f"http://127.0.0.1:{running.server_address[1]}"
        yield running


def requested(server, path):
    return [request for request in server.requests if request[1] == path]


def link_on(item, url, title="Audit report", **fields):
    """Evidence added to the item itself: public at once."""
    return EvidenceLink.objects.create(item=item, title=title, url=url, date=datetime.date(2015, 5, 1), **fields)


def as_if_checked_yesterday():
    """What yesterday's run would have left: every check (and first failure) a day earlier."""
    a_day = datetime.timedelta(days=1)
    EvidenceLink.objects.filter(checked_at__isnull=False).update(checked_at=F("checked_at") - a_day)
    EvidenceLink.objects.filter(failing_since__isnull=False).update(failing_since=F("failing_since") - a_day)


def test_what_each_link_answered_is_recorded(server, council_item, settings):
    paths = ["/ok", "/missing", "/gone", "/error", "/forbidden", "/moved", "/moved-to-missing", "/no-head",
             "/silent", "/loop"]
    links = {path: link_on(council_item, server.url + path) for path in paths}
    links["refused"] = link_on(council_item, f"http://127.0.0.1:{free_port()}/report.pdf")
    report = link_checker.check_links(LIMITS)
    expected = {
        "/ok": ("200 OK", False),
        "/missing": ("404 Not Found", True),
        "/gone": ("410 Gone", True),
        "/error": ("500 Internal Server Error", True),
        "/forbidden": ("403 Forbidden", False),  # the site is there: it turned the checker away
        "/moved": ("200 OK after 1 redirect", False),
        "/moved-to-missing": ("404 Not Found after 1 redirect", True),
        "/no-head": ("200 OK", False),
        "/silent": ("timed out", True),
        "/loop": (f"more than {link_checker.MAX_REDIRECTS} redirects", True),
        "refused": ("could not connect", True),
    }
    for key, (answer, failed) in expected.items():
        link = EvidenceLink.objects.get(pk=links[key].pk)
        assert (link.check_answer, link.failing_since is not None) == (answer, failed), key
        assert link.checked_at is not None
        assert not link.broken, "one day's failure is not counted as broken"
        assert link.check_claimed_at is None
    assert (report.checked, report.opened, report.failed, report.broken) == (11, 3, 7, 0)
    # HEAD first; GET only where HEAD was refused (and after a 403, which may be HEAD's alone).
    assert [request[0] for request in requested(server, "/no-head")] == ["HEAD", "GET"]
    assert [request[0] for request in requested(server, "/ok")] == ["HEAD", "HEAD"]  # itself, and after /moved
    assert [request[0] for request in requested(server, "/missing")] == ["HEAD", "HEAD"]
    assert len(requested(server, "/loop")) == link_checker.MAX_REDIRECTS + 1
    # An honest User-Agent: the tracker and where to find it.
    agents = {request[3] for request in server.requests}
    assert agents == {link_checker.user_agent()}
    assert "InquiryTracker-LinkChecker" in link_checker.user_agent() and settings.SITE_URL in link_checker.user_agent()


def test_a_link_is_broken_once_it_fails_on_two_different_days_and_mended_once_it_opens(server, council_item):
    link = link_on(council_item, server.url + "/missing")
    link_checker.check_links(LIMITS)
    link.refresh_from_db()
    first_failure = link.failing_since
    assert not link.broken
    link_checker.check_links(LIMITS, everything=True)  # a second check the same day: still one day
    link.refresh_from_db()
    assert not link.broken and link.failing_since == first_failure
    as_if_checked_yesterday()
    report = link_checker.check_links(LIMITS)
    link.refresh_from_db()
    assert link.broken and report.broken == 1
    assert link.failing_since == first_failure - datetime.timedelta(days=1)
    # The page is back: the next check mends it.
    EvidenceLink.objects.filter(pk=link.pk).update(url=server.url + "/ok")
    link_checker.check_links(LIMITS, everything=True)
    link.refresh_from_db()
    assert (link.broken, link.failing_since, link.check_answer) == (False, None, "200 OK")


def test_a_transient_failure_between_successes_is_never_broken(server, council_item):
    link = link_on(council_item, server.url + "/error")
    link_checker.check_links(LIMITS)
    as_if_checked_yesterday()
    EvidenceLink.objects.filter(pk=link.pk).update(url=server.url + "/ok")
    link_checker.check_links(LIMITS)
    as_if_checked_yesterday()
    EvidenceLink.objects.filter(pk=link.pk).update(url=server.url + "/error")
    link_checker.check_links(LIMITS)
    link.refresh_from_db()
    assert not link.broken and link.check_answer == "500 Internal Server Error"


def test_running_twice_the_same_day_checks_nothing_again(server, council_item):
    link_on(council_item, server.url + "/ok")
    link_on(council_item, server.url + "/missing")
    assert link_checker.check_links(LIMITS).checked == 2
    made = len(server.requests)
    output = io.StringIO()
    call_command("check_evidence_links", "--connect-timeout", "1", "--read-timeout", "1", "--gap", "0",
                 stdout=output)
    assert "Checked 0 evidence links" in output.getvalue()
    assert len(server.requests) == made
    # --all checks every link again.
    output = io.StringIO()
    call_command("check_evidence_links", "--all", "--connect-timeout", "1", "--read-timeout", "1", "--gap", "0",
                 stdout=output)
    assert "Checked 2 evidence links: 1 opened, 1 failed (0 counted as broken)." in output.getvalue()
    assert f"Failed (first day): {server.url}/missing: 404 Not Found" in output.getvalue()
    assert len(server.requests) == made + 2


def test_a_link_another_run_is_checking_is_left_to_it(server, council_item):
    claimed = link_on(council_item, server.url + "/ok", check_claimed_at=timezone.now())
    abandoned = link_on(council_item, server.url + "/ok?abandoned",
                        check_claimed_at=timezone.now() - link_checker.CLAIM_EXPIRES - datetime.timedelta(minutes=1))
    report = link_checker.check_links(LIMITS)
    assert (report.checked, report.left_to_another_run) == (1, 1)
    claimed.refresh_from_db()
    abandoned.refresh_from_db()
    assert claimed.checked_at is None and claimed.check_claimed_at is not None
    assert abandoned.check_answer == "200 OK" and abandoned.check_claimed_at is None
    assert requested(server, "/ok") == []  # only the abandoned one's address was opened


def test_a_result_is_recorded_only_under_the_run_s_own_claim(server, council_item):
    link = link_on(council_item, server.url + "/ok")
    claim = timezone.now()
    EvidenceLink.objects.filter(pk=link.pk).update(check_claimed_at=claim + datetime.timedelta(seconds=1))
    link_checker._record(link.pk, claim, link_checker.Answer("404 Not Found", failed=True))
    link.refresh_from_db()
    assert link.checked_at is None and link.check_answer == ""


def test_unpublished_evidence_is_never_checked(server, council_officer, council_item):
    draft(council_officer, council_item, evidence=[
        workflow.EvidenceInput("Draft minutes", server.url + "/ok?draft", datetime.date(2015, 5, 1))])
    report = link_checker.check_links(LIMITS)
    assert report.checked == 0 and server.requests == []
    assert EvidenceLink.objects.get(title="Draft minutes").checked_at is None


def test_requests_to_one_host_are_paced_and_hosts_take_turns(server, council_item):
    port = server.server_address[1]
    for number in range(3):
        link_on(council_item, f"http://127.0.0.1:{port}/ok?{number}")
        link_on(council_item, f"http://localhost:{port}/ok?{number}")
    gap = 0.4
    link_checker.check_links(link_checker.Limits(connect_timeout=1, read_timeout=1, gap=gap))
    hosts = [request[2].split(":")[0] for request in server.requests]
    assert len(hosts) == 6
    assert all(first != second for first, second in zip(hosts, hosts[1:])), hosts  # one of each in turn
    for host in ("127.0.0.1", "localhost"):
        times = [request[4] for request in server.requests if request[2].startswith(host)]
        assert all(later - earlier >= gap for earlier, later in zip(times, times[1:])), times


def test_addresses_outside_the_public_internet_are_not_opened(server, council_item, settings):
    settings.LINK_CHECK_PRIVATE_ADDRESSES = False
    link = link_on(council_item, server.url + "/ok")
    link_checker.check_links(LIMITS)
    link.refresh_from_db()
    assert link.check_answer == "not an address on the public internet" and server.requests == []


def test_a_broken_link_is_shown_to_the_public_the_board_and_the_owner(
        server, client, council_officer, police_officer, reviewer, council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[
        workflow.EvidenceInput("Multi-agency audit", server.url + "/missing", datetime.date(2015, 5, 1),
                               archived_url="https://webarchive.org.uk/wayback/20150501/audit.pdf")])
    page = council_item.get_absolute_url()
    assert "could not be opened" not in client.get(page).content.decode()  # now kept in the page cache
    link_checker.check_links(LIMITS)
    as_if_checked_yesterday()
    link_checker.check_links(LIMITS)
    link = EvidenceLink.objects.get(update=update)
    assert link.broken
    checked_on = words.long_date(link.checked_at)
    # The public page: the note with the day of the check, and the archived copy beside the link.
    shown = client.get(page).content.decode()
    assert f"This link could not be opened when checked on {checked_on}." in shown
    assert 'href="https://webarchive.org.uk/wayback/20150501/audit.pdf"' in shown
    assert "(webarchive.org.uk)" in shown
    # The board's overview, and its CSV.
    client.force_login(reviewer)
    board = client.get(reverse("board:overview")).content.decode()
    assert 'id="broken-links"' in board and server.url + "/missing" in board and "404 Not Found" in board
    csv = client.get(reverse("board:overview-csv", args=["broken-links"])).content.decode()
    assert f"{council_item.reference},{council_item.owner.short_name},Multi-agency audit,{server.url}/missing," \
           "404 Not Found," in csv
    # The owner's My items: the item needs attention, and the link is listed.
    client.force_login(council_officer)
    mine = client.get(reverse("workflow:my-items")).content.decode()
    assert "An evidence link could not be opened" in mine
    assert 'id="broken-links"' in mine and "Multi-agency audit" in mine and "404 Not Found" in mine
    # Nobody else's: the police do not work on this item.
    client.force_login(police_officer)
    assert 'id="broken-links"' not in client.get(reverse("workflow:my-items")).content.decode()
    # What the checker records is not part of the record: the publication log still holds.
    assert publication_log.check() == []


def test_a_link_that_opens_says_nothing_and_the_board_says_none_are_broken(server, client, reviewer, council_item):
    link_on(council_item, server.url + "/ok")
    link_checker.check_links(LIMITS)
    as_if_checked_yesterday()
    link_checker.check_links(LIMITS)
    assert "could not be opened" not in client.get(council_item.get_absolute_url()).content.decode()
    client.force_login(reviewer)
    assert "Every published evidence link opened when last checked." in client.get(
        reverse("board:overview")).content.decode()


def test_the_wording_of_the_note():
    assert (words.could_not_be_opened(datetime.date(2026, 12, 3))
            == "could not be opened when checked on 3 December 2026")


# --- The archived copy ----------------------------------------------------------------


def with_link(**row):
    fields = {"evidence-0-title": "Audit report", "evidence-0-url": "https://example.org/audit.pdf",
              "evidence-0-date": "2015-05-01"}
    fields.update({f"evidence-0-{name}": value for name, value in row.items()})
    return update_form(**fields)


def test_an_officer_gives_an_archived_copy_with_a_link(client, council_officer, council_item):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                           with_link(archived_url="https://web.archive.org/web/2015/https://example.org/audit.pdf"))
    assert response.status_code == 302
    link = EvidenceLink.objects.get(item=council_item, title="Audit report")
    assert link.archived_url == "https://web.archive.org/web/2015/https://example.org/audit.pdf"


@pytest.mark.parametrize("archived_url, message", [
    ("ftp://archive.example/audit.pdf",
     "Enter an archived copy’s web address that starts with http:// or https://"),
    ("https://example.org/audit.pdf", "The archived copy’s web address is the link itself"),
])
def test_a_bad_archived_copy_is_refused_with_a_clear_message(client, council_officer, council_item, archived_url,
                                                             message):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                           with_link(archived_url=archived_url))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode()).replace("'", "’")
    assert not council_item.updates.exists()


def test_an_archived_copy_alone_needs_the_link_itself(client, council_officer, council_item):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]), update_form(**{
        "evidence-0-archived_url": "https://web.archive.org/web/2015/https://example.org/audit.pdf"}))
    assert response.status_code == 200 and "Enter the web address of the evidence" in response.content.decode()
    assert not council_item.updates.exists()


def test_the_service_refuses_an_archived_copy_that_is_not_a_web_address(council_officer, council_item):
    with pytest.raises(workflow.WorkflowError, match="http:// or https://"):
        draft(council_officer, council_item, evidence=[workflow.EvidenceInput(
            "Audit", "https://example.org/a.pdf", datetime.date(2015, 5, 1), archived_url="javascript:alert(1)")])
    assert not council_item.updates.exists()


def test_an_administrator_adds_an_archived_copy_to_a_published_link_with_a_reason(
        admin_client, council_officer, reviewer, council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[
        workflow.EvidenceInput("Audit", "https://example.org/a.pdf", datetime.date(2015, 5, 1))])
    link = EvidenceLink.objects.get(update=update)
    change = reverse("admin:recommendations_item_change", args=[council_item.pk])
    archived = {"evidence-2-TOTAL_FORMS": 1, "evidence-2-INITIAL_FORMS": 1, "evidence-2-0-id": link.pk,
                "evidence-2-0-item": council_item.pk,
                "evidence-2-0-archived_url": "https://webarchive.org.uk/wayback/2015/a.pdf"}
    refused = admin_client.post(change, item_form(council_item, **archived))
    assert refused.status_code == 200
    link.refresh_from_db()
    assert link.archived_url == ""
    done = admin_client.post(change, item_form(council_item, change_reason="The council's site moved.", **archived))
    assert done.status_code == 302
    link.refresh_from_db()
    assert link.archived_url == "https://webarchive.org.uk/wayback/2015/a.pdf"
    entry = PublicationLogEntry.objects.order_by("-id").first()
    assert "evidence" in entry.content and "webarchive.org.uk" in entry.content
    assert publication_log.check() == []
    shown = admin_client.get(council_item.get_absolute_url()).content.decode()
    assert 'href="https://webarchive.org.uk/wayback/2015/a.pdf"' in shown


def test_the_title_and_address_of_a_published_link_stay_as_published(admin_client, council_officer, reviewer,
                                                                     council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[
        workflow.EvidenceInput("Audit", "https://example.org/a.pdf", datetime.date(2015, 5, 1))])
    link = EvidenceLink.objects.get(update=update)
    forged = {"evidence-2-TOTAL_FORMS": 1, "evidence-2-INITIAL_FORMS": 1, "evidence-2-0-id": link.pk,
              "evidence-2-0-item": council_item.pk, "evidence-2-0-title": "Changed",
              "evidence-2-0-url": "https://example.org/other", "evidence-2-0-archived_url": "",
              "change_reason": "Forged."}
    admin_client.post(reverse("admin:recommendations_item_change", args=[council_item.pk]),
                      item_form(council_item, **forged))
    link.refresh_from_db()
    assert (link.title, link.url) == ("Audit", "https://example.org/a.pdf")
    assert publication_log.check() == []
    assert Item.objects.filter(pk=council_item.pk).exists()
