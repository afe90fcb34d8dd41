"""
The board meeting pack: what changed since the last meeting, and what the board must decide.

Figures "then" are the board's "as at" reconstruction (figures.at_end_of,
from the change history) at the end of the `since` day; figures "now" are the
live ones, counted by the same functions. Everything after the end of that day
counts as "since". A fixed number of queries, however many items there are.
"""
import datetime
from dataclasses import dataclass

from recommendations import words
from recommendations.models import Indicator, Item, ProgressUpdate, overdue_condition
from recommendations.public import records
from recommendations import figures
from recommendations.services import dashboards, escalation, feedback, workflow

# The board the pack is for, named on every printed page.
BOARD_NAME = ProgressUpdate.BOARD_NAME

# With no date chosen, the pack covers about the last quarter (boards often meet quarterly).
DEFAULT_PERIOD_DAYS = 91


def default_since(today):
    return today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)


@dataclass
class Figure:
    label: str
    then: int
    now: int

    @property
    def change(self):
        return self.now - self.then

    @property
    def change_text(self):
        # In words: a CSV cell starting with "+" or "-" would be neutralised as a formula.
        if self.change == 0:
            return "No change"
        return f"{'Up' if self.change > 0 else 'Down'} {abs(self.change)}"


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class Share:
    """A share of the items (implemented or assured) at both moments. A change in a share is in
    percentage points, and it is read with what it is a share of: the same share of more items
    is more done, so both denominators and the items added are written out."""

    label: str
    part_then: int
    total_then: int
    part_now: int
    total_now: int

    @staticmethod
    def _percent(part, total):
        return round(part * 100 / total) if total else 0  # as figures.Counts.percent_done

    @property
    def then(self):
        return f"{self._percent(self.part_then, self.total_then)}% of {self.total_then}"

    @property
    def now(self):
        return f"{self._percent(self.part_now, self.total_now)}% of {self.total_now}"

    @property
    def change(self):
        """The change in percentage points."""
        return self._percent(self.part_now, self.total_now) - self._percent(self.part_then, self.total_then)

    @property
    def change_text(self):
        """"Down 15 percentage points: 29% of 35, was 44% of 25; 10 items added"."""
        points = abs(self.change)
        moved = f"{'Up' if self.change > 0 else 'Down'} {_plural(points, 'percentage point')}" if points else "No change"
        added = self.total_now - self.total_then
        if added > 0:
            items = f"{_plural(added, 'item')} added"
        elif added < 0:
            items = f"{_plural(-added, 'item')} fewer"
        else:
            items = f"the same {_plural(self.total_now, 'item')}"
        return f"{moved}: {self.now}, was {self.then}; {items}"


# What the first figure counts: judgements (grades, not tasks) are in none (figures.item_rows).
TRACKED = "Recommendations, proposals and findings tracked (judgements are not counted)"
CLOSED_UNDELIVERED = "Closed without being implemented (not implemented or superseded)"


def headline(items, then, now):
    """The overview's headline figures at both moments. Six queries."""
    before_counts, after_counts = (figures.counts_by_source(items, moment)[1] for moment in (then, now))
    before, after = (
        {
            TRACKED: counts.total,
            "Implemented or assured": counts.done,
            CLOSED_UNDELIVERED: counts.closed,
            words.PAST_TARGET.name: counts.overdue,
            words.SLIPPING.name: counts.slipping,
            words.UPDATE_OVERDUE.name: counts.update_overdue,
            "Updates waiting for review": dashboards.review_queue(items, moment).size,
        }
        for counts, moment in ((before_counts, then), (after_counts, now))
    )
    headline = [Figure(label, before[label], after[label]) for label in after]
    share = Share("Share implemented or assured", before_counts.done, before_counts.total, after_counts.done,
                  after_counts.total)
    return headline[:2] + [share] + headline[2:]


def published_since(items, after):
    """Updates and board decisions published after `after`, oldest first. One query."""
    return list(
        ProgressUpdate.objects.published().filter(item__in=items, published_at__gte=after)
        .select_related("item", "organisation").order_by("published_at", "pk")
    )


def returned_since(items, after):
    """Each return of an update to its officers after `after` (an update returned twice counts
    twice), oldest first, from the updates' history. One query."""
    rows = (
        ProgressUpdate.history.filter(
            item_id__in=items.values("pk"), state=ProgressUpdate.State.RETURNED, reviewed_at__gte=after
        )
        .order_by("reviewed_at", "id")
        .values("id", "reviewed_at", "item__reference", "organisation__short_name")
    )
    seen, returns = set(), []
    for row in rows:
        # Editing a returned update adds history rows with the same return: one per return.
        if (row["id"], row["reviewed_at"]) not in seen:
            seen.add((row["id"], row["reviewed_at"]))
            returns.append(row)
    return returns


def slipped_since(items, then):
    """Items whose current target date is later now than at `then` (from the target date
    history), most days moved first; each has was_target and moved_by (days). Two queries."""
    before = dict(figures.item_rows(items, then).values_list("id", "current_target_date"))
    moved = []
    for item in items.filter(current_target_date__isnull=False).select_related("owner"):
        was = before.get(item.pk)
        if was and item.current_target_date > was:
            item.was_target, item.moved_by = was, (item.current_target_date - was).days
            moved.append(item)
    return sorted(moved, key=lambda item: (-item.moved_by, item.reference))


def became_overdue(items, then, now):
    """Items overdue now that were not overdue at `then` (models.overdue_condition both times:
    on the history rows then, on the items now). Two queries."""
    overdue_then = figures.item_rows(items, then).filter(overdue_condition(then.today)).values_list("id", flat=True)
    overdue_then = set(overdue_then)
    return [item for item in dashboards.overdue_items(items, now) if item.pk not in overdue_then]


@dataclass
class Decision:
    kind: str
    item: Item
    detail: str
    since: datetime.datetime


def decisions_needed(items, to_assure):
    """Updates to review, items to assure (`to_assure`: workflow.ready_to_assure) and escalations
    reaching the board. Two queries."""
    decisions = [
        Decision("Review an update", update.item, f"Update from {update.organisation or update.item.owner}",
                 update.submitted_at)
        for update in workflow.waiting_for_review(items)
    ]
    decisions += [
        Decision("Assure and close", item, f"Reported implemented; owner {item.owner.short_name}", item.updated_at)
        for item in to_assure
    ]
    decisions += [
        Decision("Escalated to the board", step.item, step.get_reason_display(), step.escalating_since)
        for step in escalation.for_board(items)
    ]
    return decisions


@dataclass
class IndicatorSince:
    """An outcome indicator in the pack: its latest published value then and now."""

    indicator: records.PublicIndicator
    then: "records.PublicIndicatorValue | None"  # the latest published by the end of the `since` day
    new_values: int  # values published since

    @property
    def now(self):
        return self.indicator.latest


def indicators_since(items, after):
    """The outcome indicators linked to the items, each with its latest value then and now. Four queries."""
    linked = records.public_indicators(Indicator.objects.filter(items__in=items.order_by().values("pk")).distinct())
    found = []
    for indicator in linked:
        before = [value for value in indicator.values if value.published_at < after]
        found.append(IndicatorSince(indicator, before[-1] if before else None,
                                    len(indicator.values) - len(before)))
    return found


def meeting_pack(items, since):
    """Everything in the pack for the meeting after `since` (a date). About twenty queries."""
    then = figures.at_end_of(since)
    now = figures.live()
    after = then.until
    to_assure = list(workflow.ready_to_assure(items))
    return {
        "since": since,
        "now": now,
        "headline": headline(items, then, now),
        "published": published_since(items, after),
        "returned": returned_since(items, after),
        "slipped": slipped_since(items, then),
        "became_overdue": became_overdue(items, then, now),
        "to_assure": to_assure,
        "decisions": decisions_needed(items, to_assure),
        # The public's feedback received and answered since then, and waiting now.
        "feedback": feedback.counts(items, since=after),
        "indicators": indicators_since(items, after),
    }
