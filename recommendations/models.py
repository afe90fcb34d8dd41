"""
The tracker's domain.

A Source (a report, inspection or proposal paper) has Items (its
recommendations, proposals, findings and judgements). Each Item has an owner
organisation, a status, a RAG rating and target dates, which change only
through approved ProgressUpdates (see recommendations.services.workflow).
Actions are pieces of work that answer several Items, often across Sources.
"""
import datetime
import unicodedata
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils import timezone
from simple_history.models import HistoricalRecords

@deconstructible
class WebAddressValidator:
    """An http(s) address that shows where it really goes.

    Refused: other schemes; a user name before an "@" (in
    https://trusted.example@other.example/ the site is other.example); and
    invisible formatting characters such as right-to-left overrides, which
    can make an address read differently from where it leads.
    """

    def __call__(self, value):
        URLValidator(schemes=["http", "https"], message="Enter a web address that starts with http:// or https://")(
            value
        )
        if any(unicodedata.category(character) == "Cf" for character in value):
            raise ValidationError(
                "The web address contains invisible formatting characters: type it again or copy it from the "
                "browser's address bar",
                code="invisible",
            )
        if "@" in urlsplit(value).netloc:
            raise ValidationError(
                "Remove the part before “@” from the web address: it hides which site the link goes to",
                code="userinfo",
            )

    def __eq__(self, other):
        return isinstance(other, WebAddressValidator)


http_url_validator = WebAddressValidator()


def shown_host(url):
    """The site a link really goes to, to show beside it. A host name that mixes
    scripts (a Cyrillic "а" among Latin letters, say) is shown in its ASCII
    (punycode) form, so a look-alike cannot pass for the real site."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host.isascii():
        return host
    scripts = {unicodedata.name(character, "?").split()[0] for character in host if character.isalpha()}
    if len(scripts) > 1:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host.encode("ascii", "backslashreplace").decode("ascii")
    return host


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        SAFEGUARDING_BOARD = "safeguarding-board", "Safeguarding board"
        NATIONAL = "national", "National body"
        INSPECTORATE = "inspectorate", "Inspectorate"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name


class User(AbstractUser):
    """A person who signs in. Officers belong to one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    is_demo = models.BooleanField(
        default=False, help_text="Demo account: created only where demo mode is on."
    )


class Theme(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("public:theme-detail", args=[self.slug])


class Source(models.Model):
    class Kind(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        INSPECTION = "inspection", "Inspection"
        PROPOSALS = "proposals", "Proposals"
        REVIEW = "review", "Review"

    code = models.SlugField(max_length=20, unique=True, help_text="Short code, such as JAY.")
    short_title = models.CharField(max_length=80)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    published_on = models.DateField()
    url = models.URLField("official document", max_length=500, validators=[http_url_validator])
    summary = models.TextField(blank=True)
    synthetic = models.BooleanField(default=False, help_text="Generated test data, not a real source.")

    class Meta:
        ordering = ["published_on", "code"]
        # Lets the database list items in publication order by walking the
        # sources in this index and each source's items, instead of joining
        # and sorting every item on every page of the item list.
        indexes = [models.Index(fields=["published_on", "code"])]

    def __str__(self):
        return self.short_title

    def get_absolute_url(self):
        return reverse("public:source-detail", args=[self.code])


# --- What needs attention ------------------------------------------------------
#
# The one definition of overdue, slipping and stale. Each is a Q object, so the
# same rule filters live items and their history rows (the board's "as at"),
# and counts in aggregates; each has a Python mirror on Item for one item.


def overdue_condition(today):
    """Current target date passed and not yet implemented or assured."""
    return models.Q(current_target_date__lt=today) & ~models.Q(status__in=Item.DONE_STATUSES)


def slipping_condition():
    """Current target date later than the first one agreed."""
    return models.Q(current_target_date__gt=models.F("baseline_target_date"))


def stale_since(now):
    """Items with no update published since this moment are stale."""
    return now - datetime.timedelta(days=settings.TRACKER_STALE_AFTER_DAYS)


def stale_condition(now):
    """Open (not implemented or assured), and nothing published in the last
    TRACKER_STALE_AFTER_DAYS days: counted from the latest published update, or
    from when the item was added if it has none. An update waiting for review
    does not count: the public record is what is stale.

    `now` may be a past moment (the "as at" view): updates published after it
    are then not seen.
    """
    since = stale_since(now)
    published = ProgressUpdate.objects.published().filter(item_id=models.OuterRef("id"), published_at__lt=now)
    return (
        ~models.Q(status__in=Item.DONE_STATUSES)
        & ~models.Exists(published.filter(published_at__gte=since))
        & (models.Q(created_at__lt=since) | models.Exists(published))
    )


class ItemQuerySet(models.QuerySet):
    def overdue(self, today):
        return self.filter(overdue_condition(today))

    def slipping(self):
        return self.filter(slipping_condition())

    def stale(self, now):
        return self.filter(stale_condition(now))

    def with_last_published(self):
        """Annotate last_published_at: when the latest published update was published (or None)."""
        latest = ProgressUpdate.objects.published().filter(item_id=models.OuterRef("pk")).order_by("-published_at")
        return self.annotate(last_published_at=models.Subquery(latest.values("published_at")[:1]))


class Item(models.Model):
    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", "Recommendation"
        PROPOSAL = "proposal", "Proposal"
        FINDING = "finding", "Finding"
        JUDGEMENT = "judgement", "Judgement"

    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires-improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    class Provenance(models.TextChoices):
        SEED = "seed", "Stated in the seed articles"
        RECALLED = "recalled", "Recalled subject, to be checked against the official report"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IMPLEMENTED = "implemented", "Implemented"
        ASSURED = "assured", "Assured and closed"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"
        NOT_RATED = "", "Not rated"

    # Statuses that count as done: no longer overdue, counted as delivered.
    DONE_STATUSES = (Status.IMPLEMENTED, Status.ASSURED)
    # Statuses an officer may propose; assurance is the board's decision.
    OFFICER_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.IMPLEMENTED, Status.NOT_ACCEPTED)

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    reference = models.CharField(max_length=30, unique=True, help_text="Stable reference, such as JAY-04.")
    number = models.PositiveIntegerField(help_text="Position within the source.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="Our own summary; not the official wording.")
    official_wording = models.TextField(blank=True)
    provenance = models.CharField(max_length=10, choices=Provenance.choices)
    verified = models.BooleanField(
        default=False, help_text="The official wording has been checked against the source document."
    )
    official_reference = models.CharField(
        "where in the official document", max_length=200, blank=True,
        help_text="Page and paragraph of the official wording, such as “page 12, paragraph 3.4”.",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="items")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_items")
    lead_role = models.CharField(max_length=200, help_text="A job title, never a person's name.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField("RAG rating", max_length=10, choices=Rag.choices, blank=True)
    baseline_target_date = models.DateField(null=True, blank=True)
    current_target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["source__published_on", "source__code", "number"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["current_target_date"]),
            # The public pages' Last-Modified/ETag read the latest change.
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("public:item-detail", args=[self.reference])

    @property
    def is_done(self):
        return self.status in self.DONE_STATUSES

    def clean(self):
        # Wording is published as official only with the wording itself and where it stands in the document.
        if self.verified:
            missing = {}
            if not self.official_wording.strip():
                missing["official_wording"] = "Paste the official wording before marking it as verified."
            if not self.official_reference.strip():
                missing["official_reference"] = ("Give the page and paragraph of the official wording before "
                                                 "marking it as verified.")
            if missing:
                raise ValidationError(missing)

    def record_verification(self, user, previous=None):
        """Note who verified the official wording and when: on first verification, and again
        whenever verified wording or its reference changes. `previous`: the item as stored."""
        if not self.verified:
            self.verified_by = self.verified_at = None
            return
        changed = previous is None or not previous.verified or (
            (previous.official_wording, previous.official_reference) != (self.official_wording, self.official_reference)
        )
        if changed:
            self.verified_by = user
            self.verified_at = timezone.now()

    def is_overdue(self, today=None):
        """Python mirror of overdue_condition."""
        today = today or timezone.localdate()
        return bool(self.current_target_date and self.current_target_date < today and not self.is_done)

    @property
    def is_slipping(self):
        """Python mirror of slipping_condition."""
        return bool(
            self.baseline_target_date and self.current_target_date
            and self.current_target_date > self.baseline_target_date
        )

    def is_stale(self, now=None):
        """Python mirror of stale_condition; needs ItemQuerySet.with_last_published()."""
        since = stale_since(now or timezone.now())
        if self.is_done:
            return False
        return (self.last_published_at or self.created_at) < since

    @property
    def days_slipped(self):
        if self.baseline_target_date and self.current_target_date:
            return max((self.current_target_date - self.baseline_target_date).days, 0)
        return 0


# Colours of each value on tags and charts (classes in frontend/tracker.scss);
# the words are the choices' own labels. Every value has one.
STATUS_COLOURS = {
    Item.Status.NOT_STARTED: "grey",
    Item.Status.IN_PROGRESS: "blue",
    Item.Status.IMPLEMENTED: "green",
    Item.Status.ASSURED: "purple",
    Item.Status.NOT_ACCEPTED: "red",
}
RAG_COLOURS = {
    Item.Rag.RED: "red",
    Item.Rag.AMBER: "amber",
    Item.Rag.GREEN: "green",
    Item.Rag.NOT_RATED: "none",
}


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=ProgressUpdate.State.APPROVED)


class ProgressUpdate(models.Model):
    """An officer's report of progress on one item, reviewed by the board; or a
    decision of the board itself (assurance, reopening, correction), published
    as it is made."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Published"
        RETURNED = "returned", "Returned"

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress update"
        ASSURANCE = "assurance", "Assured and closed by the board"
        REOPENING = "reopening", "Reopened by the board"
        CORRECTION = "correction", "Corrected by the board"

    # An organisation has at most one of these on an item at a time.
    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED)
    # Who is credited in public with an update that has no organisation: the board's own decisions.
    BOARD_NAME = "The improvement board"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="updates")
    # The author's organisation when it was written: it owns the update (only
    # its officers read or change it before publication) and is credited with
    # it in public. None for the board's own decisions.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="updates"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROGRESS)
    narrative = models.TextField()
    proposed_status = models.CharField(max_length=20, choices=Item.Status.choices)
    proposed_rag = models.CharField("proposed RAG rating", max_length=10, choices=Item.Rag.choices, blank=True)
    proposed_target_date = models.DateField(null=True, blank=True)
    target_date_reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_updates",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change; a write that names an older version is refused,
    # so two people acting on the same update cannot overwrite each other.
    version = models.PositiveIntegerField(default=1)

    objects = ProgressUpdateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Saving twice (a double click) edits the one open update instead of adding another.
            models.UniqueConstraint(
                fields=["item", "organisation"],
                condition=models.Q(state__in=["draft", "submitted", "returned"]),
                name="one_open_update_per_item_and_organisation",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["item", "state", "published_at"]),
            # The latest publication, for the public pages' Last-Modified/ETag.
            models.Index(fields=["state", "published_at"]),
        ]

    def __str__(self):
        return f"Update on {self.item.reference} ({self.get_state_display()})"


UPDATE_STATE_COLOURS = {
    ProgressUpdate.State.DRAFT: "grey",
    ProgressUpdate.State.SUBMITTED: "blue",
    ProgressUpdate.State.APPROVED: "green",
    ProgressUpdate.State.RETURNED: "orange",
}


class EvidenceLinkQuerySet(models.QuerySet):
    def public(self):
        """Evidence added directly, or attached to a published update."""
        return self.filter(models.Q(update__isnull=True) | models.Q(update__state=ProgressUpdate.State.APPROVED))


class EvidenceLink(models.Model):
    """A link to a document that shows progress. Public once its update is."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    url = models.URLField("web address", max_length=500, validators=[http_url_validator])
    date = models.DateField(help_text="Date of the document.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        # The latest evidence, for the public pages' Last-Modified/ETag.
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return self.title

    @property
    def host(self):
        return shown_host(self.url)


class Action(models.Model):
    """A piece of work that answers one or more items, possibly across sources."""

    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_actions")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_actions")
    items = models.ManyToManyField(Item, related_name="actions")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[items, partners])

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return f"{self.reference}: {self.title}"


class ReminderLog(models.Model):
    """One reminder e-mail per owner and day, so cron can run it freely."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="one_reminder_per_day")]


class PublicVersion(models.Model):
    """One row: a token replaced by every change to what the public sees
    (and a second for the board's figures, BOARD_ROW).

    Cached public pages are kept under it (recommendations.http_cache). It is
    in the database so that every worker and server reads the same one; a
    random token, not a counter, so a page cached against another database
    (before a restore, say) can never match.
    """

    token = models.CharField(max_length=32)

    ROW = 1
    # A second row, replaced by every change the board's dashboards count: the
    # public changes and unpublished work too (drafts, submissions, returns).
    BOARD_ROW = 2

    @classmethod
    def current(cls, row=ROW):
        return cls.objects.filter(pk=row).values_list("token", flat=True).first() or "none"

    @classmethod
    def bump(cls, row=ROW):
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=row).update(token=token):
            cls.objects.update_or_create(pk=row, defaults={"token": token})


class PublicationLogEntry(models.Model):
    """One entry of the tamper-evident publication log (services/publication_log.py).

    Appended, never changed: each publication, correction, assurance,
    reopening and verification of official wording, with the public content
    as published and a hash chained to the entry before it.
    """

    class Kind(models.TextChoices):
        PUBLICATION = "publication", "Update published"
        ASSURANCE = "assurance", "Assured and closed"
        REOPENING = "reopening", "Reopened"
        CORRECTION = "correction", "Corrected"
        VERIFICATION = "verification", "Official wording verified"

    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    item_reference = models.CharField(max_length=30)
    update_id = models.PositiveIntegerField(null=True, blank=True, help_text="The published update, if any.")
    by = models.CharField(max_length=300, help_text="Which role or organisation; never a person.")
    content = models.TextField(help_text="The public content as published (canonical JSON).")
    content_hash = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "publication log entries"
        constraints = [
            # The log is a chain: no two entries follow the same one.
            models.UniqueConstraint(fields=["previous_hash"], name="publication_log_is_a_chain"),
        ]

    def __str__(self):
        return f"{self.pk}: {self.get_kind_display()} {self.item_reference}"
