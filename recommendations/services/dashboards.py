"""
Figures for the improvement board's dashboards: the lists of items needing
attention, the review queue, the trend, assurance and joint work. The counts
themselves are recommendations/figures.py's, shared with the public pages.

Each dashboard runs a fixed number of queries however many items and updates
there are.

`items` is always a queryset of the items the signed-in user may see
(policies.dashboards.items_counted_for): everything for the board, an officer's slice otherwise.
"""
import bisect
import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from recommendations import kept_values, versions
from recommendations.figures import CLOSED_UNDELIVERED, DONE, Status, counts, counts_by_source, end_of_day, item_rows, update_rows
from recommendations.models import (
    Action,
    Item,
    ProgressUpdate,
    Source,
    last_report,
    overdue_condition,
    slipping_condition,
    update_overdue_condition,
    task_condition,
)


def kept_figures(name, compute):
    """compute() (a dashboard's figures), kept until the data they count changes.

    Kept under the board version (versions.work_changed: raised by every change
    to items, updates in any state, evidence, sources, organisations, themes and
    actions), read from the database on each request, so every worker and server
    agrees on it. The key also holds the hour: figures that depend on the clock
    (overdue and update overdue from today's date, days waiting in the review queue) are
    worked out again at least once an hour.
    """
    hour = timezone.localtime().strftime("%Y-%m-%dT%H")
    return kept_values.kept(f"board:{versions.board_version()}:{hour}:{name}", compute)


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


def update_overdue_items(items, moment, limit=None):
    """Open items whose owner has not reported within their cadence (update overdue), longest overdue first (never
    reported, then the longest since; the first `limit` of them). Each has last_reported_at (or None): the
    owner's last report, as update_overdue_condition counts it (not the board's decisions)."""
    rows = item_rows(items, moment).filter(update_overdue_condition(moment.now)).annotate(
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

    The overdue, slipping and update overdue lists hold their first `listed` items (all
    if None); the counts in "total" and "by_source" always cover every item.
    """
    by_source, total = counts_by_source(items, moment)
    return {
        "moment": moment,
        "by_source": by_source,
        "total": total,
        "overdue": overdue_items(items, moment, listed),
        "slipping": slipping_items(items, moment, listed),
        "update_overdue": update_overdue_items(items, moment, listed),
        "queue": review_queue(items, moment),
    }


# --- Trend (burn-up) ---------------------------------------------------------


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
    closed: int = 0  # of those, closed by the board without being implemented: never delivered
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
        elif status in CLOSED_UNDELIVERED:
            count(source_id, "closed", first, last)
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
        for figure in ("tracked", "planned", "delivered", "closed", "no_target_date"):
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

