"""
"Is this right? Tell the board": what the public says about an item, and the board's answer.

Rules enforced here and nowhere else:
- anyone may send feedback about an item: what is wrong or missing (at most
  Feedback.TEXT_LENGTH characters) and, if they want a reply, an e-mail
  address. Nothing is published automatically, and nothing is e-mailed to the
  address unless a reviewer replies (so the form cannot be used to send mail);
- a form whose hidden honeypot field is filled (a person never sees it) gets
  the same "sent" page and is stored nowhere;
- limits, counted in the database, never the cache (which fails open): from
  one client (a keyed hash of its address, tracker/proxies.py, never the
  address itself) and to one reply address, at most PER_HOUR in an hour and
  PER_DAY in a day; and at most TRACKER_FEEDBACK_WAITING_LIMIT pieces waiting
  for a reviewer at once, so a flood is refused, not stored. Each new piece
  first updates the one FeedbackIntake row, so requests at the same moment
  count one after the other (a row lock on PostgreSQL; SQLite writes one at a
  time) and no more than the limits pass;
- reviewers only (policies.feedback), newest first. From "waiting" a reviewer
  replies privately by e-mail (if an address was given), publishes a short
  summary in their own words with the board's response ("You said ... We
  did ..."), marks it not relevant, or marks it a safeguarding concern; a
  replied one may still be published or marked a safeguarding concern, a not
  relevant one marked a safeguarding concern. Each decision closes it and
  records who and when; two reviewers deciding at once: one wins, the other is
  told (an optimistic claim on Feedback.version, as workflow._claim);
- a safeguarding concern is e-mailed at once (after commit) to the council's
  safeguarding contact, TRACKER_SAFEGUARDING_EMAIL, with the text and the
  reply address; it cannot be marked while no contact is set. It leaves the
  queue: reviewers then see only that it was passed on, when and whether the
  e-mail went (and can send it again if it did not), never its text;
- a published response is public for good: the item page, the item's (and its
  source's and themes') feeds and e-mail alerts, and the publication log,
  which records it in the same transaction; it raises the public version;
- RETENTION: TRACKER_FEEDBACK_RETENTION_DAYS after it is closed, the text,
  the reply address, the private reply and the hashed client are deleted
  (delete_old(), run by manage.py delete_old_feedback; safe to run twice);
  the row stays, for the counts, with the published summary and response. A
  safeguarding concern whose e-mail has not gone is kept until it has.
"""
import datetime
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from recommendations import policies
from recommendations.models import Feedback, FeedbackIntake, Item
from recommendations.services import outgoing_mail, publication_log
from recommendations.services.notifications import link
from recommendations.words import long_date

logger = logging.getLogger(__name__)

State = Feedback.State
PER_HOUR = 3
PER_DAY = 10
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
ANSWERED = (State.REPLIED, State.PUBLISHED)
CLOSED = (State.REPLIED, State.PUBLISHED, State.NOT_RELEVANT, State.SAFEGUARDING)
# What each decision may be taken from.
FROM = {
    "reply": (State.NEW,),
    "publish": (State.NEW, State.REPLIED),
    "not_relevant": (State.NEW,),
    "safeguarding": (State.NEW, State.REPLIED, State.NOT_RELEVANT),
}

EMPTY = "Say what is wrong or missing"
TOO_LONG = f"Write {Feedback.TEXT_LENGTH:,} characters or fewer"
BAD_ADDRESS = "Enter an e-mail address in the correct format, like name@example.com, or leave it empty"
TOO_MANY = ("You have sent several messages in a short time. Nothing more has been saved: please try again "
            "later, or write to the council's contact address.")
FULL = ("We have received a lot of messages and cannot take more just now. Nothing has been saved: please try "
        "again tomorrow, or write to the council's contact address.")
NO_CONTACT = ("No safeguarding contact is set up, so this cannot be passed on. "
              "Nothing was changed: tell the council's safeguarding team directly, and ask an administrator "
              "to set the safeguarding contact's address.")


class FeedbackError(Exception):
    """The request cannot be done; nothing was changed. The message is for the person."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class ConflictError(FeedbackError):
    """Someone else decided on this feedback first; nothing was saved."""


def client_fingerprint(address):
    """A keyed hash of the client's address: enough to count its messages, not to recover it. An IPv6
    client counts by its /64 network, which one household or device is given whole (it could otherwise
    take a new address for every message)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        key = address or ""
    else:
        key = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return salted_hmac("recommendations.feedback.client", key, algorithm="sha256").hexdigest()


def retention_days():
    return settings.TRACKER_FEEDBACK_RETENTION_DAYS


# --- Receiving ----------------------------------------------------------------------


def clean_text(text):
    text = (text or "").strip()
    if not text:
        raise FeedbackError(EMPTY, field="text")
    if len(text) > Feedback.TEXT_LENGTH:
        raise FeedbackError(TOO_LONG, field="text")
    return text


def clean_address(email):
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise FeedbackError(BAD_ADDRESS, field="email")
    return email


def receive(reference, text, email, client_address, honeypot="", now=None):
    """Store a new piece of feedback about the item, within the limits (see the rules). Returns it;
    None when the honeypot was filled (nothing stored). FeedbackError if it is refused."""
    item = Item.objects.filter(reference=reference).first()
    if item is None:
        raise FeedbackError(f"There is no item “{reference}”.")
    text, email = clean_text(text), clean_address(email)
    if honeypot:
        return None
    now = now or timezone.now()
    client = client_fingerprint(client_address)
    with transaction.atomic():
        _take_turn()
        _check_limits(client, email, now)
        return Feedback.objects.create(item=item, text=text, email=email, client=client, received_at=now)


def _take_turn():
    """Update the one intake row first: later requests wait here until this one commits."""
    if not FeedbackIntake.objects.filter(pk=1).update(received=F("received") + 1):
        FeedbackIntake.objects.get_or_create(pk=1)
        FeedbackIntake.objects.filter(pk=1).update(received=F("received") + 1)


def _check_limits(client, email, now):
    recent = Feedback.objects.filter(received_at__gt=now - DAY)
    senders = [Q(client=client)] + ([Q(email=email)] if email else [])
    for sender in senders:
        counts = recent.filter(sender).aggregate(day=Count("pk"), hour=Count("pk", filter=Q(received_at__gt=now - HOUR)))
        if counts["hour"] >= PER_HOUR or counts["day"] >= PER_DAY:
            raise FeedbackError(TOO_MANY)
    if Feedback.objects.filter(state=State.NEW).count() >= settings.TRACKER_FEEDBACK_WAITING_LIMIT:
        raise FeedbackError(FULL)


# --- Reviewers' lists ----------------------------------------------------------------


def queue(user):
    """Feedback waiting for a reviewer, newest first, with its item."""
    return policies.feedback.visible_to(user).filter(state=State.NEW).select_related("item")


def handled(user, limit=50):
    """The latest feedback decided on (not safeguarding concerns), latest first."""
    return (policies.feedback.visible_to(user).exclude(state=State.NEW).select_related("item", "handled_by")
            .order_by("-handled_at", "-pk")[:limit])


def safeguarding_referrals(user):
    """Feedback passed to the safeguarding contact, latest first (its text is not shown)."""
    return (policies.feedback.safeguarding_visible_to(user).select_related("item", "handled_by")
            .order_by("-handled_at", "-pk"))


def counts(items=None, since=None):
    """{"received", "answered", "waiting"}: feedback about the items (every item by default) received
    since `since` (a datetime; ever, if None), answered (a reply or a published response) since then,
    and waiting for a reviewer now, whenever it came. One query."""
    feedback = Feedback.objects.all() if items is None else Feedback.objects.filter(item__in=items.values("pk"))
    in_period = Q() if since is None else Q(received_at__gte=since)
    answered = Q(state__in=ANSWERED) & (Q() if since is None else Q(handled_at__gte=since))
    return feedback.aggregate(
        received=Count("pk", filter=in_period),
        answered=Count("pk", filter=answered),
        waiting=Count("pk", filter=Q(state=State.NEW)),
    )


# --- Deciding -----------------------------------------------------------------------


def _require(user, action, feedback):
    if not policies.feedback.may(user, action, feedback):
        raise PermissionDenied


def _claim(feedback, expected_version, decision):
    """Take the feedback for this decision, or fail if it moved on since it was read (workflow._claim)."""
    if expected_version is None:
        expected_version = feedback.version
    claimed = Feedback.objects.filter(
        pk=feedback.pk, version=expected_version, state__in=FROM[decision], erased_at__isnull=True,
    ).update(version=F("version") + 1)
    if not claimed:
        current = Feedback.objects.filter(pk=feedback.pk).values("state", "version").first()
        state = State(current["state"]).label.lower() if current else "deleted"
        if current is None or current["version"] != expected_version:
            raise ConflictError(f"Another reviewer dealt with this feedback while you were reading it (it is now "
                                f"“{state}”). Nothing you entered was saved.")
        raise FeedbackError(f"This feedback is “{state}”, so this cannot be done now.")
    feedback.version = expected_version + 1


def _close(feedback, reviewer, state, now):
    feedback.state = state
    feedback.handled_by = reviewer
    feedback.handled_at = feedback.closed_at = now


def _required(value, message, field):
    value = (value or "").strip()
    if not value:
        raise FeedbackError(message, field=field)
    return value


def reply(reviewer, feedback, expected_version, reply_text):
    """E-mail a private reply to the address given (after commit)."""
    _require(reviewer, "moderate_feedback", feedback)
    reply_text = _required(reply_text, "Write the reply to send", "reply")
    if not feedback.email:
        raise FeedbackError("No e-mail address was given, so no reply can be sent. Publish a response instead, "
                            "or mark it as not relevant.", field="decision")
    with transaction.atomic():
        _claim(feedback, expected_version, "reply")
        _close(feedback, reviewer, State.REPLIED, timezone.now())
        feedback.reply = reply_text
        feedback.save()
    transaction.on_commit(lambda: _send_reply(feedback))
    return feedback


def publish(reviewer, feedback, expected_version, summary, response):
    """Publish "You said" (the reviewer's summary, not the sender's words) and "We did" on the item."""
    _require(reviewer, "moderate_feedback", feedback)
    summary = _required(summary, "Summarise what was said, in your own words and with nothing that could "
                                 "identify anyone", "summary")
    response = _required(response, "Say what the board did or will do", "response")
    for value, field in ((summary, "summary"), (response, "response")):
        if len(value) > Feedback.SUMMARY_LENGTH:
            raise FeedbackError(f"Write {Feedback.SUMMARY_LENGTH} characters or fewer", field=field)
    with transaction.atomic():
        _claim(feedback, expected_version, "publish")
        now = timezone.now()
        _close(feedback, reviewer, State.PUBLISHED, now)
        feedback.summary, feedback.response, feedback.published_at = summary, response, now
        feedback.save()
        publication_log.record_feedback(feedback)
    return feedback


def mark_not_relevant(reviewer, feedback, expected_version):
    _require(reviewer, "moderate_feedback", feedback)
    with transaction.atomic():
        _claim(feedback, expected_version, "not_relevant")
        _close(feedback, reviewer, State.NOT_RELEVANT, timezone.now())
        feedback.save()
    return feedback


def mark_safeguarding(reviewer, feedback, expected_version):
    """Pass the feedback to the safeguarding contact at once (after commit) and take it out of the queue."""
    _require(reviewer, "moderate_feedback", feedback)
    if not settings.TRACKER_SAFEGUARDING_EMAIL:
        raise FeedbackError(NO_CONTACT)
    with transaction.atomic():
        _claim(feedback, expected_version, "safeguarding")
        _close(feedback, reviewer, State.SAFEGUARDING, timezone.now())
        feedback.save()
    transaction.on_commit(lambda: notify_safeguarding(feedback))
    return feedback


def notify_again(reviewer, feedback):
    """Send a safeguarding concern's e-mail again, if it has not gone. Returns whether it went."""
    _require(reviewer, "view_safeguarding_referral", feedback)
    if feedback.safeguarding_notified_at is not None:
        return True
    if not settings.TRACKER_SAFEGUARDING_EMAIL:
        raise FeedbackError(NO_CONTACT)
    return notify_safeguarding(feedback)


# --- E-mails ------------------------------------------------------------------------


def notify_safeguarding(feedback):
    """E-mail the safeguarding contact; record when it went. Returns whether it went (a mail server's
    failure is logged, and the safeguarding list then offers to send it again)."""
    item = feedback.item
    reviewer = feedback.handled_by
    who = f"{reviewer.get_full_name() or reviewer.username} ({reviewer.email or 'no e-mail address'})" if reviewer else "a reviewer"
    body = (
        "A member of the improvement board has marked feedback sent through the public recommendations tracker "
        "as a possible safeguarding concern. It has been taken out of the tracker's feedback queue and passed "
        "to you.\n\n"
        f"About: {item.reference}: {item.title}\n"
        f"Received: {long_date(timezone.localdate(feedback.received_at))} at "
        f"{timezone.localtime(feedback.received_at):%H:%M}\n"
        f"Reply address given: {feedback.email or 'none'}\n"
        f"Marked by: {who}\n\n"
        f"What they wrote:\n\n{feedback.text}\n\n"
        "--\nThe tracker deletes this text and the address "
        f"{retention_days()} days after it was marked. Keep what you need in your own records.\n"
    )
    try:
        outgoing_mail.send(f"Safeguarding concern from the recommendations tracker ({item.reference})", body,
                           [settings.TRACKER_SAFEGUARDING_EMAIL])
    except Exception:
        logger.exception("The safeguarding e-mail for feedback %s was not sent", feedback.pk)
        return False
    now = timezone.now()
    Feedback.objects.filter(pk=feedback.pk).update(safeguarding_notified_at=now)
    feedback.safeguarding_notified_at = now
    return True


def _send_reply(feedback):
    item = feedback.item
    body = (
        f"You sent the improvement board feedback about {item.reference}: {item.title}.\n\n"
        f"The board's reply:\n\n{feedback.reply}\n\n"
        f"The item: {link('public:item-detail', item.reference)}\n\n"
        "--\nPlease do not reply to this e-mail. If you or a child are in danger, call 999.\n"
        f"We delete your message and your address {retention_days()} days after this reply.\n"
    )
    outgoing_mail.send(Truncator(f"The improvement board's reply about {item.reference}").chars(150), body,
                       [feedback.email])


# --- Retention ----------------------------------------------------------------------


def delete_old(now=None, days=None):
    """Delete the personal data of feedback closed `days` (TRACKER_FEEDBACK_RETENTION_DAYS) ago or more:
    text, reply address, private reply and hashed client. Published summaries and responses stay.
    Safe to run twice (already erased feedback is left alone). Returns how many were erased."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    due = Feedback.objects.filter(closed_at__lte=now - datetime.timedelta(days=days), erased_at__isnull=True)
    # A safeguarding concern not yet passed on is kept until it has been.
    due = due.exclude(state=State.SAFEGUARDING, safeguarding_notified_at__isnull=True)
    return due.update(text="", email="", reply="", client="", erased_at=now)
