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
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connection, connections, models
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils import timezone
from simple_history.models import HistoricalRecords

from recommendations import words
from recommendations.words import long_date


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


def years_after(day, years):
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


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
    # Where an item past its target date or with an update overdue escalates after the
    # officers' reminder (services/escalation.py): a role's shared mailbox, such as the
    # director's office, rather than a person.
    lead_contact_email = models.EmailField(
        "lead role's contact e-mail", blank=True,
        help_text="Optional. Escalations go here after the officers' reminder: a role's shared "
                  "mailbox rather than a person's.",
    )

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

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # its publication date or code may have moved its items in the list
            number_items_in_list_order(using=self._state.db)

    def get_absolute_url(self):
        return reverse("public:source-detail", args=[self.code])


# --- What needs attention ------------------------------------------------------
#
# The one definition of overdue, slipping and update overdue. Each is a Q object, so the
# same rule filters live items and their history rows (the board's "as at"),
# and counts in aggregates; each has a Python mirror on Item for one item.


def task_condition():
    """Items that are work to do: every kind but a judgement (an inspectorate's grade, which
    is given, not delivered). Only tasks are counted as implemented, overdue or update overdue."""
    return ~models.Q(kind=Item.Kind.JUDGEMENT)


def overdue_condition(today):
    """A task whose current target date has passed and that is not yet implemented or assured."""
    return task_condition() & models.Q(current_target_date__lt=today) & ~models.Q(status__in=Item.FINISHED_STATUSES)


def slipping_condition():
    """Current target date later than the first one agreed."""
    return models.Q(current_target_date__gt=models.F("baseline_target_date"))


# The Python mirrors on plain values, for downloads that read rows rather than
# model instances; Item's methods below call them.


def item_is_overdue(status, current_target_date, today, kind):
    """Python mirror of overdue_condition."""
    return bool(kind != Item.Kind.JUDGEMENT and current_target_date and current_target_date < today
                and status not in Item.FINISHED_STATUSES)


def item_update_due(status, last_reported_at, created_at, update_cadence_months, kind):
    """When the owner's next progress update is due (a moment), or None once implemented or
    assured, and for a judgement (no updates are asked for): the span update_overdue_condition checks,
    from the owner's last report (last_report)."""
    if status in Item.FINISHED_STATUSES or kind == Item.Kind.JUDGEMENT:
        return None
    return (last_reported_at or created_at) + cadence_delta(update_cadence_months)


# How often each item is expected to have a published update: a number of
# months, quarterly unless an administrator sets otherwise.
CADENCE_MONTHS = range(1, 13)
DEFAULT_CADENCE_MONTHS = 3


def cadence_delta(months):
    """An update cadence as a span of time: a month is a twelfth of a year, in
    whole days (quarterly is 91 days, yearly 365). The query below and the item's
    next_update_due use this same span, so the page and the lists agree."""
    return datetime.timedelta(days=round(months * 365.25 / 12))


def last_report(before=None):
    """The owner's last report: when the row's item last had a progress update published
    (ProgressUpdateQuerySet.owner_reports; before `before`, if given), or None. The board's
    own decisions are not reports, so they never reset the reporting clock.

    Refers to the item by "id", not "pk": on its history rows the pk is the history row's own.
    """
    reports = ProgressUpdate.objects.owner_reports().filter(item_id=models.OuterRef("id"))
    if before is not None:
        reports = reports.filter(published_at__lt=before)
    return models.Subquery(reports.order_by("-published_at").values("published_at")[:1])


def update_overdue_condition(now):
    """"Update overdue": open (not implemented or assured), and the owner has not
    reported for longer than the item's update cadence: counted from the owner's
    last report (the latest published progress update, last_report), or from
    when the item was added if it has none. An update waiting for review does
    not count (the public record is what is out of date), nor does a decision of the
    board (a correction, a reopening, an assurance): the clock is the owner's.

    `now` may be a past moment (the "as at" view): updates published after it
    are then not seen. Works on item rows and their history rows alike.
    """
    # "Published since now - cadence", with the cadence read from each row: one
    # datetime per possible cadence, so no date arithmetic in SQL (which SQLite
    # and PostgreSQL write differently).
    since = models.Case(
        *[
            models.When(update_cadence_months=months, then=models.Value(now - cadence_delta(months)))
            for months in CADENCE_MONTHS
        ],
        output_field=models.DateTimeField(),
    )
    counted_from = Coalesce(last_report(before=now), models.F("created_at"))
    return task_condition() & ~models.Q(status__in=Item.FINISHED_STATUSES) & models.Q(LessThan(counted_from, since))


def number_items_in_list_order(using="default"):
    """Set every item's list_position to its place in Item.Meta.ordering (1, 2, 3, ...),
    in one statement that writes only the places that changed.

    Item.save() calls it for a new item and one given another source or number,
    Source.save() when a source changes; code that adds items in bulk calls it once
    after. Places are only an order: a deleted item leaves a gap, which changes nothing.
    The window function and UPDATE ... FROM are written the same in SQLite and PostgreSQL.
    """
    connection = connections[using]
    item_table, source_table = (connection.ops.quote_name(model._meta.db_table) for model in (Item, Source))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {item_table} SET list_position = ranked.position FROM (
                   SELECT item.id AS id, ROW_NUMBER() OVER (
                       ORDER BY source.published_on, source.code, item.number, item.id
                   ) AS position
                   FROM {item_table} AS item INNER JOIN {source_table} AS source ON source.id = item.source_id
               ) AS ranked
               WHERE {item_table}.id = ranked.id
               AND ({item_table}.list_position IS NULL OR {item_table}.list_position <> ranked.position)"""
        )


class ItemQuerySet(models.QuerySet):
    def overdue(self, today):
        return self.filter(overdue_condition(today))

    def slipping(self):
        return self.filter(slipping_condition())

    def tasks(self):
        """Every item but the judgements (task_condition)."""
        return self.filter(task_condition())

    def update_overdue(self, now):
        return self.filter(update_overdue_condition(now))

    def with_last_report(self):
        """Annotate last_reported_at: the owner's last report (last_report), or None."""
        return self.annotate(last_reported_at=last_report())


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
        # The board's honest closures: closed, but never implemented (UNDELIVERED_CLOSURES).
        CLOSED_NOT_IMPLEMENTED = "closed_not_implemented", "Closed as not implemented"
        SUPERSEDED = "superseded", "Closed as superseded"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"
        NOT_RATED = "", "Not rated"

    class FormalResponse(models.TextChoices):
        """What the organisation formally said it would do about the item; apart from delivery (status)."""
        ACCEPTED = "accepted", "Accepted"
        ACCEPTED_IN_PRINCIPLE = "accepted_in_principle", "Accepted in principle"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"
        AWAITING = "awaiting", "Awaiting response"

    # A target date further ahead than this is a typing mistake or not a real plan.
    TARGET_DATE_YEARS_AHEAD = 10

    # Statuses that count as done: delivered, counted as implemented.
    DONE_STATUSES = (Status.IMPLEMENTED, Status.ASSURED)
    # Closed by the board without being delivered: dropped (with reasons) or replaced by another
    # item or joint action. Counted apart everywhere, never as implemented.
    UNDELIVERED_CLOSURES = (Status.CLOSED_NOT_IMPLEMENTED, Status.SUPERSEDED)
    # Closed by a decision of the board: no update is written on it until the board reopens it.
    CLOSED_STATUSES = (Status.ASSURED, *UNDELIVERED_CLOSURES)
    # No longer open work, delivered or not: never past its target date, never with an update overdue.
    FINISHED_STATUSES = (*DONE_STATUSES, *UNDELIVERED_CLOSURES)
    # Statuses an officer may propose; assurance is the board's decision.
    OFFICER_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.IMPLEMENTED, Status.NOT_ACCEPTED)

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    reference = models.CharField(max_length=30, unique=True, help_text="Stable reference, such as JAY-04.")
    number = models.PositiveIntegerField(help_text="Position within the source.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Judgements only: the grade given (on the day the source was published), and the grades
    # later re-inspections gave, oldest first: [{"grade": "good", "judged_on": "YYYY-MM-DD"}].
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    later_grades = models.JSONField(default=list, blank=True, help_text=(
        "Judgements only: grades given by later re-inspections, oldest first, each "
        "{\"grade\": ..., \"judged_on\": \"YYYY-MM-DD\"}; set from the source file."
    ))
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
    # Where the item is in the official document, so a reader lands on it rather than on
    # the document's first page. Public whether or not the wording is verified yet.
    document_url = models.URLField(
        "link to the item in the official document", max_length=500, blank=True, validators=[http_url_validator],
        help_text="Optional: the web address of the page or paragraph, such as the document's PDF address "
                  "ending #page=12. Without it the item links to the whole document.",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="items")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_items")
    lead_role = models.CharField(max_length=200, help_text="A job title, never a person's name.")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NOT_STARTED)
    # Superseded items only: what replaced it, another item or a joint action (one of the two).
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="supersedes")
    superseded_by_action = models.ForeignKey("Action", on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="supersedes")
    rag = models.CharField("RAG rating", max_length=10, choices=Rag.choices, blank=True)
    baseline_target_date = models.DateField(null=True, blank=True)
    current_target_date = models.DateField(null=True, blank=True)
    # Not workflow fields: administrators record the response and set the cadence.
    formal_response = models.CharField(
        max_length=25, choices=FormalResponse.choices, default=FormalResponse.AWAITING,
        help_text="The owner's formal response to the item, apart from how delivery is going.",
    )
    formal_response_note = models.CharField(
        "reasons or note", max_length=500, blank=True,
        help_text="Public. Required when the item was not accepted: say why.",
    )
    formal_response_date = models.DateField("date of the response", null=True, blank=True)
    update_cadence_months = models.PositiveSmallIntegerField(
        "update every (months)", default=DEFAULT_CADENCE_MONTHS,
        validators=[MinValueValidator(CADENCE_MONTHS[0]), MaxValueValidator(CADENCE_MONTHS[-1])],
        help_text="How often a progress update should be published: 3 is quarterly, 12 yearly. An open item "
                  "with no update published for longer is shown as update overdue.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The item's place in the order below, kept by number_items_in_list_order(): an indexed
    # column, so a list sorts and pages its matches without joining every one to its source.
    list_position = models.PositiveIntegerField(null=True, editable=False)

    objects = ItemQuerySet.as_manager()
    # A place in a list is not part of the item's record.
    history = HistoricalRecords(excluded_fields=["list_position"])

    class Meta:
        ordering = ["source__published_on", "source__code", "number"]
        indexes = [
            # The item list in its order, whole or by status.
            models.Index(fields=["list_position"]),
            models.Index(fields=["status", "list_position"]),
            # Status alone, and "overdue" (status, then target date before today): a filtered
            # list counts its matches from the index instead of reading every item of a status.
            models.Index(fields=["status", "current_target_date"]),
            models.Index(fields=["current_target_date"]),
            # The public pages' Last-Modified/ETag read the latest change.
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            # update_overdue_condition knows only these cadences.
            models.CheckConstraint(
                condition=models.Q(update_cadence_months__gte=CADENCE_MONTHS[0],
                                   update_cadence_months__lte=CADENCE_MONTHS[-1]),
                name="update_cadence_within_a_year",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @classmethod
    def from_db(cls, db, field_names, values):
        item = super().from_db(db, field_names, values)
        item._loaded_place = (item.__dict__.get("source_id"), item.__dict__.get("number"))
        return item

    def save(self, *args, update_fields=None, **kwargs):
        # A new item, or one given another source or number, takes a new place in the list.
        moved = self._state.adding or getattr(self, "_loaded_place", None) != (self.source_id, self.number)
        if update_fields is None and not self._state.adding and self.pk is not None:
            # Places are written only by number_items_in_list_order(): an item read before
            # another item was added must not write its old place back.
            update_fields = [field.name for field in self._meta.concrete_fields
                             if not field.primary_key and field.name != "list_position"]
        super().save(*args, update_fields=update_fields, **kwargs)
        if moved:
            number_items_in_list_order(using=self._state.db)
            self._loaded_place = (self.source_id, self.number)

    def get_absolute_url(self):
        return reverse("public:item-detail", args=[self.reference])

    @property
    def is_judgement(self):
        """A grade an inspectorate gave, not a task: no status, RAG rating, target date or updates."""
        return self.kind == self.Kind.JUDGEMENT

    def clean(self):
        problems = formal_response_problems(self.formal_response, self.formal_response_note, self.formal_response_date)
        # Wording is published as official only with the wording itself and where it stands in the document.
        if self.verified:
            if not self.official_wording.strip():
                problems["official_wording"] = "Paste the official wording before marking it as verified."
            if not self.official_reference.strip():
                problems["official_reference"] = ("Give the page and paragraph of the official wording before "
                                                  "marking it as verified.")
        # Target dates belong to the workflow (read-only in the admin), but any
        # other route that changes one meets the same limits.
        stored = Item.objects.filter(pk=self.pk).values("baseline_target_date", "current_target_date").first() or {}
        for name in ("baseline_target_date", "current_target_date"):
            day = getattr(self, name)
            if day and self.source_id and day != stored.get(name):
                message = self.target_date_error(day, what=self._meta.get_field(name).verbose_name.capitalize())
                if message:
                    problems[name] = message
        if problems:
            raise ValidationError(problems)

    def target_date_error(self, day, what="The target date", today=None):
        """Why `day` cannot be this item's target date, or None if it can.

        The one rule for every new target date (an officer's proposal, a board
        correction or reopening, the admin): not before the day it is written
        (today: a plan cannot end in the past), nor before the item's source was
        published, and at most TARGET_DATE_YEARS_AHEAD years after today.
        """
        today = today or timezone.localdate()
        latest = years_after(today, self.TARGET_DATE_YEARS_AHEAD)
        if day < self.source.published_on:
            return (f"{what} must be the same as or after {long_date(self.source.published_on)}, the date its "
                    f"source ({self.source.short_title}) was published")
        if day < today:
            return f"{what} must be today or in the future"
        if day > latest:
            return (f"{what} must be the same as or before {long_date(latest)}, "
                    f"{self.TARGET_DATE_YEARS_AHEAD} years from today")
        return None

    def green_error(self, status, rag, target_date, today=None):
        """Why the item cannot be published with this status, RAG rating and target date
        (those it would have once the change is applied), or None if it can.

        Green says "on track": it cannot stand beside a target date that has passed
        without the item being implemented (overdue_condition).
        """
        if rag == self.Rag.GREEN and item_is_overdue(status, target_date, today or timezone.localdate(), self.kind):
            return (f"Green means on track, but the item would be past its target date ({long_date(target_date)}) "
                    "and not implemented.")
        return None

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
        return item_is_overdue(self.status, self.current_target_date, today or timezone.localdate(), self.kind)

    @property
    def is_slipping(self):
        """Python mirror of slipping_condition."""
        return bool(
            self.baseline_target_date and self.current_target_date
            and self.current_target_date > self.baseline_target_date
        )

    def next_update_due(self):
        """When the owner's next progress update is due (a moment), or None for an implemented
        or assured item; needs ItemQuerySet.with_last_report()."""
        return item_update_due(self.status, self.last_reported_at, self.created_at, self.update_cadence_months,
                               self.kind)

    def is_update_overdue(self, now=None):
        """Python mirror of update_overdue_condition ("update overdue": the owner has not reported for
        longer than the cadence); needs ItemQuerySet.with_last_report()."""
        due = self.next_update_due()
        return due is not None and due < (now or timezone.now())

    @property
    def days_slipped(self):
        if self.baseline_target_date and self.current_target_date:
            return max((self.current_target_date - self.baseline_target_date).days, 0)
        return 0


def formal_response_problems(response, note, date):
    """{field: message} for a formal response that cannot be published as it stands;
    shared by Item.clean() and the seed loader."""
    problems = {}
    if response == Item.FormalResponse.NOT_ACCEPTED and not (note or "").strip():
        problems["formal_response_note"] = "Give the reasons the item was not accepted."
    if response == Item.FormalResponse.AWAITING and date:
        problems["formal_response_date"] = "Remove the date of the response: no response has been given yet."
    return problems


# Colours of each value on tags and charts (classes in frontend/tracker.scss);
# the words are the choices' own labels. Every value has one.
STATUS_COLOURS = {
    Item.Status.NOT_STARTED: "grey",
    Item.Status.IN_PROGRESS: "blue",
    Item.Status.IMPLEMENTED: "green",
    Item.Status.ASSURED: "purple",
    Item.Status.NOT_ACCEPTED: "red",
    Item.Status.CLOSED_NOT_IMPLEMENTED: "orange",
    Item.Status.SUPERSEDED: "turquoise",
}
GRADE_COLOURS = {
    Item.Grade.OUTSTANDING: "purple",
    Item.Grade.GOOD: "green",
    Item.Grade.REQUIRES_IMPROVEMENT: "orange",
    Item.Grade.INADEQUATE: "red",
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

    def owner_reports(self):
        """The owner's reports: published updates that are not decisions of the board. They
        alone keep an item's reporting clock (update_overdue_condition, "update overdue")."""
        return self.published().exclude(kind__in=ProgressUpdate.BOARD_DECISIONS)


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
        CLOSURE = "closure", "Closed by the board without being implemented"

    class EvidenceStrength(models.TextChoices):
        """How strong the evidence the board saw when it assured an item, weakest first."""

        POLICY = "policy", "Policy or plan agreed"
        OPERATING = "operating", "In place and operating"
        AUDITED = "audited", "Audited or inspected"
        OUTCOMES = "outcomes", "Outcomes improved"

    # The board's own decisions, published as it makes them: never the owner's report.
    BOARD_DECISIONS = (Kind.ASSURANCE, Kind.REOPENING, Kind.CORRECTION, Kind.CLOSURE)
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
    proposed_status = models.CharField(max_length=30, choices=Item.Status.choices)
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
    # Assurances only: the strength of the evidence the board saw, and which of
    # the item's published evidence links the reviewer checked.
    evidence_strength = models.CharField(max_length=10, choices=EvidenceStrength.choices, blank=True)
    evidence_checked = models.ManyToManyField("EvidenceLink", blank=True, related_name="checked_by")
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

    @property
    def is_board_decision(self):
        """The board's own decision, not a report from the owner (BOARD_DECISIONS)."""
        return self.kind in self.BOARD_DECISIONS


UPDATE_STATE_COLOURS = {
    ProgressUpdate.State.DRAFT: "grey",
    ProgressUpdate.State.SUBMITTED: "blue",
    ProgressUpdate.State.APPROVED: "green",
    ProgressUpdate.State.RETURNED: "orange",
}


def public_evidence_condition(prefix=""):
    """Evidence added directly, or attached to a published update: the one definition, for
    evidence links themselves (no prefix) or reached through a relation ("evidencelink__")."""
    return models.Q(**{f"{prefix}update__isnull": True}) | models.Q(
        **{f"{prefix}update__state": ProgressUpdate.State.APPROVED}
    )


class EvidenceLinkQuerySet(models.QuerySet):
    def public(self):
        """Evidence added directly, or attached to a published update."""
        return self.filter(public_evidence_condition())


ARCHIVED_IS_THE_LINK = ("The archived copy's web address is the link itself: give the address of the copy the "
                        "web archive keeps, or leave it blank")
# EvidenceLink's fields the link checker writes: not part of the record, so not in its history.
CHECK_FIELDS = ["checked_at", "check_answer", "failing_since", "broken", "check_claimed_at"]


class EvidenceLink(models.Model):
    """A link to a document that shows progress. Public once its update is."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    url = models.URLField("web address", max_length=500, validators=[http_url_validator])
    date = models.DateField(help_text="Date of the document.")
    # A copy kept by a web archive, shown beside the link: links rot over the years a response takes.
    archived_url = models.URLField(
        "archived copy's web address", max_length=500, blank=True, validators=[http_url_validator],
        help_text="Optional: the address of a copy kept by a web archive (such as the UK Web Archive or the "
                  "Internet Archive), shown beside the link in case the page moves or goes.",
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # What `manage.py check_evidence_links` (services/link_checker.py) found when it last opened the
    # link: written by it alone, with a query update, so not kept in the change history.
    checked_at = models.DateTimeField("last checked", null=True, blank=True)
    check_answer = models.CharField(
        "answer when checked", max_length=200, blank=True,
        help_text="What the site answered: an HTTP status such as “404 Not Found”, or a failure such as "
                  "“timed out”.",
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first of the failed checks since the link last opened.",
    )
    broken = models.BooleanField(
        default=False, help_text="Failed on checks on two different days, the latest included.",
    )
    # The run checking the link now, so two runs at once never check or record it twice.
    check_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceLinkQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=CHECK_FIELDS)

    class Meta:
        ordering = ["-date", "title"]
        indexes = [
            # The latest evidence, for the public pages' Last-Modified/ETag.
            models.Index(fields=["created_at"]),
            # The broken links, for the board and My items.
            models.Index(fields=["broken", "item"]),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.archived_url and self.archived_url == self.url:
            raise ValidationError({"archived_url": ARCHIVED_IS_THE_LINK})

    @property
    def host(self):
        return shown_host(self.url)

    @property
    def archive_host(self):
        return shown_host(self.archived_url) if self.archived_url else ""


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


class Subscription(models.Model):
    """A reader's e-mail alerts about one item, source or theme, or about every item
    (no target: "follow everything") (services/alerts.py).

    Holds the address and its choices only: no name, no account, no record of
    what was sent beyond when the last confirmation e-mail went out and the
    time up to which alerts have been sent. address_key is a random value
    shared by an address's subscriptions: the signed "manage your alerts" link
    names it rather than the address, so the address is never in a link.
    """

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "An e-mail for each update, as soon as it is published"
        DAILY = "daily", "A daily digest: one e-mail with the day’s updates"
        WEEKLY = "weekly", "A weekly digest: one e-mail each Monday with the past week’s updates"

    email = models.EmailField("e-mail address")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the last confirmation e-mail went out: limits how many one address can be sent.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Updates published up to this time have been sent, or came before the
    # subscription was confirmed: what makes send_alerts safe to run twice.
    sent_until = models.DateTimeField(null=True, blank=True)
    address_key = models.CharField(max_length=32, editable=False, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="subscription_has_at_most_one_target",
                condition=(
                    models.Q(item__isnull=False, source__isnull=True, theme__isnull=True)
                    | models.Q(item__isnull=True, source__isnull=False, theme__isnull=True)
                    | models.Q(item__isnull=True, source__isnull=True, theme__isnull=False)
                    | models.Q(item__isnull=True, source__isnull=True, theme__isnull=True)
                ),
            ),
            models.UniqueConstraint(fields=["email"], condition=models.Q(item__isnull=True, source__isnull=True,
                                                                         theme__isnull=True),
                                    name="one_everything_subscription_per_address"),
            models.UniqueConstraint(fields=["email", "item"], condition=models.Q(item__isnull=False),
                                    name="one_subscription_per_address_and_item"),
            models.UniqueConstraint(fields=["email", "source"], condition=models.Q(source__isnull=False),
                                    name="one_subscription_per_address_and_source"),
            models.UniqueConstraint(fields=["email", "theme"], condition=models.Q(theme__isnull=False),
                                    name="one_subscription_per_address_and_theme"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "frequency"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.get_frequency_display()}: {self.target_kind} {self.target_key}"

    def save(self, *args, **kwargs):
        if not self.address_key:
            # The address's key if it has one already; two first subscriptions made at the same moment may
            # get a key each, and the manage page finds every subscription of the address from either.
            self.address_key = (Subscription.objects.filter(email=self.email).exclude(address_key="")
                                .values_list("address_key", flat=True).first() or new_address_key())
        super().save(*args, **kwargs)

    @property
    def target_kind(self):
        if self.item_id:
            return "item"
        return "source" if self.source_id else "theme" if self.theme_id else "everything"

    @property
    def target_key(self):
        """The item's reference, the source's code or the theme's slug; blank for every item."""
        if self.item_id:
            return self.item.reference
        return self.source.code if self.source_id else self.theme.slug if self.theme_id else ""


def new_address_key():
    """A random key for an alerts address (Subscription.address_key)."""
    return uuid.uuid4().hex


class EscalationStep(models.Model):
    """One step of an item's escalation (services/escalation.py has the schedule and
    says when an item escalates: past its target date or with an update overdue).

    The steps of one spell of escalation stay open (resolved_at empty) until the
    item no longer escalates, gets a published update or is closed; its next
    spell starts again at step 1. sent_to says who was told, by role, never
    a person's name or address.
    """

    class Step(models.IntegerChoices):
        OFFICERS = 1, "Reminder to the owner's officers"
        LEAD_CONTACT = 2, "Escalated to the lead role's contact"
        BOARD = 3, "Listed for the board"

    class Reason(models.TextChoices):
        UPDATE_OVERDUE = "update_overdue", words.UPDATE_OVERDUE.name
        PAST_TARGET = "past_target", words.PAST_TARGET.name

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="escalation_steps")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    recorded_at = models.DateTimeField()
    sent_to = models.CharField(max_length=300, help_text="Who was told, by role or organisation; never a person.")
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When this spell of escalation ended.")

    class Meta:
        ordering = ["item", "recorded_at", "step"]
        constraints = [
            # Running the escalation twice cannot record (or send) a step twice.
            models.UniqueConstraint(
                fields=["item", "step"], condition=models.Q(resolved_at__isnull=True), name="one_open_step_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.item.reference}: step {self.step} ({self.get_reason_display()})"


# --- Outcome indicators ------------------------------------------------------------


class Indicator(models.Model):
    """A measure of whether things changed for the people an item is about (not whether the
    work was done): defined in seeds/indicators.yaml, its values reported by officers and
    published through the same review as progress updates (services/indicators.py).

    The seeds hold definitions only: a baseline or target is set only where it is known."""

    class Better(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, in plain English.")
    unit = models.CharField(max_length=60, help_text="Such as “%” or “days”.")
    data_source = models.CharField("where the data comes from", max_length=300)
    better = models.CharField("which direction is better", max_length=10, choices=Better.choices)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    items = models.ManyToManyField(Item, related_name="indicators")
    themes = models.ManyToManyField(Theme, blank=True, related_name="indicators")

    history = HistoricalRecords(m2m_fields=[items, themes])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    """An officer's report of an indicator's value for one period, reviewed by the board and
    public once approved (services/indicators.py): the same states as a progress update."""

    State = ProgressUpdate.State
    OPEN_STATES = ProgressUpdate.OPEN_STATES

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indicator_values")
    # The author's organisation when it was written: it owns the value and is credited with it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="indicator_values")
    # The period the value is for: consecutive periods meet (one ends the day before the next
    # starts), so a missing period is a gap between them.
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    evidence_url = models.URLField("evidence link", max_length=500, blank=True, validators=[http_url_validator])
    state = models.CharField(max_length=10, choices=ProgressUpdate.State.choices, default=ProgressUpdate.State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="reviewed_indicator_values")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # As ProgressUpdate.version: a write naming an older version is refused.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            # Saving twice edits the one open value for a period instead of adding another.
            models.UniqueConstraint(
                fields=["indicator", "organisation", "period_start"],
                condition=models.Q(state__in=["draft", "submitted", "returned"]),
                name="one_open_indicator_value_per_period",
            ),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="indicator_period_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self):
        return f"{self.indicator}: {self.period_start}–{self.period_end} ({self.get_state_display()})"


class PublicVersion(models.Model):
    """One row: a token replaced by every change to what the public sees
    (and a second for the board's figures, BOARD_ROW).

    Cached public pages are kept under it (recommendations/versions.py). It is
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
        # Read on every public request, cached pages included: a plain primary-key
        # lookup, without the ORM building the same query each time (that was most
        # of a cached page's cost).
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [row])
            found = cursor.fetchone()
        return found[0] if found else "none"

    @classmethod
    def bump(cls, row=ROW):
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=row).update(token=token):
            cls.objects.update_or_create(pk=row, defaults={"token": token})


class PublicationLogEntry(models.Model):
    """One entry of the tamper-evident publication log (services/publication_log.py).

    Appended, never changed: each publication, correction, assurance,
    reopening, verification of official wording, item or source added or
    changed, with the public content as published (the item's or source's
    full public state) and a hash chained to the entry before it.
    """

    class Kind(models.TextChoices):
        PUBLICATION = "publication", "Update published"
        ASSURANCE = "assurance", "Assured and closed"
        REOPENING = "reopening", "Reopened"
        CORRECTION = "correction", "Corrected"
        CLOSURE = "closure", "Closed without being implemented"
        VERIFICATION = "verification", "Official wording verified"
        ADDED = "added", "Added to the record"
        CHANGE = "change", "Changed by a recorded decision"
        BASELINE = "baseline", "Record as it stood when the full log began"
        MEETING_PACK = "meeting_pack", "Meeting pack published as the meeting's public record"
        FEEDBACK = "feedback", "Response to feedback published"
        INDICATOR_VALUE = "indicator", "Indicator value published"

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
        indexes = [models.Index(fields=["item_reference", "id"])]
        constraints = [
            # The log is a chain: no two entries follow the same one.
            models.UniqueConstraint(fields=["previous_hash"], name="publication_log_is_a_chain"),
        ]

    def __str__(self):
        return f"{self.pk}: {self.get_kind_display()} {self.item_reference}"


class BoardMemberQuerySet(models.QuerySet):
    def serving_on(self, day):
        """Members serving on `day`: started by then (or no start given) and not yet left."""
        return self.filter(
            models.Q(serving_from__isnull=True) | models.Q(serving_from__lte=day),
            models.Q(serving_until__isnull=True) | models.Q(serving_until__gte=day),
        )


class BoardMember(models.Model):
    """A member of the improvement board, named on the public board page (public/board.py).
    Everything here is public: an administrator enters it in the admin, with a reason."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="Their role on the board, e.g. Independent chair.")
    organisation = models.CharField(max_length=200, blank=True,
                                    help_text="The organisation they come from, if any (public).")
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")
    serving_from = models.DateField(null=True, blank=True)
    serving_until = models.DateField(null=True, blank=True, help_text="Blank while they still serve.")
    history = HistoricalRecords()

    objects = BoardMemberQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name}, {self.role}"

    def clean(self):
        if self.serving_from and self.serving_until and self.serving_until < self.serving_from:
            raise ValidationError({"serving_until": "The last day of service must be on or after the first."})


class BoardMeeting(models.Model):
    """A meeting of the improvement board: its date, and whether the board agreed to publish its
    meeting pack as the meeting's public record (services/board_meetings.py). The public pack is
    frozen at publication, as the publication log entry that published it (pack_entry)."""

    date = models.DateField(unique=True)
    title = models.CharField(max_length=200, blank=True, help_text="Public, e.g. Quarterly meeting.")
    location = models.CharField(max_length=200, blank=True, help_text="Public.")
    notes = models.TextField(blank=True, help_text="Public: shown on the meeting's page.")
    # Who published the pack is kept for the tracker's own audit; the public see only "the improvement board".
    pack_published_at = models.DateTimeField(null=True, blank=True)
    pack_published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pack_entry = models.OneToOneField("PublicationLogEntry", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", help_text="The publication log entry holding the pack.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"Improvement board meeting, {long_date(self.date)}"

    @property
    def pack_published(self):
        return self.pack_published_at is not None


class SourceUpload(models.Model):
    """A source file an administrator uploaded and previewed, waiting to be applied
    (services/sources.py, the admin's "Upload a source file").

    The file waits here, not in the session, so that applying it can be claimed
    once: two applies of the same preview (a double click, two tabs) cannot both
    write, and the second is told it was already applied."""

    uploaded_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=255)
    text = models.TextField()
    # The preview's plan (LoadReport.fingerprint()): applying writes only if it would do exactly this.
    plan = models.TextField()
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name}, uploaded {self.uploaded_at:%Y-%m-%d %H:%M}"


class ConfirmationCount(models.Model):
    """How many alert confirmation e-mails one address has been sent in its current hour
    (services/alerts.py). The limit is checked and counted in one UPDATE of this row,
    so requests at the same moment cannot all pass it; the row is deleted once the
    hour is over (alerts.expire(), run by send_alerts)."""

    email = models.EmailField("e-mail address", unique=True)
    hour_started_at = models.DateTimeField()
    sent = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.sent} since {self.hour_started_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """A member of the public's "Is this right? Tell the board" about one item (services/feedback.py).

    Never public as written. A reviewer replies privately, publishes a short summary with the
    board's response ("You said ... We did ..."), marks it not relevant, or passes it to the
    council's safeguarding contact. What could identify someone (the text, the reply address,
    the reviewer's private reply and the hashed client address) is deleted RETENTION days
    after it is closed (delete_old_feedback); the published summary and response stay.
    """

    class State(models.TextChoices):
        NEW = "new", "Waiting"
        REPLIED = "replied", "Replied by e-mail"
        PUBLISHED = "published", "Response published"
        NOT_RELEVANT = "not_relevant", "Not relevant"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"

    TEXT_LENGTH = 2000
    SUMMARY_LENGTH = 500

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="feedback")
    text = models.TextField(blank=True)
    email = models.EmailField("e-mail address for a reply", blank=True)
    # A keyed hash of the sender's address (never the address itself): only for the limits.
    client = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    # Raised by every decision: two reviewers acting at once, one wins (services/feedback.py).
    version = models.PositiveIntegerField(default=1)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True, help_text="The private reply e-mailed to the sender.")
    # Public once published: the reviewer's own summary, never the sender's words.
    summary = models.TextField(blank=True)
    response = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    safeguarding_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the personal data was deleted (retention): the row stays for the counts.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["client", "received_at"]),
            models.Index(fields=["email", "received_at"]),
            models.Index(fields=["item", "state", "published_at"]),
            models.Index(fields=["closed_at"]),
        ]

    def __str__(self):
        return f"Feedback {self.pk} on {self.item_id}: {self.get_state_display()}"


class FeedbackIntake(models.Model):
    """One row that every new piece of feedback updates first (services/feedback.py): the update
    makes requests at the same moment take their turn (a row lock on PostgreSQL; SQLite writes one
    at a time), so the limits, counted in the database after it, hold under concurrency."""

    received = models.PositiveBigIntegerField(default=0)
