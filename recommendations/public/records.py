"""
What the public may see: the one place that decides it.

Every public page, download and feed reads through these functions, so a rule
about what is public is written once. Public means:

- items, sources, themes and actions (they carry no personal details; an
  item's lead is a job title);
- progress updates that a reviewer approved (published), and only their
  public fields (see UPDATE_FIELDS): never the author, the reviewer, the
  review comment or anything about drafts, submitted or returned updates;
- evidence added directly to an item, or attached to a published update;
- an item's official wording only once it has been verified;
- of the public's feedback, only the board's published responses: the
  reviewer's own summary ("You said") and the board's response ("We did"),
  never the sender's words, address, or anything not published.

Pages, downloads and the feed get small public records (PublicItem,
PublicUpdate, PublicEvidence, PublicSource, PublicTheme, PublicAction) built
here from only those values, never model instances: a template cannot reach a
review comment, an author or unverified wording, because no record holds them
or leads to them.

A published update is attributed to the organisation its author wrote it for,
or to the improvement board for the board's own decisions (assurance,
reopening, correction), never to the person who wrote it.
"""
import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from urllib.parse import quote

from django.db.models import (
    Case, Count, Exists, F, Max, OuterRef, Prefetch, TextField, Value, When, Window, prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from recommendations.models import (
    BoardMeeting, EvidenceLink, Feedback, Indicator, IndicatorValue, Item, ProgressUpdate, PublicationLogEntry, Source,
    Theme, last_report,
    public_evidence_condition, shown_host,
)
from recommendations.words import ago, cadence_words


@dataclass(frozen=True)
class PublicEvidence:
    title: str
    url: str
    date: datetime.date
    archived_url: str = ""  # a web archive's copy, shown beside the link
    # The day of the latest check of a link counted as broken (services/link_checker.py), else None.
    unreachable_on: datetime.date | None = None

    @property
    def host(self):
        """The site the link really goes to (models.shown_host)."""
        return shown_host(self.url)

    @property
    def archive_host(self):
        return shown_host(self.archived_url) if self.archived_url else ""


# What each PublicEvidence is read from, after the id it is listed under.
EVIDENCE_COLUMNS = ("title", "url", "date", "archived_url", "broken", "checked_at")


@dataclass(frozen=True)
class PublicSource:
    """What the public sees of a source (an inquiry, an inspection or a set of proposals)."""

    code: str
    short_title: str
    title: str
    kind: str
    kind_label: str
    author: str
    publisher: str
    published_on: datetime.date
    url: str  # the official document
    summary: str
    synthetic: bool  # generated test data, not a real source
    item_count: int | None = None  # on the list of sources

    @classmethod
    def from_source(cls, source, item_count=None):
        return cls(
            code=source.code, short_title=source.short_title, title=source.title, kind=source.kind,
            kind_label=SOURCE_KIND_LABELS.get(source.kind, source.kind), author=source.author,
            publisher=source.publisher, published_on=source.published_on, url=source.url, summary=source.summary,
            synthetic=source.synthetic, item_count=item_count,
        )

    def get_absolute_url(self):
        return reverse("public:source-detail", args=[self.code])


@dataclass(frozen=True)
class PublicTheme:
    slug: str
    name: str
    item_count: int | None = None  # on the list of themes

    def get_absolute_url(self):
        return reverse("public:theme-detail", args=[self.slug])


@dataclass(frozen=True)
class PublicAction:
    """A piece of joint work, and the other items it answers (PublicItem records)."""

    title: str
    owner_name: str
    other_items: list


# Labels by stored value, looked up once: get_FOO_display() walks the choices on every call,
# which was an eighth of the full items download's time.
KIND_LABELS = dict(Item.Kind.choices)
STATUS_LABELS = dict(Item.Status.choices)
GRADE_LABELS = dict(Item.Grade.choices)
FORMAL_RESPONSE_LABELS = dict(Item.FormalResponse.choices)
SOURCE_KIND_LABELS = dict(Source.Kind.choices)


@dataclass(frozen=True, slots=True)  # slots: a list keeps up to one per item in each process
class PublicItem:
    """What the public sees of an item."""

    reference: str
    url: str
    number: int
    kind: str
    kind_label: str
    title: str
    summary: str
    provenance: str
    official_wording: str  # empty until verified
    official_reference: str  # where it stands in the official document (once verified)
    document_url: str  # a link to the item's page or paragraph in the official document, or ""
    wording_verified: bool
    verified_on: datetime.date | None
    source: PublicSource
    owner_name: str
    owner_short_name: str
    lead_role: str
    status: str
    status_label: str
    rag: str
    baseline_target_date: datetime.date | None
    current_target_date: datetime.date | None
    is_overdue: bool
    days_slipped: int
    formal_response: str
    formal_response_label: str
    formal_response_note: str  # the reasons, when not accepted
    formal_response_date: datetime.date | None
    update_cadence_months: int
    last_reported_at: datetime.datetime | None  # the owner's last report (not the board's decisions)
    update_due_at: datetime.datetime | None  # None once implemented or assured, and for judgements
    # Judgements only: the grade given (on the day the source was published) and later grades.
    grade: str = ""
    later_grades: tuple = ()  # of PublicGrade, oldest first

    def get_absolute_url(self):
        return self.url

    @property
    def is_judgement(self):
        """A grade an inspectorate gave, not a task: shown with its grades, never a status,
        RAG rating or target date (Item.is_judgement)."""
        return self.kind == Item.Kind.JUDGEMENT

    @property
    def first_grade(self):
        """The grade the source gave, dated the day it was published."""
        return PublicGrade.of(self.grade, self.source.published_on)

    @property
    def latest_grade(self):
        return self.later_grades[-1] if self.later_grades else self.first_grade

    # Worked out from the clock when read, not when the record was built: a list keeps
    # its records for the rest of the public version's day (ItemListView).

    @property
    def last_reported_ago(self):
        """"3 months ago", or empty when the owner has published no update."""
        return ago(self.last_reported_at, timezone.now()) if self.last_reported_at else ""

    @property
    def next_update_due(self):
        return timezone.localdate(self.update_due_at) if self.update_due_at else None

    @property
    def update_overdue(self):
        """Open, and the owner has not reported for longer than the cadence (Item.is_update_overdue)."""
        return self.update_due_at is not None and self.update_due_at < timezone.now()

    @property
    def update_cadence_label(self):
        return cadence_words(self.update_cadence_months)

    @classmethod
    def from_item(cls, item, today, items_address, source=None):
        """item: from items() (it needs last_reported_at); items_address: the items list's
        address (worked out once, not reversed per row); source: its PublicSource, if
        already built (a list shares one per source)."""
        return cls(
            reference=item.reference,
            url=f"{items_address}{quote(item.reference)}/",
            number=item.number,
            kind=item.kind,
            kind_label=KIND_LABELS.get(item.kind, item.kind),
            title=item.title,
            summary=item.summary,
            provenance=item.provenance,
            official_wording=item.official_wording if item.verified else "",
            official_reference=item.official_reference if item.verified else "",
            document_url=item.document_url,
            wording_verified=item.verified,
            verified_on=timezone.localdate(item.verified_at) if item.verified and item.verified_at else None,
            source=source or PublicSource.from_source(item.source),
            owner_name=item.owner.name,
            owner_short_name=item.owner.short_name,
            lead_role=item.lead_role,
            status=item.status,
            status_label=STATUS_LABELS.get(item.status, item.status),
            rag=item.rag,
            baseline_target_date=item.baseline_target_date,
            current_target_date=item.current_target_date,
            is_overdue=item.is_overdue(today),
            days_slipped=item.days_slipped,
            formal_response=item.formal_response,
            formal_response_label=FORMAL_RESPONSE_LABELS.get(item.formal_response, item.formal_response),
            formal_response_note=item.formal_response_note,
            formal_response_date=item.formal_response_date,
            update_cadence_months=item.update_cadence_months,
            last_reported_at=item.last_reported_at,
            update_due_at=item.next_update_due(),
            grade=item.grade,
            later_grades=later_grades(item.later_grades),
        )


@dataclass(frozen=True)
class PublicGrade:
    """A judgement's grade and the day it was given."""

    grade: str
    label: str
    judged_on: datetime.date | None

    @classmethod
    def of(cls, grade, judged_on):
        return cls(grade, GRADE_LABELS.get(grade, grade), judged_on)


def later_grades(stored):
    """An item's later_grades (as stored: [{"grade", "judged_on": "YYYY-MM-DD"}]) as PublicGrades."""
    return tuple(PublicGrade.of(later["grade"], datetime.date.fromisoformat(later["judged_on"]))
                 for later in stored or [])


def grades_of(item):
    """A judgement's grade given (dated the day its source was published) and its later grades,
    as PublicGrades, from an Item: the officers' pages show them as the public page does."""
    return PublicGrade.of(item.grade, item.source.published_on), later_grades(item.later_grades)


@dataclass(frozen=True)
class PublicUpdate:
    """What the public sees of a published progress update."""

    id: int
    item_reference: str
    item_title: str
    source_code: str
    source_title: str
    organisation_name: str  # who reported it: an organisation, or the improvement board
    kind: str
    published_at: datetime.datetime
    narrative: str
    status: str
    rag: str
    target_date: datetime.date | None
    target_date_reason: str
    evidence: tuple = field(default=())
    # Assurances only: how strong the evidence the board saw was, and the links it checked.
    evidence_strength: str = ""
    evidence_checked: tuple = field(default=())

    @property
    def status_label(self):
        return Item.Status(self.status).label

    @property
    def evidence_strength_label(self):
        return ProgressUpdate.EvidenceStrength(self.evidence_strength).label if self.evidence_strength else ""

    @property
    def is_board_decision(self):
        return self.kind in ProgressUpdate.BOARD_DECISIONS

    @property
    def kind_label(self):
        return ProgressUpdate.Kind(self.kind).label

    @property
    def item_url(self):
        return reverse("public:item-detail", args=[self.item_reference])


BOARD = ProgressUpdate.BOARD_NAME

# Only these columns of a published update are ever read: its own...
UPDATE_FIELDS = ("id", "kind", "published_at", "narrative", "target_date_reason", "evidence_strength")
# ...and these, under the names PublicUpdate gives them.
UPDATE_VALUES = {
    "item_reference": F("item__reference"),
    "item_title": F("item__title"),
    "source_code": F("item__source__code"),
    "source_title": F("item__source__short_title"),
    "organisation_name": Coalesce(F("organisation__name"), Value(BOARD)),
    "status": F("proposed_status"),
    "rag": F("proposed_rag"),
    "target_date": F("proposed_target_date"),
}


# Some queries below are built once per process and copied for each use (.all(), or a
# .filter() that narrows them), as Django's generic views do with their queryset: building
# their joins, annotations and expressions took longer than running them. The query built
# once is never run itself, so it never holds results.


@cache
def _items():
    return Item.objects.select_related("source", "owner").with_last_report()


def items():
    """Every tracked item, with what lists and downloads show alongside it (its owner's last
    report too, a subquery: no extra query)."""
    return _items().all()


def items_in_list_order():
    """Every tracked item, nothing joined or annotated, in the order lists show them (by
    their indexed list_position): a queryset for a list to filter and page the ids of
    (its rows are then read with items())."""
    return Item.objects.order_by("list_position")


# The orders a list can also be sorted in (?sort=..., so a sorted list can be shared), by label.
# Ties, and items without the value, keep the list's own order: a page is the same every time.
ITEM_SORTS = {
    "target-date": "Target date, earliest first",
    "last-update": "Last progress update, newest first",
    "rag": "RAG rating, red first",
    "reference": "Reference",
}
DEFAULT_SORT_LABEL = "Source, in the source's order"
_RAG_ORDER = Case(*[When(rag=rag, then=Value(place)) for place, rag in enumerate(("red", "amber", "green"))],
                  default=Value(3))


def item_sort(value):
    """The sort asked for, if it is one of ITEM_SORTS, else "" (the default order): a wrong or
    old value in a shared address lists the items in their usual order rather than fail."""
    return value if value in ITEM_SORTS else ""


def sorted_items(items, sort):
    """An Item queryset in the order of `sort` (from item_sort); "" leaves its order as it is.
    "last-update" is the owner's last report (models.last_report), as the item page shows it."""
    orders = {
        "target-date": lambda: (F("current_target_date").asc(nulls_last=True),),
        "last-update": lambda: (last_report().desc(nulls_last=True),),
        "rag": lambda: (_RAG_ORDER,),
        "reference": lambda: ("reference",),
    }
    if not sort:
        return items
    return items.order_by(*orders[sort](), "list_position")


def item_values(items):
    """Each item of a queryset from items() as a dict of the columns the downloads publish,
    and the few their figures are worked out from (see open_data.item_records). Downloads
    publish every item at once: building model instances and PublicItems for 10,000 rows
    was half the time. Official wording leaves the database only once verified."""
    return items.values(
        "id", "reference", "kind", "title", "summary", "verified", "lead_role", "status", "rag",
        "baseline_target_date", "current_target_date", "formal_response", "formal_response_note",
        "formal_response_date", "update_cadence_months", "last_reported_at", "created_at", "grade", "later_grades",
        superseded_by_reference=F("superseded_by__reference"),
        superseded_by_action_reference=F("superseded_by_action__reference"),
        source_code=F("source__code"), source_title=F("source__short_title"), owner_name=F("owner__name"),
        source_published_on=F("source__published_on"),
        verified_wording=Case(When(verified=True, then=F("official_wording")), default=Value(""),
                              output_field=TextField()),
    )


def theme_slugs_by_item(items):
    """{item id: [theme slug, ...]} for the given items, in one query and without model instances."""
    slugs = {}
    links = Item.themes.through.objects.filter(item_id__in=items.values("pk")).order_by("theme__slug")
    for item_id, slug in links.values_list("item_id", "theme__slug"):
        slugs.setdefault(item_id, []).append(slug)
    return slugs


def public_items_by_id(ids):
    """PublicItem records of the items with these ids, in this order (one query)."""
    ids = list(ids)
    rows = items().in_bulk(ids)
    # An item deleted since its id was read is left out, not an error.
    return public_items([rows[pk] for pk in ids if pk in rows])


def rows_key(records):
    """A short key for a rendering of these PublicItem records, kept by the public version and
    the day: their references, and which are update overdue now (the one thing in a row that
    changes during a day, when an owner's report falls due)."""
    rows = ",".join(f"{record.reference}{'!' if record.update_overdue else ''}" for record in records)
    return hashlib.sha256(rows.encode()).hexdigest()


def public_items(items):
    """PublicItem records for a list or queryset of items (from items())."""
    today = timezone.localdate()
    items_address = reverse("public:item-list")
    sources = {}
    records = []
    for item in items:
        if item.source_id not in sources:
            sources[item.source_id] = PublicSource.from_source(item.source)
        records.append(PublicItem.from_item(item, today, items_address, sources[item.source_id]))
    return records


def _published():
    return ProgressUpdate.objects.published().order_by("-published_at", "-pk")


def published():
    """Every published update, newest first: a queryset to narrow and pass to published_updates()."""
    return _published()


def published_updates(updates=None, limit=None):
    """PublicUpdate records, newest first, each with its public evidence (and, for an
    assurance, the links the board checked). Three queries.

    `updates`: a queryset of published updates to narrow to (all by default).
    """
    updates = (_published() if updates is None else updates)[:limit]
    return _public_updates(
        _update_values(updates), evidence_by_update(updates.values("pk")),
        checked_evidence_by_update(updates.values("pk")),
    )


def _update_values(updates):
    return updates.values(*UPDATE_FIELDS, **UPDATE_VALUES)


@cache
def _published_update_values():
    return _update_values(_published())


def _public_updates(rows, evidence, checked):
    """PublicUpdate records of published updates' rows (from _update_values), given their
    evidence and the links the board checked, each {update id: [PublicEvidence, ...]}."""
    return [
        PublicUpdate(**row, evidence=tuple(evidence.get(row["id"], ())),
                     evidence_checked=tuple(checked.get(row["id"], ())))
        for row in rows
    ]


def published_updates_on(items, limit=None):
    """PublicUpdate records on the given items (a queryset of items()), newest first."""
    return published_updates(_published().filter(item__in=items.values("pk")), limit)


@dataclass(frozen=True)
class Followed:
    """An item, source or theme that people follow through its feed or e-mail alerts."""

    kind: str  # one of FOLLOWABLE
    key: str  # the item's reference, the source's code or the theme's slug
    name: str
    url: str  # its public page

    @property
    def feed_url(self):
        if self.kind == EVERYTHING:
            return reverse("public:feed")
        return reverse(f"public:{self.kind}-feed", args=[self.key])


# kind: (model, the field its key is in, the path from an update to it)
FOLLOWABLE = {
    "item": (Item, "reference", "item"),
    "source": (Source, "code", "item__source"),
    "theme": (Theme, "slug", "item__themes"),
}


# The kind of a Followed record for every item in the tracker ("follow everything" e-mail alerts).
EVERYTHING = "everything"


def everything():
    """The Followed record of every item in the tracker."""
    return Followed(EVERYTHING, "", "every item in the tracker", reverse("public:item-list"))


def followed(kind, key):
    """The Followed record of an item, source or theme. Http404 if there is no such one."""
    model, field_name, _ = FOLLOWABLE[kind]
    return as_followed(kind, get_object_or_404(model, **{field_name: key}))


def as_followed(kind, obj):
    """The Followed record of an Item, Source or Theme instance."""
    _, field_name, _ = FOLLOWABLE[kind]
    name = {"item": str, "source": lambda source: source.short_title, "theme": lambda theme: theme.name}[kind](obj)
    return Followed(kind, getattr(obj, field_name), name, obj.get_absolute_url())


def updates_about(target, after=None, until=None, limit=None):
    """PublicUpdate records on a Followed item, source or theme (or every item), newest first,
    published after `after` and up to `until` (either may be None). Two queries."""
    return published_updates(_about(_published(), target, after, until), limit)


def _about(published, target, after, until):
    """The published rows (updates or responses to feedback) on a Followed target, published after
    `after` and up to `until` (either may be None)."""
    if target.kind != EVERYTHING:
        _, field_name, path = FOLLOWABLE[target.kind]
        published = published.filter(**{f"{path}__{field_name}": target.key})
    if after is not None:
        published = published.filter(published_at__gt=after)
    if until is not None:
        published = published.filter(published_at__lte=until)
    return published


def latest_updates_on(items, per_item):
    """{item id: ([PublicUpdate, ...], how many published in all)}: the latest `per_item` published
    updates on each of the given items (a queryset), newest first, without their evidence (the
    progress report lists an item's evidence once, apart). One query, whatever the number of items."""
    newest_first = [F("published_at").desc(), F("pk").desc()]
    ranked = _published().filter(item__in=items.values("pk")).annotate(
        place=Window(RowNumber(), partition_by=[F("item_id")], order_by=newest_first),
        published_in_all=Window(Count("pk"), partition_by=[F("item_id")]),
    ).filter(place__lte=per_item).order_by("item_id", "place")
    latest = {}
    for row in ranked.values(*UPDATE_FIELDS, "item_id", "published_in_all", **UPDATE_VALUES):
        item_id, in_all = row.pop("item_id"), row.pop("published_in_all")
        latest.setdefault(item_id, ([], in_all))[0].append(PublicUpdate(**row))
    return latest


def public_evidence():
    return EvidenceLink.objects.public()


def evidence_by_item(items):
    """{item id: [PublicEvidence, ...]}, newest first: each of the given items' public evidence (added
    to the item, or to a published update), in one query."""
    return _links_by_update(
        public_evidence().filter(item__in=items.values("pk")).order_by("item_id", "-date", "title", "url")
        .values_list("item_id", *EVIDENCE_COLUMNS)
    )


def _links_by_update(rows):
    """{update id: [PublicEvidence, ...]} from (update id, *EVIDENCE_COLUMNS) rows, in their order (or by
    whatever id the rows start with: evidence_by_item gives item ids)."""
    links = {}
    for update_id, title, url, date, archived_url, broken, checked_at in rows:
        unreachable_on = timezone.localdate(checked_at) if broken and checked_at else None
        links.setdefault(update_id, []).append(PublicEvidence(title, url, date, archived_url, unreachable_on))
    return links


def evidence_by_update(update_ids):
    """{update id: [PublicEvidence, ...]} for published updates (ids, or a subquery of them), in one query."""
    return _links_by_update(
        public_evidence().filter(update__in=update_ids).order_by("update_id", "-date", "title", "url")
        .values_list("update_id", *EVIDENCE_COLUMNS)
    )


@cache
def _evidence_rows():
    return public_evidence().order_by("-date", "title", "url").values_list("update_id", *EVIDENCE_COLUMNS)


def item_evidence_by_update(item):
    """{update id: [PublicEvidence, ...]} for an item's public evidence, in one query; the
    links added to the item itself, not through an update, are under None."""
    return _links_by_update(_evidence_rows().filter(item=item))


def checked_evidence_by_update(update_ids):
    """{assurance id: [PublicEvidence, ...]}: the public links the board checked, in one query."""
    return _links_by_update(
        ProgressUpdate.evidence_checked.through.objects
        # A join, not "in (every public link)": SQLite would list every public link each time.
        .filter(public_evidence_condition("evidencelink__"), progressupdate__in=update_ids)
        .order_by("progressupdate_id", "-evidencelink__date", "evidencelink__title", "evidencelink__url")
        .values_list("progressupdate_id", *(f"evidencelink__{column}" for column in EVIDENCE_COLUMNS))
    )


@dataclass(frozen=True)
class PublicFeedbackResponse:
    """A published response to the public's feedback on an item: "You said ... We did ..."."""

    id: int
    item_reference: str
    item_title: str
    you_said: str  # the reviewer's summary, never the sender's own words
    we_did: str
    published_at: datetime.datetime

    @property
    def item_url(self):
        return reverse("public:item-detail", args=[self.item_reference])


# The only columns of feedback ever read for the public, under the names the record gives them.
FEEDBACK_VALUES = {
    "item_reference": F("item__reference"), "item_title": F("item__title"), "you_said": F("summary"),
    "we_did": F("response"),
}


def _published_feedback():
    return Feedback.objects.filter(state=Feedback.State.PUBLISHED).order_by("-published_at", "-pk")


def feedback_responses(feedback=None, limit=None):
    """PublicFeedbackResponse records, newest first. One query.
    `feedback`: a queryset of Feedback to narrow to (every published response by default)."""
    rows = _published_feedback()
    if feedback is not None:
        rows = rows.filter(pk__in=feedback.values("pk"))
    return [PublicFeedbackResponse(**row) for row in
            rows.values("id", "published_at", **FEEDBACK_VALUES)[:limit]]


def responses_about(target, after=None, until=None, limit=None):
    """PublicFeedbackResponse records on a Followed item, source or theme (or every item), newest
    first, published after `after` and up to `until` (either may be None). One query."""
    rows = _about(_published_feedback(), target, after, until)
    return [PublicFeedbackResponse(**row) for row in rows.values("id", "published_at", **FEEDBACK_VALUES)[:limit]]


@dataclass
class HistoryEntry:
    date: object
    value: object
    reason: str = ""


@dataclass(frozen=True)
class PublicClosure:
    """The board's decision that closed an item without it being implemented: how (not implemented,
    or superseded), when, its reasons and, for a superseded item, what replaced it (an item, with
    its page, or a joint action)."""

    status: str
    status_label: str
    decided_at: datetime.datetime
    reasons: str
    replaced_by_reference: str = ""  # the item that replaced it
    replaced_by_title: str = ""
    replaced_by_url: str = ""
    replaced_by_action_reference: str = ""  # or the joint action that replaced it
    replaced_by_action_title: str = ""


def closure_of(item, updates):
    """The PublicClosure of an item closed without being implemented (None while it is not):
    its latest closure decision among `updates` (newest first) and what replaced it."""
    if item.status not in Item.UNDELIVERED_CLOSURES:
        return None
    decision = next((update for update in updates if update.kind == ProgressUpdate.Kind.CLOSURE), None)
    if decision is None:
        return None
    replaced_by, action = item.superseded_by, item.superseded_by_action
    return PublicClosure(
        status=item.status, status_label=STATUS_LABELS[item.status], decided_at=decision.published_at,
        reasons=decision.narrative,
        replaced_by_reference=replaced_by.reference if replaced_by else "",
        replaced_by_title=replaced_by.title if replaced_by else "",
        replaced_by_url=reverse("public:item-detail", args=[replaced_by.reference]) if replaced_by else "",
        replaced_by_action_reference=action.reference if action else "",
        replaced_by_action_title=action.title if action else "",
    )


@dataclass
class ItemDetail:
    item: PublicItem
    feed_url: str  # its Atom feed
    themes: list  # [PublicTheme]
    updates: list  # [PublicUpdate], newest first
    direct_evidence: list  # [PublicEvidence] added to the item itself, not through an update
    related: list  # [PublicAction]
    status_history: list  # [HistoryEntry(date, status value)], oldest first
    target_history: list  # [HistoryEntry(date, target date, reason)], oldest first
    board_decision: "PublicUpdate | None" = None  # the board's latest decision, shown apart from the owner's reports
    indicators: list = field(default_factory=list)  # [PublicIndicator] linked to the item
    implementation: "PublicUpdate | None" = None  # the published update that reported it implemented
    assurance: "PublicUpdate | None" = None  # the board's assurance, while the item is assured
    closure: "PublicClosure | None" = None  # the board's closure without delivery, while the item is so closed
    # {update id: (the meeting's day, its page)} for updates approved or decided on a day the board met
    meetings: dict = field(default_factory=dict)
    responses: list = field(default_factory=list)  # [PublicFeedbackResponse], newest first


@cache
def _theme_rows():
    return Theme.objects.values_list("slug", "name")


@cache
def _item_page_items():
    # Most items are in no joint work: the item's own query says so, and the page then reads none.
    in_joint_work = Exists(Item.actions.through.objects.filter(item_id=OuterRef("pk")))
    return Item.objects.select_related("source", "owner", "superseded_by", "superseded_by_action").annotate(
        in_joint_work=in_joint_work)


def item_detail(reference):
    """Everything the public item page shows, in a fixed number of queries. 404 if unknown."""
    item = get_object_or_404(_item_page_items(), reference=reference)
    evidence = item_evidence_by_update(item)
    # The links an assurance checked are shown only while the item is assured (implementation_and_assurance).
    checked = (checked_evidence_by_update(_published().filter(item=item).values("pk"))
               if item.status == Item.Status.ASSURED else {})
    updates = _public_updates(_published_update_values().filter(item=item), evidence, checked)
    # What items() annotates, read from the updates the page lists anyway (newest first): the
    # owner's last report (models.last_report) and, apart, the board's latest decision.
    item.last_reported_at = next((update.published_at for update in updates if not update.is_board_decision), None)
    actions = list(item.actions.select_related("owner")) if item.in_joint_work else []
    if actions:
        prefetch_related_objects(actions, Prefetch("items", queryset=items().exclude(pk=item.pk),
                                                   to_attr="other_items"))
    return ItemDetail(
        item=public_items([item])[0],
        feed_url=reverse("public:item-feed", args=[item.reference]),
        themes=[PublicTheme(slug, name) for slug, name in _theme_rows().filter(items=item)],
        updates=updates,
        direct_evidence=evidence.get(None, []),
        related=[PublicAction(action.title, action.owner.name, public_items(action.other_items))
                 for action in actions],
        status_history=status_history(updates),
        target_history=target_history(item, updates),
        board_decision=next((update for update in updates if update.is_board_decision), None),
        closure=closure_of(item, updates),
        meetings=meetings_of(updates),
        responses=[PublicFeedbackResponse(**row) for row in _published_feedback().filter(item=item).values(
            "id", "published_at", **FEEDBACK_VALUES)],
        indicators=public_indicators(Indicator.objects.filter(items=item)),
        **implementation_and_assurance(item, updates),
    )


def meetings_of(updates):
    """{update id: (day, the meeting's public page)} for the published updates (PublicUpdate) that the
    board approved or decided on a day it met (public/board.py lists that meeting's decisions). Every
    published update is the board's decision: approving an owner's report, or its own. One query, none
    without updates."""
    days = {update.id: timezone.localdate(update.published_at) for update in updates}
    if not days:
        return {}
    met = set(BoardMeeting.objects.filter(date__in=set(days.values())).values_list("date", flat=True))
    return {pk: (day, reverse("public:board-meeting", args=[day.isoformat()])) for pk, day in days.items()
            if day in met}


def implementation_and_assurance(item, updates):
    """Who reported the item implemented and when (the latest published update that set
    it implemented, as workflow.implementation_report), and the board's assurance that
    closed it, shown only while the item is assured. `updates`: newest first."""
    if item.status not in Item.DONE_STATUSES:
        return {"implementation": None, "assurance": None}
    assurance = next((update for update in updates if update.kind == ProgressUpdate.Kind.ASSURANCE), None)
    implementation = next((update for update in updates if update.status == Item.Status.IMPLEMENTED), None)
    return {"implementation": implementation,
            "assurance": assurance if item.status == Item.Status.ASSURED else None}


def status_history(updates):
    """The status after each published update that changed it, oldest first."""
    history = []
    current = Item.Status.NOT_STARTED
    for update in sorted(updates, key=lambda update: update.published_at):
        if update.status != current:
            current = update.status
            history.append(HistoryEntry(update.published_at, current))
    return history


def target_history(item, updates):
    """The first agreed target date, then each published move with its reason, oldest first."""
    history = []
    current = item.baseline_target_date
    if current:
        history.append(HistoryEntry(None, current, "First agreed target date"))
    for update in sorted(updates, key=lambda update: update.published_at):
        if update.target_date and update.target_date != current:
            current = update.target_date
            history.append(HistoryEntry(update.published_at, current, update.target_date_reason))
    return history


def sources():
    """Every source (PublicSource) with its number of items, in publication order."""
    return [PublicSource.from_source(source, source.item_count)
            for source in Source.objects.annotate(item_count=Count("items"))]


def source_detail(code):
    """A source's PublicSource and its items (PublicItem). 404 if unknown."""
    source = get_object_or_404(Source, code=code)
    return PublicSource.from_source(source), public_items(items().filter(source=source))


def themes():
    """Every theme (PublicTheme) with its number of items."""
    return [PublicTheme(theme.slug, theme.name, theme.item_count)
            for theme in Theme.objects.annotate(item_count=Count("items"))]


def theme_detail(slug):
    """A theme's PublicTheme and its items (PublicItem). 404 if unknown."""
    theme = get_object_or_404(Theme, slug=slug)
    return PublicTheme(theme.slug, theme.name), public_items(items().filter(themes=theme))


def status_counts_by_source():
    """Per source, in source order: its items counted by status, its judgements apart (a grade
    has no status, not even "not started"), and its total of both. Two queries."""
    counts, judgements = {}, {}
    for row in Item.objects.order_by().values("source_id", "kind", "status").annotate(n=Count("id")):
        if row["kind"] == Item.Kind.JUDGEMENT:
            judgements[row["source_id"]] = judgements.get(row["source_id"], 0) + row["n"]
        else:
            by_status = counts.setdefault(row["source_id"], {})
            by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    result = []
    for source in Source.objects.all():
        by_status = counts.get(source.pk, {})
        result.append(
            {
                "source": PublicSource.from_source(source),
                "by_status": [(value, label, by_status.get(value, 0)) for value, label in Item.Status.choices],
                "judgements": judgements.get(source.pk, 0),
                "total": sum(by_status.values()) + judgements.get(source.pk, 0),
            }
        )
    return result


def last_published_at():
    """When the latest progress update was published (the home page's "last updated")."""
    return ProgressUpdate.objects.published().aggregate(latest=Max("published_at"))["latest"]


def publication_log():
    """The publication log, newest first: every field of it is public."""
    return PublicationLogEntry.objects.order_by("-id")


# --- Outcome indicators ---------------------------------------------------------------
#
# An indicator's definition is public from the start; a value only once a reviewer approved
# it (never a draft, a submitted or returned value, its author, reviewer or review comment).


@dataclass(frozen=True)
class PublicIndicatorValue:
    """A published value of an indicator for one period."""

    id: int
    indicator_slug: str
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    note: str
    evidence_url: str
    organisation_name: str  # who reported it, never the officer
    published_at: datetime.datetime

    @property
    def evidence_host(self):
        return shown_host(self.evidence_url) if self.evidence_url else ""


@dataclass(frozen=True)
class PublicIndicator:
    """An indicator's definition, the items and themes it is linked to, and its published
    values, oldest period first."""

    slug: str
    name: str
    definition: str
    unit: str
    data_source: str
    better: str
    baseline_value: Decimal | None
    baseline_date: datetime.date | None
    target_value: Decimal | None
    target_date: datetime.date | None
    item_references: tuple
    theme_slugs: tuple
    values: tuple = ()  # of PublicIndicatorValue

    @property
    def better_label(self):
        return BETTER_LABELS.get(self.better, self.better)

    @property
    def latest(self):
        return self.values[-1] if self.values else None

    def definition_state(self):
        """The definition as the publication log holds it: everything but the values."""
        return {name: getattr(self, name) for name in INDICATOR_DEFINITION_FIELDS}

    def periods(self):
        """The values, oldest first, each as (value, follows_a_gap): a period that does not
        start the day after the one before ended follows a missing period."""
        rows = []
        for index, value in enumerate(self.values):
            before = self.values[index - 1] if index else None
            gap = before is not None and value.period_start != before.period_end + datetime.timedelta(days=1)
            rows.append((value, gap))
        return rows


BETTER_LABELS = dict(Indicator.Better.choices)
INDICATOR_DEFINITION_FIELDS = (
    "slug", "name", "definition", "unit", "data_source", "better", "baseline_value", "baseline_date",
    "target_value", "target_date", "item_references", "theme_slugs",
)
INDICATOR_VALUE_FIELDS = ("id", "period_start", "period_end", "value", "note", "evidence_url", "published_at")


def published_indicator_values(values=None, until=None):
    """PublicIndicatorValue records of published values (a queryset to narrow, all by default),
    published up to `until` if given; one per indicator and period (the latest published), oldest
    period first. One query."""
    values = IndicatorValue.objects.all() if values is None else values
    values = values.filter(state=ProgressUpdate.State.APPROVED)
    if until is not None:
        values = values.filter(published_at__lte=until)
    rows = values.order_by("indicator__slug", "period_start", "published_at", "pk").values(
        *INDICATOR_VALUE_FIELDS, indicator_slug=F("indicator__slug"), organisation_name=F("organisation__name"))
    latest = {}
    for row in rows:
        latest[(row["indicator_slug"], row["period_start"])] = PublicIndicatorValue(**row)
    return list(latest.values())


def public_indicators(indicators=None, until=None):
    """PublicIndicator records of a queryset of indicators (all by default), with their values
    published up to `until` (all if None), by name. Four queries."""
    indicators = list((Indicator.objects.all() if indicators is None else indicators).order_by("name", "slug"))
    if not indicators:
        return []  # most items have none: one query
    ids = [indicator.pk for indicator in indicators]
    references, slugs, values = {}, {}, {}
    for indicator_id, reference in (Indicator.items.through.objects.filter(indicator_id__in=ids)
                                    .order_by("item__reference").values_list("indicator_id", "item__reference")):
        references.setdefault(indicator_id, []).append(reference)
    for indicator_id, slug in (Indicator.themes.through.objects.filter(indicator_id__in=ids)
                               .order_by("theme__slug").values_list("indicator_id", "theme__slug")):
        slugs.setdefault(indicator_id, []).append(slug)
    for value in published_indicator_values(IndicatorValue.objects.filter(indicator__in=ids), until):
        values.setdefault(value.indicator_slug, []).append(value)
    return [
        PublicIndicator(
            slug=indicator.slug, name=indicator.name, definition=indicator.definition, unit=indicator.unit,
            data_source=indicator.data_source, better=indicator.better, baseline_value=indicator.baseline_value,
            baseline_date=indicator.baseline_date, target_value=indicator.target_value,
            target_date=indicator.target_date, item_references=tuple(references.get(indicator.pk, ())),
            theme_slugs=tuple(slugs.get(indicator.pk, ())), values=tuple(values.get(indicator.slug, ())),
        )
        for indicator in indicators
    ]


def indicators_for_items(items, until=None):
    """{item reference: [PublicIndicator, ...]} for a queryset of items: the indicators linked
    to each (an item with none is left out). Five queries."""
    linked = public_indicators(Indicator.objects.filter(items__in=items.order_by().values("pk")).distinct(), until)
    wanted = set(items.values_list("reference", flat=True))
    found = {}
    for indicator in linked:
        for reference in indicator.item_references:
            if reference in wanted:
                found.setdefault(reference, []).append(indicator)
    return found


def indicators_for_theme(slug, until=None):
    """The PublicIndicator records linked to a theme."""
    return public_indicators(Indicator.objects.filter(themes__slug=slug), until)


@dataclass(frozen=True)
class PublishedValue:
    """A published indicator value as news in a feed or an e-mail alert: the value, its
    indicator, and the item page it is shown on."""

    indicator: PublicIndicator
    value: PublicIndicatorValue
    item_reference: str

    @property
    def published_at(self):
        return self.value.published_at

    @property
    def url(self):
        return f"{reverse('public:item-detail', args=[self.item_reference])}#indicator-value-{self.value.id}"


# What links an indicator to a followed item, source or theme.
INDICATOR_PATHS = {"item": "items__reference", "source": "items__source__code", "theme": "themes__slug"}


def values_published(indicators, after=None, until=None, item_reference=None):
    """PublishedValue records of the indicators' values published after `after` and up to `until`
    (either may be None), newest first; each shown on `item_reference`'s page, or else on its
    indicator's first item's."""
    news = []
    for indicator in public_indicators(indicators, until):
        for value in indicator.values:
            if after is None or value.published_at > after:
                news.append(PublishedValue(indicator, value, item_reference or indicator.item_references[0]))
    return sorted(news, key=lambda found: (found.published_at, found.value.id), reverse=True)


def values_on(items):
    """PublishedValue records of the indicators linked to a queryset of items, newest first."""
    return values_published(Indicator.objects.filter(items__in=items.order_by().values("pk")).distinct())


def values_about(target, after=None, until=None):
    """PublishedValue records of the indicators linked to a Followed item, source or theme."""
    if target.kind == EVERYTHING:
        indicators = Indicator.objects.all()
    else:
        indicators = Indicator.objects.filter(**{INDICATOR_PATHS[target.kind]: target.key}).distinct()
    return values_published(indicators, after, until, target.key if target.kind == "item" else None)


def newest_first(*groups, limit=None):
    """Published updates, values (PublishedValue) and responses to feedback together, newest first: a
    feed's or a digest's entries."""
    entries = sorted([entry for group in groups for entry in group], key=lambda entry: entry.published_at,
                     reverse=True)
    return entries[:limit] if limit else entries
