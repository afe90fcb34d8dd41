"""
What both wings count: the figures of a set of items, live or as they stood at
the end of a past day.

The public pages (recommendations/public/) and the board's dashboards
(services/dashboards.py) count with the same functions, so a figure means the
same wherever it is shown. Everything is counted in the database (GROUP BY with
filtered COUNTs) in a fixed number of queries however many items there are. The
same functions count either live items or their history rows as they stood at
the end of a past day ("as at"), because both have the same columns: id,
source, owner, lead_role, status, rag and target dates.
"""
import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from recommendations.models import (
    Item,
    ProgressUpdate,
    Source,
    overdue_condition,
    slipping_condition,
    update_overdue_condition,
    task_condition,
)

Status = Item.Status
# Delivered: implemented or assured. The board's closures without delivery (not implemented,
# superseded) are CLOSED_UNDELIVERED: counted apart, never in DONE.
DONE = Item.DONE_STATUSES
CLOSED_UNDELIVERED = Item.UNDELIVERED_CLOSURES
# The kinds of item the figures count (task_condition): a judgement is a grade, not a task.
TASK_KINDS = [kind for kind in Item.Kind if kind != Item.Kind.JUDGEMENT]
PLURAL_KIND_LABELS = {kind: f"{kind.label.lower()}s" for kind in Item.Kind}


def what_is_counted(by_kind, total):
    """What a count is of, in words, from the kinds it counts: "recommendations and proposals",
    "finding" (one), or "recommendations, proposals or findings" when none are counted."""
    kinds = [kind for kind in TASK_KINDS if by_kind.get(kind)] or TASK_KINDS
    words = [kind.label.lower() if total == 1 else PLURAL_KIND_LABELS[kind] for kind in kinds]
    joiner = " and " if by_kind and any(by_kind.values()) else " or "
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + joiner + words[-1]


@dataclass(frozen=True)
class Moment:
    """The point in time a dashboard describes: now, or the end of a past day."""

    today: datetime.date
    until: datetime.datetime | None = None  # None: the live data, nothing cut off

    @property
    def now(self):
        return self.until or timezone.now()


def live():
    return Moment(today=timezone.localdate())


def end_of_day(day):
    """Midnight at the start of the next day, in the tracker's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def at_end_of(day):
    return Moment(today=day, until=end_of_day(day))


# --- Which rows to count -----------------------------------------------------


def latest_history(history_model, until):
    """For each object, its latest history row recorded before `until`.

    One correlated subquery (works on SQLite and PostgreSQL alike); objects
    not yet created by then have no such row, and deleted ones are left out.
    """
    latest = (
        history_model.objects.filter(id=OuterRef("id"), history_date__lt=until)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history_model.objects.filter(history_id=Subquery(latest)).exclude(history_type="-")


def item_rows(items, moment):
    """Live items, or their history rows as they stood at the moment: tasks only, as every
    figure counts them (a judgement is a grade, never implemented, past its target date or with an update overdue)."""
    if moment.until is None:
        return items.filter(task_condition())
    return latest_history(Item.history.model, moment.until).filter(id__in=items.values("pk")).filter(task_condition())


def update_rows(items, moment):
    updates = ProgressUpdate.objects.all()
    if moment.until is not None:
        updates = latest_history(ProgressUpdate.history.model, moment.until)
    return updates.filter(item_id__in=items.values("pk"))


# --- Counts ------------------------------------------------------------------


def _count_columns(moment, update_overdue=True):
    columns = {"total": Count("id")}
    for value in Status.values:
        columns[f"status_{value}"] = Count("id", filter=Q(status=value))
    for value in Item.Rag.values:
        columns[f"rag_{value or 'none'}"] = Count("id", filter=Q(rag=value))
    for value in TASK_KINDS:
        columns[f"kind_{value}"] = Count("id", filter=Q(kind=value))
    columns["done"] = Count("id", filter=Q(status__in=DONE))
    columns["closed"] = Count("id", filter=Q(status__in=CLOSED_UNDELIVERED))
    columns["overdue"] = Count("id", filter=overdue_condition(moment.today))
    columns["slipping"] = Count("id", filter=slipping_condition())
    if update_overdue:
        columns["update_overdue"] = Count("id", filter=update_overdue_condition(moment.now))
    return columns


@dataclass
class Counts:
    """One row of counts: a source, an organisation, a lead role or the total."""

    label: str
    key: object
    total: int = 0
    done: int = 0  # implemented or assured (DONE)
    closed: int = 0  # closed by the board without being implemented (CLOSED_UNDELIVERED): never done
    overdue: int = 0
    slipping: int = 0
    update_overdue: int = 0
    by_status: dict = None
    by_rag: dict = None
    by_kind: dict = None  # of TASK_KINDS

    @classmethod
    def from_row(cls, label, key, row):
        return cls(
            label=label,
            key=key,
            by_kind={value: row.get(f"kind_{value}", 0) for value in TASK_KINDS},
            total=row.get("total", 0),
            done=row.get("done", 0),
            closed=row.get("closed", 0),
            overdue=row.get("overdue", 0),
            slipping=row.get("slipping", 0),
            update_overdue=row.get("update_overdue", 0),
            by_status={value: row.get(f"status_{value}", 0) for value in Status.values},
            by_rag={value: row.get(f"rag_{value or 'none'}", 0) for value in Item.Rag.values},
        )

    @property
    def percent_done(self):
        return round(self.done * 100 / self.total) if self.total else 0

    @property
    def open(self):
        """Still to do: neither done nor closed without being implemented."""
        return self.total - self.done - self.closed

    @property
    def counted(self):
        """What the counts are of, in words ("recommendations and proposals"): judgements never are."""
        return what_is_counted(self.by_kind or {}, self.total)

    def __add__(self, other):
        return Counts(
            label=self.label,
            key=self.key,
            by_kind={value: self.by_kind[value] + other.by_kind[value] for value in TASK_KINDS},
            total=self.total + other.total,
            done=self.done + other.done,
            closed=self.closed + other.closed,
            overdue=self.overdue + other.overdue,
            slipping=self.slipping + other.slipping,
            update_overdue=self.update_overdue + other.update_overdue,
            by_status={value: self.by_status[value] + other.by_status[value] for value in Status.values},
            by_rag={value: self.by_rag[value] + other.by_rag[value] for value in Item.Rag.values},
        )


def _grouped(rows, moment, *fields):
    return rows.order_by().values(*fields).annotate(**_count_columns(moment))


def _total(groups, label="All"):
    total = Counts.from_row(label, None, {})
    for group in groups:
        total = total + group
    return total


def counts(items, moment, label="All", update_overdue=True):
    """One Counts over all the given items. One query; `update_overdue=False` leaves out the update overdue count."""
    return Counts.from_row(label, None, item_rows(items, moment).aggregate(**_count_columns(moment, update_overdue)))


def counts_by_source(items, moment):
    """One Counts per source (every source, even with no items), plus the total. Two queries."""
    rows = {row["source_id"]: row for row in _grouped(item_rows(items, moment), moment, "source_id")}
    groups = [Counts.from_row(source.short_title, source, rows.get(source.pk, {})) for source in Source.objects.all()]
    return groups, _total(groups, "All sources")


def counts_by_owner(items, moment):
    """One Counts per owner organisation that has items, plus the total. One query."""
    groups = [
        Counts.from_row(row["owner__short_name"], row["owner_id"], row)
        for row in _grouped(item_rows(items, moment), moment, "owner_id", "owner__short_name").order_by(
            "owner__short_name"
        )
    ]
    return groups, _total(groups, "All organisations")


def counts_by_lead_role(items, moment):
    """One Counts per lead role, plus the total. One query."""
    groups = [
        Counts.from_row(row["lead_role"], row["lead_role"], row)
        for row in _grouped(item_rows(items, moment), moment, "lead_role").order_by("lead_role")
    ]
    return groups, _total(groups, "All lead roles")


def first_done():
    """When an item first reached implemented or assured (its history), for annotating items."""
    return Subquery(
        Item.history.model.objects.filter(id=OuterRef("pk"), status__in=DONE)
        .order_by("history_date")
        .values("history_date")[:1]
    )


def percentage(part, total):
    """Whole-number percentage of part in total, clamped to 0-100.

    For bar widths: class="tracker-bar--{{ n|percentage:total }}". Returns 0
    when total is 0 or either value is not a number.
    """
    try:
        part = float(part)
        total = float(total)
    except (TypeError, ValueError):
        return 0
    if total <= 0:
        return 0
    return max(0, min(100, round(part * 100 / total)))
