"""
E-mail alerts for people without an account: follow an item, a source or a theme.

Rules enforced here and nowhere else:
- anyone may ask for alerts about an item, source or theme with an e-mail
  address and a frequency (each update as it is published, or a daily
  digest); nothing is sent but a confirmation e-mail until the link in it is
  followed (double opt-in), and the link works for CONFIRM_DAYS days;
- asking again for the same address and target sends a new confirmation
  and changes nothing until it is confirmed (so nobody can change another
  person's alerts), and every request gets the same answer on the page (so
  the page does not tell who is subscribed);
- the form cannot be used to flood someone's inbox: a confirmation e-mail
  for the same address and target is not sent again within RESEND_AFTER,
  and one address gets at most CONFIRMATIONS_PER_HOUR of them in the hour
  from the first, even when the requests come at the same moment (the
  checks and the counts are single UPDATEs in the database);
- only the address, its target, its frequency and four times are stored;
  unconfirmed subscriptions are deleted after CONFIRM_DAYS days (expire());
- alerts say only what the public pages say (public_data's PublicUpdate, and
  PublicFeedbackResponse for the board's published responses to feedback):
  never who wrote or reviewed an update, nor a review comment, nor feedback
  as its sender wrote it;
- an alert covers updates published after the subscription was confirmed:
  immediate alerts send one e-mail per update, daily digests one e-mail per
  subscription with the updates of the days before today; sent_until
  records how far each subscription has been sent, and is moved before the
  e-mails go out (back again if sending fails), so running send_due() twice,
  even at the same time, sends nothing twice;
- an update is alerted once it has been published for
  TRACKER_ALERT_DELAY_SECONDS, so one published in a transaction that was
  still committing when send_due() looked is not skipped;
- every alert carries a one-click unsubscribe link (and the RFC 8058
  List-Unsubscribe headers); it works without signing in and never expires.
  Links are signed tokens (django.core.signing) naming the subscription and
  a keyed fingerprint of its address, so a link cannot be guessed, altered,
  or reused for a later subscription that happens to get the same id.
- links in e-mails only show a page; nothing changes until its button is
  pressed (mail scanners follow links), except the RFC 8058 one-click POST.

Managing one's alerts (the "manage your e-mail alerts" page, as GOV.UK's):
- every e-mail, the confirmation included, carries a link to one page listing
  everything its address follows; no account and no sign-in: the link is the
  key. It is a signed token (django.core.signing, its own salt) naming the
  address's random key (Subscription.address_key), never the address, so the
  address is in no link, server log or browser history;
- the link works for MANAGE_DAYS days from the e-mail it came in (each e-mail
  has a fresh one), so an old forwarded e-mail does not open the page for
  ever; the per-alert unsubscribe link never expires, so an alert can always
  be stopped. A tampered, truncated or expired link changes nothing;
- on that page, the address can change how often it gets each confirmed
  alert (immediately, daily or weekly), follow every item (one subscription
  with no target, confirmed at once since the link proves the mailbox), and
  stop all its alerts in one click, which deletes every subscription of the
  address (the privacy notice says so). A change names a subscription of the
  link's own address, or is refused;
- a weekly digest holds the updates of the week before the current one
  (Monday to Sunday), sent from Monday, with the same sent_until claim as the
  daily digest, so it is never sent twice.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import Truncator

from recommendations.models import ConfirmationCount, Subscription
from recommendations.words import long_date, plain_number
from recommendations.services import outgoing_mail
from recommendations.public import records
from recommendations.services.notifications import link

Frequency = Subscription.Frequency
CONFIRM_DAYS = 7
RESEND_AFTER = datetime.timedelta(minutes=10)
CONFIRMATIONS_PER_HOUR = 5
HOUR = datetime.timedelta(hours=1)
KINDS = tuple(records.FOLLOWABLE)
EVERYTHING = records.EVERYTHING  # the kind of a "follow every item" alert
CONFIRM_SALT = "recommendations.alerts.confirm"
UNSUBSCRIBE_SALT = "recommendations.alerts.unsubscribe"
MANAGE_SALT = "recommendations.alerts.manage"
MANAGE_DAYS = 365

BAD_ADDRESS = "Enter an e-mail address in the correct format, like name@example.com"
BAD_FREQUENCY = "Choose how often you want e-mails"
BAD_CONFIRM_LINK = (
    "This confirmation link is not valid. It may be incomplete (copy the whole link from the e-mail) or more "
    f"than {CONFIRM_DAYS} days old. Nothing has been changed: ask for e-mail alerts again."
)
BAD_UNSUBSCRIBE_LINK = (
    "This unsubscribe link is not valid. It may be incomplete: copy the whole link from the e-mail. "
    "Nothing has been changed."
)
NO_LONGER = "These e-mail alerts have already been stopped, or were never confirmed."
BAD_MANAGE_LINK = (
    "This link to manage your e-mail alerts is not valid. It may be incomplete: copy the whole link from the "
    "e-mail. Nothing has been changed."
)
OLD_MANAGE_LINK = (
    f"This link to manage your e-mail alerts is more than {MANAGE_DAYS} days old. Nothing has been changed. Use "
    "the link in a more recent alert; the link to stop an alert, in every e-mail, always works."
)
NOT_YOURS = "That alert is not one of this address’s alerts, or has been stopped. Nothing has been changed."


class AlertError(Exception):
    """The request cannot be done; nothing was changed. The message is for the person."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def target(kind, key):
    """The Followed item, source or theme; AlertError if there is none."""
    if kind not in KINDS or not key:
        raise AlertError("Choose an item, a source or a theme to follow: use the “Get e-mail alerts” link on its page.")
    try:
        return records.followed(kind, key)
    except Http404:
        raise AlertError(f"There is no {kind} “{key}”. Check the link you followed, or find it in the tracker "
                         "and use the “Get e-mail alerts” link on its page.")


def target_of(subscription):
    kind = subscription.target_kind
    if kind == EVERYTHING:
        return records.everything()
    return records.as_followed(kind, getattr(subscription, kind))


def clean_address(email):
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AlertError(BAD_ADDRESS, field="email")
    return email


# --- Tokens --------------------------------------------------------------------


def _fingerprint(subscription):
    return salted_hmac("recommendations.alerts.address", subscription.email).hexdigest()[:16]


def confirm_token(subscription, frequency):
    return signing.dumps([subscription.pk, _fingerprint(subscription), frequency], salt=CONFIRM_SALT)


def unsubscribe_token(subscription):
    return signing.dumps([subscription.pk, _fingerprint(subscription)], salt=UNSUBSCRIBE_SALT)


def manage_token(subscription):
    """The token of the page managing every alert of the subscription's address (see the rules)."""
    if not subscription.address_key:
        subscription.save(update_fields=["address_key"])  # a row restored without one: save() gives it the key
    return signing.dumps(subscription.address_key, salt=MANAGE_SALT)


def _subscription(pk, fingerprint):
    subscription = Subscription.objects.select_related("item", "source", "theme").filter(pk=pk).first()
    if subscription is None or not constant_time_compare(_fingerprint(subscription), fingerprint):
        return None
    return subscription


def check_confirm_token(token):
    """(subscription, frequency) the token asks to confirm; AlertError if it is not valid."""
    try:
        pk, fingerprint, frequency = signing.loads(token, salt=CONFIRM_SALT,
                                                   max_age=datetime.timedelta(days=CONFIRM_DAYS))
    except (signing.BadSignature, TypeError, ValueError):
        raise AlertError(BAD_CONFIRM_LINK)
    subscription = _subscription(pk, fingerprint)
    if subscription is None or frequency not in Frequency.values:
        raise AlertError(BAD_CONFIRM_LINK)
    return subscription, frequency


def check_unsubscribe_token(token):
    """The subscription the token stops, or None if it is already gone; AlertError if the token is not valid."""
    try:
        pk, fingerprint = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise AlertError(BAD_UNSUBSCRIBE_LINK)
    return _subscription(pk, fingerprint)


def check_manage_token(token):
    """The address whose alerts the token manages, or None if it has none left; AlertError if the token is
    not valid or too old."""
    try:
        address_key = signing.loads(token, salt=MANAGE_SALT, max_age=datetime.timedelta(days=MANAGE_DAYS))
    except signing.SignatureExpired:
        raise AlertError(OLD_MANAGE_LINK)
    except (signing.BadSignature, TypeError, ValueError):
        raise AlertError(BAD_MANAGE_LINK)
    if not isinstance(address_key, str) or not address_key:
        raise AlertError(BAD_MANAGE_LINK)
    return Subscription.objects.filter(address_key=address_key).values_list("email", flat=True).first()


# --- Subscribing and unsubscribing ---------------------------------------------


def subscribe(email, kind, key, frequency):
    """Record a request for alerts and send its confirmation e-mail (after commit), unless one was sent too
    recently (see the rules). Returns the subscription, or None if none was recorded."""
    followed = target(kind, key)
    email = clean_address(email)
    if frequency not in Frequency.values:
        raise AlertError(BAD_FREQUENCY, field="frequency")
    model, field_name, _ = records.FOLLOWABLE[kind]
    lookup = {"email": email, kind: model.objects.get(**{field_name: key})}
    now = timezone.now()
    try:
        with transaction.atomic():
            subscription = _claim_confirmation(lookup, frequency, now)
            if subscription is None or not _count_confirmation(email, now):
                raise _NotSent
    except (_NotSent, IntegrityError):
        # An e-mail went out a moment ago (or is going out now, for the same request made twice at
        # once), or the address has had its e-mails for the hour: it can ask again later.
        return Subscription.objects.filter(**lookup).first()
    transaction.on_commit(lambda: _send_confirmation(subscription, followed, frequency))
    return subscription


class _NotSent(Exception):
    pass


def _claim_confirmation(lookup, frequency, now):
    """The subscription this request sends a confirmation e-mail for: a new one, or the existing one if
    its last e-mail went out RESEND_AFTER ago or more; None if not. Claiming an existing one is a single
    UPDATE, so of requests at the same moment only one gets it (a new one: the unique constraints)."""
    existing = Subscription.objects.filter(**lookup).first()
    if existing is None:
        return Subscription.objects.create(**lookup, frequency=frequency, confirmation_sent_at=now)
    claimed = (Subscription.objects.filter(pk=existing.pk)
               .exclude(confirmation_sent_at__gt=now - RESEND_AFTER).update(confirmation_sent_at=now))
    return existing if claimed else None


def _count_confirmation(email, now):
    """Count one more confirmation e-mail to the address, unless it has had CONFIRMATIONS_PER_HOUR in the
    hour since the first of them; False then. The check and the count are one UPDATE of the address's
    ConfirmationCount row, which requests at the same moment make one after the other (a row lock on
    PostgreSQL; SQLite writes one at a time), so no more than the limit pass. Kept in the database, not
    the cache: a cache that fails (or is cleared) must not lift the limit."""
    ConfirmationCount.objects.get_or_create(email=email, defaults={"hour_started_at": now})
    ConfirmationCount.objects.filter(email=email, hour_started_at__lte=now - HOUR).update(hour_started_at=now,
                                                                                         sent=0)
    counted = ConfirmationCount.objects.filter(email=email, sent__lt=CONFIRMATIONS_PER_HOUR).update(sent=F("sent") + 1)
    return counted == 1


def confirm(token):
    """Confirm the subscription (and its chosen frequency). Returns it; AlertError if the token is not valid."""
    subscription, frequency = check_confirm_token(token)
    now = timezone.now()
    if subscription.confirmed_at is None:
        # Alerts start with updates published from now on.
        subscription.confirmed_at = subscription.sent_until = now
    subscription.frequency = frequency
    subscription.save(update_fields=["confirmed_at", "sent_until", "frequency"])
    return subscription


def unsubscribe(token):
    """Delete the subscription. Returns its Followed target, or None if it was already gone.
    AlertError if the token is not valid."""
    subscription = check_unsubscribe_token(token)
    if subscription is None:
        return None
    followed = target_of(subscription)
    subscription.delete()
    return followed


# --- Managing an address's alerts -------------------------------------------------


@dataclass(frozen=True)
class ManagedAlert:
    """One alert on the manage page: only what the page shows, and its own unsubscribe link."""

    id: int
    followed: records.Followed
    frequency: str
    frequency_label: str
    confirmed: bool
    unsubscribe_token: str


def alerts_of(address):
    """The ManagedAlerts of an address: every item first, then by kind and name."""
    subscriptions = Subscription.objects.filter(email=address).select_related("item", "source", "theme")
    managed = [
        ManagedAlert(subscription.pk, target_of(subscription), subscription.frequency,
                     subscription.get_frequency_display(), subscription.confirmed_at is not None,
                     unsubscribe_token(subscription))
        for subscription in subscriptions
    ]
    order = [EVERYTHING, *KINDS]
    return sorted(managed, key=lambda alert: (order.index(alert.followed.kind), alert.followed.name))


def _address(token):
    address = check_manage_token(token)
    if address is None:
        raise AlertError(NO_LONGER)
    return address


def _frequency(frequency):
    if frequency not in Frequency.values:
        raise AlertError(BAD_FREQUENCY + ". Nothing has been changed.", field="frequency")
    return frequency


def change_frequency(token, alert_id, frequency):
    """Change how often one confirmed alert of the token's address is sent. Returns its ManagedAlert;
    AlertError if the token is not valid, or the alert is not the address's own or not confirmed.
    Updates already sent stay sent: the new frequency starts from sent_until."""
    address = _address(token)
    frequency = _frequency(frequency)
    try:
        alert_id = int(alert_id)
    except (TypeError, ValueError):
        raise AlertError(NOT_YOURS)
    if not Subscription.objects.filter(pk=alert_id, email=address, confirmed_at__isnull=False).update(
            frequency=frequency):
        raise AlertError(NOT_YOURS)
    return next(alert for alert in alerts_of(address) if alert.id == alert_id)


def follow_everything(token, frequency):
    """Follow every item with the token's address (if it does not already; then only its frequency changes),
    confirmed at once: the link proves the mailbox. Alerts start with updates published from now on."""
    address = _address(token)
    frequency = _frequency(frequency)
    now = timezone.now()
    everything = {"email": address, "item": None, "source": None, "theme": None}
    try:
        with transaction.atomic():
            subscription, created = Subscription.objects.get_or_create(
                **everything, defaults={"frequency": frequency, "confirmed_at": now, "sent_until": now})
    except IntegrityError:
        # The same request made twice at once: the other one created it.
        subscription, created = Subscription.objects.get(**everything), False
    if not created:
        Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)
    return records.everything()


def stop_all(token):
    """Delete every subscription of the token's address (the privacy notice's promise). Returns how many were
    deleted: none if they had all gone already."""
    address = check_manage_token(token)
    if address is None:
        return 0
    deleted, _ = Subscription.objects.filter(email=address).delete()
    return deleted


def expire(now=None):
    """Delete subscriptions left unconfirmed for CONFIRM_DAYS days, and the counts of confirmation
    e-mails whose hour is over. Returns how many subscriptions were deleted."""
    now = now or timezone.now()
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - datetime.timedelta(days=CONFIRM_DAYS)
    ).delete()
    ConfirmationCount.objects.filter(hour_started_at__lte=now - HOUR).delete()
    return deleted


# --- Sending -------------------------------------------------------------------


def _delay():
    return datetime.timedelta(seconds=settings.TRACKER_ALERT_DELAY_SECONDS)


def start_of_day(now):
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time.min))


def start_of_week(now):
    """Midnight at the start of this week's Monday."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=today.weekday()),
                                                         datetime.time.min))


def send_due(now=None):
    """Send every alert that is due (see the module's rules). Returns the number of e-mails sent."""
    now = now or timezone.now()
    settled = now - _delay()
    confirmed = Subscription.objects.filter(confirmed_at__isnull=False).select_related("item", "source", "theme")
    sent = 0
    for subscription in confirmed.filter(frequency=Frequency.IMMEDIATE, sent_until__lt=settled).order_by("pk"):
        sent += _send_covering(subscription, settled, _immediate_messages)
    for frequency, period_start, build in [(Frequency.DAILY, start_of_day, _daily_digest_messages),
                                           (Frequency.WEEKLY, start_of_week, _weekly_digest_messages)]:
        digest_until = min(period_start(now), settled)
        for subscription in confirmed.filter(frequency=frequency, sent_until__lt=digest_until).order_by("pk"):
            sent += _send_covering(subscription, digest_until, build)
    return sent


def _send_covering(subscription, until, build):
    """Claim the subscription's updates up to `until`, then send them. Returns the number of e-mails sent."""
    since = subscription.sent_until
    if not Subscription.objects.filter(pk=subscription.pk, sent_until=since).update(sent_until=until):
        return 0  # another run claimed them first
    followed = target_of(subscription)
    # Published updates, outcome indicators' values and the board's published responses to feedback, oldest first.
    updates = list(reversed(records.newest_first(
        records.updates_about(followed, after=since, until=until), records.values_about(followed, since, until),
        records.responses_about(followed, after=since, until=until))))
    if not updates:
        return 0
    messages = build(subscription, followed, updates)
    try:
        get_connection().send_messages(messages)
    except Exception:
        # Not sent: the next run tries again.
        Subscription.objects.filter(pk=subscription.pk, sent_until=until).update(sent_until=since)
        raise
    return len(messages)


def update_link(update):
    return f"{link('public:item-detail', update.item_reference)}#update-{update.id}"


def _describe(update):
    if isinstance(update, records.PublicFeedbackResponse):
        return "\n".join([
            f"{update.item_reference}: {update.item_title}",
            f"The improvement board's response to feedback, published on "
            f"{long_date(timezone.localdate(update.published_at))}.",
            "", f"You said: {update.you_said}", "", f"We did: {update.we_did}",
            "", f"Read it on the tracker: {link('public:item-detail', update.item_reference)}#response-{update.id}",
        ])
    if isinstance(update, records.PublishedValue):
        return _describe_value(update)
    lines = [
        f"{update.item_reference}: {update.item_title}",
        f"Published on {long_date(timezone.localdate(update.published_at))}. Reported by {update.organisation_name}.",
        f"{update.kind_label if update.is_board_decision else 'Status'}: {update.status_label}.",
        "",
        update.narrative,
    ]
    if update.target_date:
        lines += ["", f"Target date: {long_date(update.target_date)}."]
    lines += ["", f"Read it on the tracker: {update_link(update)}"]
    return "\n".join(lines)


def _describe_value(news):
    """An outcome indicator's published value, in an alert."""
    indicator, value = news.indicator, news.value
    lines = [
        f"Outcome indicator: {indicator.name}",
        f"Published on {long_date(timezone.localdate(value.published_at))}. Reported by {value.organisation_name}.",
        f"{plain_number(value.value)} {indicator.unit} for {long_date(value.period_start)} to "
        f"{long_date(value.period_end)} ({indicator.better_label.lower()}).",
    ]
    if value.note:
        lines += ["", value.note]
    lines += ["", f"Read it on the tracker: {settings.SITE_URL.rstrip('/')}{news.url}"]
    return "\n".join(lines)


def _subject(update):
    if isinstance(update, records.PublishedValue):
        return f"New value of {update.indicator.name}"
    if isinstance(update, records.PublicFeedbackResponse):
        return f"The board's response to feedback on {update.item_reference}: {update.item_title}"
    return f"New update on {update.item_reference}: {update.item_title}"


def _announcement(update):
    if isinstance(update, records.PublishedValue):
        return "A new outcome indicator value has been published."
    if isinstance(update, records.PublicFeedbackResponse):
        return "The improvement board has published a response to feedback."
    return "A new progress update has been published."


def _footer(subscription, followed):
    return (
        f"\n\n--\nYou get this e-mail because you asked for e-mail alerts about {followed.name} "
        f"({subscription.get_frequency_display().lower()}).\n"
        f"Stop these alerts (one click, no sign-in needed): {_unsubscribe_url(subscription)}\n"
        f"{_manage_line(subscription)}\n"
    )


def _manage_line(subscription):
    return (f"Manage all your e-mail alerts (how often, follow everything, or stop them all): "
            f"{manage_url(subscription)}")


def manage_url(subscription):
    return link("alerts:manage", manage_token(subscription))


def _unsubscribe_url(subscription):
    return link("alerts:unsubscribe", unsubscribe_token(subscription))


def _message(subscription, subject, body):
    url = _unsubscribe_url(subscription)
    return outgoing_mail.message(
        Truncator(subject).chars(150),
        body,
        [subscription.email],
        # RFC 2369 and RFC 8058: mail programs offer their own one-click unsubscribe button.
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _immediate_messages(subscription, followed, updates):
    footer = _footer(subscription, followed)
    return [
        _message(subscription, _subject(update), f"{_announcement(update)}\n\n{_describe(update)}{footer}")
        for update in updates
    ]


def _digest_messages(period, subscription, followed, updates):
    count = f"{len(updates)} update{'s' if len(updates) != 1 else ''}"
    body = f"{count} published about {followed.name}:\n\n" + "\n\n----\n\n".join(_describe(u) for u in updates)
    return [_message(subscription, f"{period} digest: {count} about {followed.name}",
                     body + _footer(subscription, followed))]


def _daily_digest_messages(subscription, followed, updates):
    return _digest_messages("Daily", subscription, followed, updates)


def _weekly_digest_messages(subscription, followed, updates):
    return _digest_messages("Weekly", subscription, followed, updates)


def _send_confirmation(subscription, followed, frequency):
    choice = Frequency(frequency).label.lower()
    url = link("alerts:confirm", confirm_token(subscription, frequency))
    if subscription.confirmed_at:
        body = (
            f"You already get e-mail alerts about {followed.name}. Someone, probably you, asked to change them "
            f"to: {choice}.\n\nTo make that change, open this link and press the button: {url}\n\n"
            "If it was not you, ignore this e-mail: nothing changes."
        )
    else:
        body = (
            f"Someone, probably you, asked for e-mail alerts about {followed.name} ({choice}).\n\n"
            f"To start them, open this link and press the button: {url}\n\n"
            f"The link works for {CONFIRM_DAYS} days. If it was not you, ignore this e-mail: nothing will be "
            f"sent, and the address is deleted after {CONFIRM_DAYS} days."
        )
    outgoing_mail.send(
        Truncator(f"Confirm your e-mail alerts about {followed.name}").chars(150),
        f"{body}\n\n--\n{_manage_line(subscription)}\n", [subscription.email]
    )
