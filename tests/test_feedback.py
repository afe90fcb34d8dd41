"""
"Is this right? Tell the board" (services/feedback.py, views/feedback.py): the public form, its
limits and honeypot, the reviewers' decisions (each moderation state), the safeguarding notification,
the published response on the item page, its feed, alerts and the publication log, the board's
counts, and the retention deletion.
"""
import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Feedback, FeedbackIntake, Item, PublicationLogEntry, PublicVersion, Subscription
from recommendations.services import alerts, feedback, publication_log

pytestmark = pytest.mark.django_db

FORM = "/items/JAY-04/tell-the-board/"
SENT = "/items/JAY-04/tell-the-board/sent/"
CONTACT = "safeguarding-team@rotherham.gov.uk"


@pytest.fixture
def site(settings, seeded, mailoutbox):
    settings.SITE_URL = "https://tracker.example"
    settings.TRACKER_SAFEGUARDING_EMAIL = CONTACT
    settings.TRACKER_FEEDBACK_RETENTION_DAYS = 30
    return mailoutbox


def send(client, text="The meetings described here stopped last year.", email="", ip="203.0.113.7", **extra):
    return client.post(FORM, {"text": text, "email": email, "website": "", **extra}, REMOTE_ADDR=ip)


def received(text="Nothing has changed for us.", email="", address="198.51.100.1", reference="JAY-04"):
    return feedback.receive(reference, text, email, address)


# --- The public pages ----------------------------------------------------------------------


def test_the_item_page_links_to_the_form_and_carries_no_csrf_token(client, site):
    page = client.get("/items/JAY-04/").content.decode()
    assert "Is this right? Tell the board" in page
    assert FORM in page
    assert "csrfmiddlewaretoken" not in page


def test_the_form_says_who_reads_it_what_not_to_write_and_where_to_get_help(client, site):
    response = client.get(FORM)
    assert response.status_code == 200
    page = response.content.decode()
    for words in ("improvement board", "Do not include names", "call 999", "where to get", "csrfmiddlewaretoken"):
        assert words in page, words
    # A form with a token: never kept by the page cache, browsers or proxies.
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.get("/items/NOPE-99/tell-the-board/").status_code == 404


def test_sending_stores_it_unpublished_with_a_hashed_client_then_redirects(client, site):
    response = send(client, email="Reader@Example.NET")
    assert response.status_code == 302 and response["Location"] == SENT
    assert client.get(SENT).status_code == 200
    stored = Feedback.objects.get()
    assert stored.item.reference == "JAY-04" and stored.state == Feedback.State.NEW
    assert stored.email == "reader@example.net"
    assert stored.client and "203.0.113.7" not in stored.client
    assert stored.client == feedback.client_fingerprint("203.0.113.7")
    assert "stopped last year" not in client.get("/items/JAY-04/").content.decode()
    assert mail.outbox == []  # nothing is e-mailed to an address nobody has checked


def test_a_filled_honeypot_looks_sent_but_stores_nothing(client, site):
    response = send(client, website="https://spam.example")
    assert response.status_code == 302 and response["Location"] == SENT
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("text, email, message", [
    ("", "", "Say what is wrong or missing"),
    ("   ", "", "Say what is wrong or missing"),
    ("x" * (Feedback.TEXT_LENGTH + 1), "", "characters or fewer"),
    ("Fine text", "not-an-address", "in the correct format"),
])
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, site, text, email, message):
    response = send(client, text=text, email=email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_service_checks_again_what_the_form_checks(site):
    for text in ("", "x" * (Feedback.TEXT_LENGTH + 1)):
        with pytest.raises(feedback.FeedbackError):
            feedback.receive("JAY-04", text, "", "198.51.100.1")
    with pytest.raises(feedback.FeedbackError):
        feedback.receive("JAY-04", "Some text", "nope", "198.51.100.1")
    with pytest.raises(feedback.FeedbackError):
        feedback.receive("NOPE-1", "Some text", "", "198.51.100.1")
    assert not Feedback.objects.exists()


# --- Limits ----------------------------------------------------------------------------------


def test_one_client_gets_the_hours_limit_then_a_message_and_nothing_stored(client, site):
    for _ in range(feedback.PER_HOUR):
        assert send(client).status_code == 302
    refused = send(client)
    assert refused.status_code == 200 and "several messages in a short time" in refused.content.decode()
    assert Feedback.objects.count() == feedback.PER_HOUR
    # Another client is not held back by this one.
    assert send(client, ip="203.0.113.8").status_code == 302


def test_an_ipv6_client_counts_by_its_network():
    assert feedback.client_fingerprint("2001:db8:1:2::1") == feedback.client_fingerprint("2001:db8:1:2:ffff::9")
    assert feedback.client_fingerprint("2001:db8:1:2::1") != feedback.client_fingerprint("2001:db8:1:3::1")
    assert feedback.client_fingerprint("203.0.113.7") != feedback.client_fingerprint("203.0.113.8")


def test_one_reply_address_is_limited_whichever_client_sends(site):
    for number in range(feedback.PER_HOUR):
        received(email="reader@example.net", address=f"198.51.100.{number}")
    with pytest.raises(feedback.FeedbackError, match="several messages"):
        received(email="reader@example.net", address="198.51.100.99")


def test_the_day_limit_counts_the_last_day(site):
    now = timezone.now()
    for hours in reversed(range(feedback.PER_DAY)):  # one every hour (oldest first), up to the day's limit
        feedback.receive("JAY-04", "Text", "", "198.51.100.1", now=now - datetime.timedelta(hours=hours + 1, minutes=1))
    with pytest.raises(feedback.FeedbackError):
        feedback.receive("JAY-04", "Text", "", "198.51.100.1", now=now)
    # A day later the client may write again.
    assert feedback.receive("JAY-04", "Text", "", "198.51.100.1", now=now + datetime.timedelta(days=1))


def test_a_flood_stops_at_the_waiting_limit_and_does_not_fill_the_database(site, settings):
    settings.TRACKER_FEEDBACK_WAITING_LIMIT = 5
    for number in range(5):
        received(address=f"198.51.100.{number}")
    with pytest.raises(feedback.FeedbackError, match="a lot of messages"):
        received(address="198.51.100.200")
    assert Feedback.objects.count() == 5
    assert FeedbackIntake.objects.get().received == 5  # the refused one's turn was rolled back with it


# --- Reviewers ---------------------------------------------------------------------------


def test_only_reviewers_reach_the_queue(client, site, council_officer, administrator, reviewer):
    received()
    assert client.get("/work/feedback/").status_code == 302
    for person in (council_officer, administrator):
        client.force_login(person)
        assert client.get("/work/feedback/").status_code == 403
        assert client.get(f"/work/feedback/{Feedback.objects.get().pk}/").status_code == 403
    client.force_login(reviewer)
    assert client.get("/work/feedback/").status_code == 200


def test_the_queue_lists_waiting_feedback_newest_first_with_its_item(client, site, reviewer):
    older = received(text="First message about the item", address="198.51.100.1")
    Feedback.objects.filter(pk=older.pk).update(received_at=timezone.now() - datetime.timedelta(hours=2))
    received(text="Second message about another item", address="198.51.100.2", reference="JAY-05")
    client.force_login(reviewer)
    page = client.get("/work/feedback/").content.decode()
    assert page.index("Second message") < page.index("First message")
    assert "JAY-04" in page and "JAY-05" in page


def test_their_text_is_shown_as_text_never_as_markup(client, site, reviewer):
    received(text='<script>alert("x")</script><b>bold</b>')
    client.force_login(reviewer)
    for url in ("/work/feedback/", f"/work/feedback/{Feedback.objects.get().pk}/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>bold" not in page
        assert "&lt;script&gt;" in page


def decide(client, item, **data):
    item.refresh_from_db()
    return client.post(f"/work/feedback/{item.pk}/", {"version": item.version, **data})


def test_a_private_reply_goes_to_the_address_after_commit(client, site, reviewer, django_capture_on_commit_callbacks):
    item = received(email="reader@example.net")
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, item, decision="reply", reply="Thank you: we have asked the owner to check.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == Feedback.State.REPLIED and item.handled_by == reviewer and item.closed_at
    (message,) = mail.outbox
    assert message.to == ["reader@example.net"]
    assert "we have asked the owner to check" in message.body
    assert "Thank you: we have asked" not in client.get("/items/JAY-04/").content.decode()


def test_no_reply_without_an_address(client, site, reviewer):
    item = received()
    client.force_login(reviewer)
    response = decide(client, item, decision="reply", reply="Hello")
    assert response.status_code == 200 and "No e-mail address was given" in response.content.decode()
    item.refresh_from_db()
    assert item.state == Feedback.State.NEW


def test_publishing_shows_you_said_we_did_on_the_item_its_feed_and_the_log(client, site, reviewer):
    item = received(text="zqprivatewordszq the meetings stopped", email="zqprivate@example.net")
    version_before = PublicVersion.current()
    client.force_login(reviewer)
    response = decide(client, item, decision="publish", summary="The case meetings had stopped.",
                      response="We asked the council to restart them and will report back.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == Feedback.State.PUBLISHED and item.published_at
    assert PublicVersion.current() != version_before
    client.logout()
    page = client.get("/items/JAY-04/").content.decode()
    assert "You said, we did" in page and "The case meetings had stopped." in page
    assert "restart them" in page
    feed = client.get("/items/JAY-04/feed/").content.decode()
    assert "The case meetings had stopped." in feed
    entry = PublicationLogEntry.objects.get(kind=PublicationLogEntry.Kind.FEEDBACK)
    assert entry.item_reference == "JAY-04" and "restart them" in entry.content
    assert publication_log.check() == []
    for url in ("/items/JAY-04/", "/items/JAY-04/feed/", "/publication-log.json", "/publication-log/"):
        body = client.get(url).content.decode()
        assert "zqprivate" not in body, url


def test_a_published_response_changed_in_the_database_is_caught_by_the_log_check(site, reviewer):
    item = received()
    feedback.publish(reviewer, item, item.version, "You said this.", "We did that.")
    assert publication_log.check() == []
    Feedback.objects.filter(pk=item.pk).update(response="We did something else.")
    assert [problem.reason for problem in publication_log.check()] == [
        "the published response to feedback in the database no longer matches what was published"]
    PublicationLogEntry.objects.filter(kind=PublicationLogEntry.Kind.FEEDBACK).delete()
    assert any("has no entry in the publication log" in problem.reason for problem in publication_log.check())


def test_a_published_response_is_markup_escaped_everywhere(client, site, reviewer):
    item = received()
    feedback.publish(reviewer, item, item.version, "<i>You</i> said", "<script>x()</script>")
    page = client.get("/items/JAY-04/").content.decode()
    assert "<script>x()" not in page and "&lt;script&gt;" in page
    assert "<script>x()" not in client.get("/items/JAY-04/feed/").content.decode()


def test_publishing_needs_a_summary_and_a_response(client, site, reviewer):
    item = received()
    client.force_login(reviewer)
    response = decide(client, item, decision="publish", summary="", response="")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.state == Feedback.State.NEW and not PublicationLogEntry.objects.filter(kind="feedback").exists()


def test_not_relevant_closes_it_without_publishing(client, site, reviewer):
    item = received()
    client.force_login(reviewer)
    assert decide(client, item, decision="not_relevant").status_code == 302
    item.refresh_from_db()
    assert item.state == Feedback.State.NOT_RELEVANT and item.closed_at and not item.published_at
    assert mail.outbox == []


def test_a_safeguarding_concern_is_e_mailed_to_the_contact_at_once_and_leaves_the_queue(
        client, site, reviewer, django_capture_on_commit_callbacks):
    item = received(text="zqconcernzq something worrying", email="worried@example.net")
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, item, decision="safeguarding").status_code == 302
    item.refresh_from_db()
    assert item.state == Feedback.State.SAFEGUARDING and item.safeguarding_notified_at
    (message,) = mail.outbox
    assert message.to == [CONTACT]
    assert "zqconcernzq" in message.body and "worried@example.net" in message.body and "JAY-04" in message.body
    # Out of the general queue; its page no longer shows the text; the referral list says it went.
    assert "zqconcernzq" not in client.get("/work/feedback/").content.decode()
    assert client.get(f"/work/feedback/{item.pk}/").status_code == 404
    referrals = client.get("/work/feedback/safeguarding/").content.decode()
    assert "JAY-04" in referrals and "zqconcernzq" not in referrals and "Not sent" not in referrals
    assert feedback.counts()["waiting"] == 0


def test_a_safeguarding_e_mail_that_failed_can_be_sent_again(client, site, reviewer, settings,
                                                                django_capture_on_commit_callbacks):
    item = received()
    settings.EMAIL_BACKEND = "tests.test_feedback.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        feedback.mark_safeguarding(reviewer, item, item.version)
    item.refresh_from_db()
    assert item.state == Feedback.State.SAFEGUARDING and item.safeguarding_notified_at is None
    client.force_login(reviewer)
    assert "Not sent" in client.get("/work/feedback/safeguarding/").content.decode()
    # Not deleted by the retention while the contact has not been told.
    assert feedback.delete_old(now=timezone.now() + datetime.timedelta(days=365)) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert client.post("/work/feedback/safeguarding/", {"feedback": item.pk}).status_code == 302
    item.refresh_from_db()
    assert item.safeguarding_notified_at and [message.to for message in mail.outbox] == [[CONTACT]]


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("The mail server is down")


def test_without_a_safeguarding_contact_nothing_can_be_marked(site, settings, reviewer):
    settings.TRACKER_SAFEGUARDING_EMAIL = ""
    item = received()
    with pytest.raises(feedback.FeedbackError, match="No safeguarding contact"):
        feedback.mark_safeguarding(reviewer, item, item.version)
    item.refresh_from_db()
    assert item.state == Feedback.State.NEW


def test_the_moderation_states(site, reviewer):
    """Which decision may follow which: each closes the feedback; a closed one takes only what FROM allows."""
    for first, then, allowed in [
        ("reply", "publish", True), ("reply", "not_relevant", False), ("reply", "safeguarding", True),
        ("not_relevant", "publish", False), ("not_relevant", "safeguarding", True),
        ("publish", "reply", False), ("publish", "safeguarding", False), ("safeguarding", "publish", False),
    ]:
        item = received(email=f"{first}.{then}@example.net", address=f"{first}{then}")
        _do(first, reviewer, item)
        if allowed:
            _do(then, reviewer, item)
        else:
            with pytest.raises((feedback.FeedbackError, PermissionDenied)):
                _do(then, reviewer, item)


def _do(decision, reviewer, item):
    version = item.version
    if decision == "reply":
        feedback.reply(reviewer, item, version, "A reply")
    elif decision == "publish":
        feedback.publish(reviewer, item, version, "You said", "We did")
    elif decision == "not_relevant":
        feedback.mark_not_relevant(reviewer, item, version)
    else:
        feedback.mark_safeguarding(reviewer, item, version)


def test_two_reviewers_deciding_at_once_one_wins_the_other_is_told(client, site, reviewer, second_reviewer):
    item = received()
    seen = item.version
    feedback.mark_not_relevant(second_reviewer, Feedback.objects.get(pk=item.pk), seen)
    client.force_login(reviewer)
    response = client.post(f"/work/feedback/{item.pk}/", {"version": seen, "decision": "publish",
                                                         "summary": "You said", "response": "We did"})
    assert response.status_code == 409
    assert "Another reviewer dealt with this feedback" in response.content.decode()
    item.refresh_from_db()
    assert item.state == Feedback.State.NOT_RELEVANT and item.handled_by == second_reviewer


def test_officers_cannot_decide(site, council_officer):
    item = received()
    with pytest.raises(PermissionDenied):
        feedback.mark_not_relevant(council_officer, item, item.version)


# --- Alerts and counts -----------------------------------------------------------------------


def test_a_published_response_goes_out_in_the_items_alerts(site, reviewer, settings):
    settings.TRACKER_ALERT_DELAY_SECONDS = 0
    subscription = alerts.subscribe("follower@example.net", "item", "JAY-04", "immediate")
    alerts.confirm(alerts.confirm_token(subscription, "immediate"))
    mail.outbox.clear()
    item = received(text="zqprivatezq")
    feedback.publish(reviewer, item, item.version, "The meetings had stopped.", "We asked for them to restart.")
    assert alerts.send_due(now=timezone.now() + datetime.timedelta(seconds=1)) == 1
    (message,) = mail.outbox
    assert "You said: The meetings had stopped." in message.body and "We did: We asked" in message.body
    assert "zqprivatezq" not in message.body


def test_a_published_response_goes_out_to_those_who_follow_every_item(site, reviewer, settings):
    settings.TRACKER_ALERT_DELAY_SECONDS = 0
    subscription = alerts.subscribe("follower@example.net", "item", "JAY-04", "immediate")
    alerts.follow_everything(alerts.manage_token(subscription), "immediate")
    Subscription.objects.filter(item__isnull=False).delete()  # only "every item" is left
    mail.outbox.clear()
    item = received(text="zqprivatezq")
    feedback.publish(reviewer, item, item.version, "The meetings had stopped.", "We asked for them to restart.")
    assert alerts.send_due(now=timezone.now() + datetime.timedelta(seconds=1)) == 1
    (message,) = mail.outbox
    assert "You said: The meetings had stopped." in message.body and "zqprivatezq" not in message.body


def test_the_board_dashboard_and_meeting_pack_count_received_answered_and_waiting(client, site, reviewer):
    first, second, _ = (received(address=f"198.51.100.{n}", email=f"r{n}@example.net") for n in range(3))
    feedback.reply(reviewer, first, first.version, "Thanks")
    feedback.publish(reviewer, second, second.version, "You said", "We did")
    assert feedback.counts() == {"received": 3, "answered": 2, "waiting": 1}
    client.force_login(reviewer)
    csv = client.get(reverse("board:overview-csv", args=["public-feedback"])).content.decode()
    assert csv.splitlines()[1].split(",") == ["3", "2", "1"]
    pack = client.get(reverse("board:pack-csv", args=["public-feedback"])).content.decode()
    assert pack.splitlines()[1].split(",") == ["3", "2", "1"]
    assert "Feedback from the public" in client.get(reverse("board:pack")).content.decode()


# --- Retention -------------------------------------------------------------------------------


def test_retention_deletes_personal_data_of_closed_feedback_and_is_safe_to_run_twice(site, reviewer):
    waiting = received(text="Still waiting", email="w@example.net", address="198.51.100.1")
    replied = received(text="Got a reply", email="r@example.net", address="198.51.100.2")
    published = received(text="Was published", email="p@example.net", address="198.51.100.3")
    feedback.reply(reviewer, replied, replied.version, "Our reply")
    feedback.publish(reviewer, published, published.version, "You said this", "We did that")
    later = timezone.now() + datetime.timedelta(days=31)
    assert feedback.delete_old(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert feedback.delete_old(now=later) == 2
    assert feedback.delete_old(now=later) == 0
    replied.refresh_from_db(), published.refresh_from_db(), waiting.refresh_from_db()
    for erased in (replied, published):
        assert (erased.text, erased.email, erased.reply, erased.client) == ("", "", "", "") and erased.erased_at
    assert (published.summary, published.response) == ("You said this", "We did that")
    assert waiting.text == "Still waiting" and waiting.email == "w@example.net"
    assert publication_log.check() == []


def test_the_command_deletes_with_the_configured_days(site, reviewer, settings, capsys):
    item = received(text="Old message", email="old@example.net")
    feedback.mark_not_relevant(reviewer, item, item.version)
    Feedback.objects.filter(pk=item.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    call_command("delete_old_feedback")
    call_command("delete_old_feedback")
    out = capsys.readouterr().out
    assert "of 1 closed piece of feedback" in out and "of 0 closed pieces" in out
    item.refresh_from_db()
    assert item.text == "" and item.email == ""


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(client, site):
    page = client.get("/privacy/").content.decode()
    assert 'id="feedback"' in page
    assert "30 days" in page
    for kept in ("your message", "e-mail address", "scrambled", "safeguarding"):
        assert kept in page, kept
    assert Item.objects.exists()


@pytest.mark.parametrize("data", [
    {"decision": "approve"},  # not a decision offered
    {"decision": "not_relevant", "version": "99999999999"},  # a forged version
    {"decision": "not_relevant", "version": "x"},
    {"decision": "publish", "summary": "x" * (Feedback.SUMMARY_LENGTH + 1), "response": "We did"},
])
def test_a_forged_or_bad_decision_is_refused_and_changes_nothing(client, site, reviewer, data):
    item = received()
    client.force_login(reviewer)
    response = client.post(f"/work/feedback/{item.pk}/", {"version": item.version, **data})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    item.refresh_from_db()
    assert item.state == Feedback.State.NEW and item.version == 1


def test_the_public_form_refuses_a_null_character(client, site):
    response = client.post(FORM, {"text": "bad\x00text", "email": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Feedback.objects.exists()
