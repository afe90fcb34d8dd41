"""
Figures for the improvement board's dashboards.

Everything is counted in the database (GROUP BY with filtered COUNTs), and
each dashboard runs a fixed number of queries however many items and updates
there are. The same functions count either live items or their history rows
as they stood at the end of a past day ("as at"), because both have the same
columns: id, source, owner, lead_role, status, rag and target dates.

`items` is always a queryset of the items the signed-in user may see
(rules.board_items): everything for the board, an officer's slice otherwise.
"""
import bisect
import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from recommendations import http_cache
from recommendations.models import (
    Action,
    Item,
    ProgressUpdate,
    Source,
    last_report,
    overdue_condition,
    slipping_condition,
    stale_condition,
    task_condition,
)

Status = Item.Status
DONE = Item.DONE_STATUSES
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


def remembered(name, compute):
    """compute() (a dashboard's figures), kept until the data they count changes.

    Kept under the board version (http_cache.work_changed: raised by every change
    to items, updates in any state, evidence, sources, organisations, themes and
    actions), read from the database on each request, so every worker and server
    agrees on it. The key also holds the hour: figures that depend on the clock
    (overdue and stale from today's date, days waiting in the review queue) are
    worked out again at least once an hour.
    """
    hour = timezone.localtime().strftime("%Y-%m-%dT%H")
    return http_cache.kept(f"board:{http_cache.board_version()}:{hour}:{name}", compute)


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
    figure counts them (a judgement is a grade, never implemented, overdue or stale)."""
    if moment.until is None:
        return items.filter(task_condition())
    return latest_history(Item.history.model, moment.until).filter(id__in=items.values("pk")).filter(task_condition())


def update_rows(items, moment):
    updates = ProgressUpdate.objects.all()
    if moment.until is not None:
        updates = latest_history(ProgressUpdate.history.model, moment.until)
    return updates.filter(item_id__in=items.values("pk"))


# --- Counts ------------------------------------------------------------------


def _count_columns(moment, stale=True):
    columns = {"total": Count("id")}
    for value in Status.values:
        columns[f"status_{value}"] = Count("id", filter=Q(status=value))
    for value in Item.Rag.values:
        columns[f"rag_{value or 'none'}"] = Count("id", filter=Q(rag=value))
    for value in TASK_KINDS:
        columns[f"kind_{value}"] = Count("id", filter=Q(kind=value))
    columns["done"] = Count("id", filter=Q(status__in=DONE))
    columns["overdue"] = Count("id", filter=overdue_condition(moment.today))
    columns["slipping"] = Count("id", filter=slipping_condition())
    if stale:
        columns["stale"] = Count("id", filter=stale_condition(moment.now))
    return columns


@dataclass
class Counts:
    """One row of counts: a source, an organisation, a lead role or the total."""

    label: str
    key: object
    total: int = 0
    done: int = 0
    overdue: int = 0
    slipping: int = 0
    stale: int = 0
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
            overdue=row.get("overdue", 0),
            slipping=row.get("slipping", 0),
            stale=row.get("stale", 0),
            by_status={value: row.get(f"status_{value}", 0) for value in Status.values},
            by_rag={value: row.get(f"rag_{value or 'none'}", 0) for value in Item.Rag.values},
        )

    @property
    def percent_done(self):
        return round(self.done * 100 / self.total) if self.total else 0

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
            overdue=self.overdue + other.overdue,
            slipping=self.slipping + other.slipping,
            stale=self.stale + other.stale,
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


def counts(items, moment, label="All", stale=True):
    """One Counts over all the given items. One query; `stale=False` leaves out the stale count."""
    return Counts.from_row(label, None, item_rows(items, moment).aggregate(**_count_columns(moment, stale)))


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


# --- Lists of items needing attention ----------------------------------------


def _listed(rows):
    return rows.select_related("source", "owner").order_by("reference")


def overdue_items(items, moment, limit=None):
    """Overdue items, longest overdue first (the first `limit` of them). Each has days_overdue."""
    rows = _listed(item_rows(items, moment).filter(overdue_condition(moment.today)))
    rows = list(rows.order_by("current_target_date", "reference")[:limit])
    for row in rows:
        row.days_overdue = (moment.today - row.current_target_date).days
    return rows


def slipping_items(items, moment, limit=None):
    """Items whose target moved later, most days slipped first (the first `limit` of them).
    Each has slipped_by (days)."""
    rows = _listed(item_rows(items, moment).filter(slipping_condition()))
    slipped = F("current_target_date") - F("baseline_target_date")
    rows = list(rows.order_by(slipped.desc(), "reference")[:limit])
    for row in rows:
        row.slipped_by = (row.current_target_date - row.baseline_target_date).days
    return rows


def stale_items(items, moment, limit=None):
    """Open items whose owner has not reported within their cadence ("update overdue"), stalest first (never
    reported, then the longest since; the first `limit` of them). Each has last_reported_at (or None): the
    owner's last report, as the stale rule counts it (not the board's decisions)."""
    rows = item_rows(items, moment).filter(stale_condition(moment.now)).annotate(
        last_reported_at=last_report(before=moment.until)
    )
    return list(_listed(rows).order_by(F("last_reported_at").asc(nulls_first=True), "reference")[:limit])


@dataclass
class Queue:
    size: int
    oldest_submitted_at: datetime.datetime | None
    oldest_reference: str | None
    days_waiting: int | None


def review_queue(items, moment):
    """Updates waiting for review: how many, and the one waiting longest. Two queries."""
    waiting = update_rows(items, moment).filter(state=ProgressUpdate.State.SUBMITTED)
    size = waiting.aggregate(size=Count("id"))["size"]
    oldest = waiting.order_by("submitted_at", "id").values("submitted_at", "item__reference").first()
    if not oldest:
        return Queue(size, None, None, None)
    return Queue(
        size,
        oldest["submitted_at"],
        oldest["item__reference"],
        (moment.now - oldest["submitted_at"]).days,
    )


def overview(items, moment, listed=None):
    """Everything on the overview (and "as at") dashboard, in eight queries.

    The overdue, slipping and stale lists hold their first `listed` items (all
    if None); the counts in "total" and "by_source" always cover every item.
    """
    by_source, total = counts_by_source(items, moment)
    return {
        "moment": moment,
        "by_source": by_source,
        "total": total,
        "overdue": overdue_items(items, moment, listed),
        "slipping": slipping_items(items, moment, listed),
        "stale": stale_items(items, moment, listed),
        "queue": review_queue(items, moment),
    }


# --- Trend (burn-up) ---------------------------------------------------------


def first_done():
    """When an item first reached implemented or assured (its history), for annotating items."""
    return Subquery(
        Item.history.model.objects.filter(id=OuterRef("pk"), status__in=DONE)
        .order_by("history_date")
        .values("history_date")[:1]
    )


def _month(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _months(first, last):
    month = first
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _last_day(month):
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@dataclass
class TrendPoint:
    """One source's items as they stood at the end of one month (this month: now), from their history."""

    month: datetime.date
    tracked: int = 0  # items in the tracker
    planned: int = 0  # of those, with a first agreed target date on or before the month's last day
    delivered: int = 0  # of those, implemented or assured
    no_target_date: int = 0  # of those, with no current target date


def trend(items, now=None):
    """Per source, month by month from the month the first item was added up to this
    month (never a month after today): its items as they stood at each month's end
    (for this month, now), each from its latest history row before then. So an item
    reopened by the board is no longer counted as done from the month it reopened.
    Two queries: the items' history rows, and the sources.

    Each history row is the item's state from its date until the next row's: it counts
    at every month's end in between, added to running totals (a difference array), so
    the work grows with the rows and the months, not their product.
    """
    now = now or timezone.now()
    rows = list(
        Item.history.model.objects.filter(id__in=items.values("pk"))
        .filter(task_condition(), history_date__lt=now)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "source_id", "history_date", "history_type", "status", "baseline_target_date",
                     "current_target_date")
    )
    if not rows:
        return []
    months = list(_months(_month(min(row[2] for row in rows)), _month(now)))
    # The moment each month's figures describe: its end, or now for this month.
    ends = [min(end_of_day(_last_day(month)), now) for month in months]
    last_days = [_last_day(month) for month in months]
    changes = {}  # (source, figure) -> [change at each month's end index, and one beyond]

    def count(source_id, figure, first, last):
        steps = changes.setdefault((source_id, figure), [0] * (len(months) + 1))
        steps[first] += 1
        steps[last] -= 1

    for index, (item_id, source_id, since, kind, status, baseline, target) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        until = following[2] if following and following[0] == item_id else None
        # Month ends this row describes: after it was recorded, and up to the next row's date.
        first = bisect.bisect_right(ends, since)
        last = bisect.bisect_right(ends, until) if until is not None else len(months)
        if kind == "-" or first >= last:
            continue
        count(source_id, "tracked", first, last)
        if status in DONE:
            count(source_id, "delivered", first, last)
        if target is None:
            count(source_id, "no_target_date", first, last)
        if baseline is not None:
            # Planned from the month whose last day reaches the first agreed target date.
            planned_from = max(first, bisect.bisect_left(last_days, baseline))
            if planned_from < last:
                count(source_id, "planned", planned_from, last)

    result = []
    for source in Source.objects.all():
        if (source.pk, "tracked") not in changes:
            continue
        points = [TrendPoint(month) for month in months]
        for figure in ("tracked", "planned", "delivered", "no_target_date"):
            running = 0
            for point, step in zip(points, changes.get((source.pk, figure), [0] * len(months))):
                running += step
                setattr(point, figure, running)
        result.append({"source": source, "points": points})
    return result


# --- Overlap of actions and sources ------------------------------------------


def assured_items(items):
    """The assured items, each annotated with the strength of the evidence behind the
    assurance that closed it (the latest) and when it was published."""
    latest = (
        ProgressUpdate.objects.published()
        .filter(item_id=OuterRef("pk"), kind=ProgressUpdate.Kind.ASSURANCE)
        .order_by("-published_at", "-pk")
    )
    return items.filter(status=Status.ASSURED).annotate(
        evidence_strength=Subquery(latest.values("evidence_strength")[:1]),
        assured_at=Subquery(latest.values("published_at")[:1]),
    )


NOT_RECORDED = "Not recorded (assured before the strength was recorded)"


def assurance(items, strength=None, listed=None):
    """Assured items counted by evidence strength (weakest first, then those with none
    recorded), and the assured items themselves, newest first, of one strength if
    `strength` is given. Two queries."""
    assured = assured_items(items)
    counts = {}
    for value, n in assured.order_by().values_list("evidence_strength").annotate(n=Count("id")):
        counts[value or ""] = counts.get(value or "", 0) + n
    by_strength = [(value, label, counts.get(value, 0)) for value, label in ProgressUpdate.EvidenceStrength.choices]
    by_strength.append(("", NOT_RECORDED, counts.get("", 0)))
    chosen = assured.filter(evidence_strength=strength) if strength else assured
    return {
        "by_strength": by_strength,
        "total": sum(counts.values()),
        "listed_total": counts.get(strength, 0) if strength else sum(counts.values()),
        "items": list(chosen.select_related("owner").order_by("-assured_at", "reference")[:listed]),
    }


def overlap(items):
    """Which actions answer which items, by source; and items no action covers. Three queries.

    Returns {"sources", "actions": [{"action", "cells": [[refs] per source],
    "source_count"}], "uncovered": [items]}.
    """
    sources = list(Source.objects.all())
    column = {source.pk: index for index, source in enumerate(sources)}
    links = (
        Action.items.through.objects.filter(item_id__in=items.values("pk"))
        .order_by("action__reference", "item__source__published_on", "item__number")
        .values("action_id", "action__reference", "action__title", "item__reference", "item__source_id")
    )
    actions = {}
    for link in links:
        row = actions.setdefault(
            link["action_id"],
            {
                "reference": link["action__reference"],
                "title": link["action__title"],
                "cells": [[] for _ in sources],
            },
        )
        row["cells"][column[link["item__source_id"]]].append(link["item__reference"])
    for row in actions.values():
        row["source_count"] = sum(1 for cell in row["cells"] if cell)
    uncovered = list(items.filter(task_condition(), actions__isnull=True).select_related("source", "owner"))
    return {"sources": sources, "actions": list(actions.values()), "uncovered": uncovered}

