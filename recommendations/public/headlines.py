"""
The public "at a glance" figures: one function counts them for any set of
public items (every item, a source's or a theme's), in two queries.

Status, RAG rating, overdue and slipping are counted in the database with
the model's one definition of each (models.overdue_condition and
slipping_condition, through figures.counts). The on-time band compares
each item with its first agreed target date; what it counts is written out
for the public in HOW_WE_COUNT, and the rules here must say the same.
"""
import calendar
import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Case, When
from django.utils import timezone

from recommendations import words
from recommendations.models import RAG_COLOURS, STATUS_COLOURS, Item
from recommendations import figures
from recommendations.public import records

# How far past its first agreed date an item may be and still be "up to 3 months behind".
BEHIND_MONTHS = 3


class Band:
    """Where an item stands against its first agreed target date."""

    ON_TIME = "on-time"
    BEHIND = "behind"
    FAR_BEHIND = "far-behind"
    NO_DATE = "no-date"
    NOT_ACCEPTED = "not-accepted"
    CLOSED = "closed"

    # value, label, chart colour: in the order shown.
    CHOICES = [
        (ON_TIME, "On time or on track", "green"),
        (BEHIND, f"Up to {BEHIND_MONTHS} months behind", "amber"),
        (FAR_BEHIND, f"More than {BEHIND_MONTHS} months behind", "red"),
        (NO_DATE, "No target date set", "none"),
        (NOT_ACCEPTED, "Not accepted (no date to meet)", "light-blue"),
        (CLOSED, "Closed without being implemented (no date to meet)", "orange"),
    ]


@lru_cache(maxsize=4096)  # the figures ask for it once per item, and items share their dates
def months_after(day, months):
    """The same day `months` calendar months later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def band(status, first_agreed, current, done_on, today):
    """The on-time band of one item (see HOW_WE_COUNT).

    first_agreed: the first agreed target date; current: the current one;
    done_on: the day it first reached implemented or assured (None if it has not).
    """
    if status == Item.Status.NOT_ACCEPTED:
        return Band.NOT_ACCEPTED
    if status in Item.UNDELIVERED_CLOSURES:
        # Closed by the board without being done: neither on time nor late, never done.
        return Band.CLOSED
    if first_agreed is None:
        return Band.NO_DATE
    if status in Item.DONE_STATUSES:
        # Judged by when it was done, whatever its target said by then.
        finish = done_on or today
    else:
        # Not done yet: it cannot finish before today, nor (as planned) before its current target.
        finish = max(current or first_agreed, today)
    if finish <= first_agreed:
        return Band.ON_TIME
    if finish <= months_after(first_agreed, BEHIND_MONTHS):
        return Band.BEHIND
    return Band.FAR_BEHIND


@dataclass(frozen=True)
class BehindFirstAgreed:
    """How "past target date", "slipping" and "behind the first agreed date" relate
    (words.py), over the items with a first agreed target date (`dated`): each item behind
    it is counted once, in the first of these that applies:
    past_target: past its current target date (models.overdue_condition);
    slipping: not done and not past its target date, but that date is later than the first
      agreed one (models.slipping_condition), so it will finish after the first agreed date;
    done_after: implemented or assured after the first agreed date."""

    dated: int
    past_target: int
    slipping: int
    done_after: int

    @property
    def count(self):
        """How many are behind the first agreed date."""
        return self.past_target + self.slipping + self.done_after

    @property
    def on_time(self):
        return self.dated - self.count

    @property
    def parts(self):
        """(label, chart colour, count): the bar of items with a first agreed date, those behind it first."""
        return [
            (words.PAST_TARGET.name, "red", self.past_target),
            (f"{words.SLIPPING.name}, not yet done", "amber", self.slipping),
            ("Done after the first agreed date", "grey", self.done_after),
            ("On time or on track", "green", self.on_time),
        ]


def _why_behind(status, current, today):
    """Which part of BehindFirstAgreed an item behind the first agreed date is counted in."""
    if status in Item.DONE_STATUSES:
        return "done_after"
    if current and current < today:  # open, so past its target date (models.overdue_condition)
        return "past_target"
    return "slipping"


@dataclass(frozen=True)
class Row:
    """One line of the figures: a status, a RAG rating or a band, with its count."""

    value: str
    label: str
    colour: str
    count: int
    # What it is a share of (None: not a share of anything, e.g. when nothing was assessed).
    out_of: int | None
    # The public item list filtered to these items (empty: no such filter).
    query: str = ""

    @property
    def percent(self):
        return round(self.count * 100 / self.out_of) if self.out_of else None


@dataclass(frozen=True)
class Glance:
    total: int  # the tasks counted: every item but judgements (models.task_condition)
    counted: str  # what they are, in words: "recommendations and proposals"
    judgements: int  # judgements here, counted in no figure (grades, not tasks)
    done: int
    assured: int
    overdue: int
    slipping: int
    rated: int  # items with a RAG rating
    by_status: list  # [Row]
    by_rag: list  # [Row], "Not assessed" last
    by_band: list  # [Row]
    scope_query: str  # the item list's filter for this set of items ("source=JAY"), or ""
    today: datetime.date
    behind_first_agreed: BehindFirstAgreed = None
    closed_not_implemented: int = 0  # closed by the board without being done: never in `done`
    superseded: int = 0  # closed by the board as replaced by another item or joint action: never in `done`

    @property
    def percent_done(self):
        return round(self.done * 100 / self.total) if self.total else None

    @property
    def not_assessed(self):
        return self.total - self.rated

    @property
    def dated(self):
        """Items with a first agreed target date (the on-time band's own count)."""
        return sum(row.count for row in self.by_band if row.value in (Band.ON_TIME, Band.BEHIND, Band.FAR_BEHIND))

    @property
    def tables(self):
        """(caption, first column heading, rows, what the shares are of) for each table beside the chart."""
        return [
            (f"{self.counted.capitalize()} by status", "Status", self.by_status, f"all {self.counted}"),
            (f"{self.counted.capitalize()} by RAG rating", "RAG rating", self.by_rag, "rated ones"),
            (f"{self.counted.capitalize()} against their first agreed target date", "Against the first agreed date",
             self.by_band, "those with a target date"),
        ]


def at_a_glance(items, scope_query="", today=None):
    """The figures for a queryset of public items (records.items(), narrowed). Two queries."""
    today = today or timezone.localdate()
    counts = figures.counts(items, figures.Moment(today=today), update_overdue=False)
    # Only an implemented or assured item is judged by when it was done (band): its history is
    # read for those alone, not for every item.
    done_at = Case(When(status__in=Item.DONE_STATUSES, then=figures.first_done()))
    dated = items.order_by().annotate(done_at=done_at).values_list(
        "kind", "status", "baseline_target_date", "current_target_date", "done_at"
    )
    bands = dict.fromkeys([value for value, _, _ in Band.CHOICES], 0)
    judgements = 0
    zone = timezone.get_current_timezone()  # read once, not for each of thousands of items
    behind = {"past_target": 0, "slipping": 0, "done_after": 0}
    for kind, status, first_agreed, current, done_at in dated:
        if kind == Item.Kind.JUDGEMENT:  # a grade, not a task: counted apart, in no figure
            judgements += 1
            continue
        done_on = timezone.localdate(done_at, zone) if done_at else None
        where = band(status, first_agreed, current, done_on, today)
        bands[where] += 1
        if where in (Band.BEHIND, Band.FAR_BEHIND):
            behind[_why_behind(status, current, today)] += 1
    scope = f"{scope_query}&" if scope_query else ""
    rated = counts.total - counts.by_rag[Item.Rag.NOT_RATED]
    dated_total = bands[Band.ON_TIME] + bands[Band.BEHIND] + bands[Band.FAR_BEHIND]
    return Glance(
        total=counts.total,
        counted=counts.counted,
        judgements=judgements,
        done=counts.done,
        assured=counts.by_status[Item.Status.ASSURED],
        closed_not_implemented=counts.by_status[Item.Status.CLOSED_NOT_IMPLEMENTED],
        superseded=counts.by_status[Item.Status.SUPERSEDED],
        overdue=counts.overdue,
        slipping=counts.slipping,
        rated=rated,
        by_status=[
            Row(status.value, status.label, STATUS_COLOURS[status], counts.by_status[status], counts.total,
                f"{scope}status={status.value}")
            for status in Item.Status
        ],
        by_rag=[
            Row(rag.value, rag.label, RAG_COLOURS[rag], counts.by_rag[rag], rated or None, f"{scope}rag={rag.value}")
            for rag in Item.Rag if rag != Item.Rag.NOT_RATED
        ] + [Row("none", "Not assessed", RAG_COLOURS[Item.Rag.NOT_RATED], counts.by_rag[Item.Rag.NOT_RATED], None,
                 f"{scope}rag=none")],
        by_band=[
            Row(value, label, colour, bands[value],
                dated_total or None if value in (Band.ON_TIME, Band.BEHIND, Band.FAR_BEHIND) else None)
            for value, label, colour in Band.CHOICES
        ],
        scope_query=scope_query,
        today=today,
        behind_first_agreed=BehindFirstAgreed(dated=dated_total, **behind),
    )


def for_everything():
    return at_a_glance(records.items())


def for_source(source):
    """source: a Source or a PublicSource."""
    return at_a_glance(records.items().filter(source__code=source.code), f"source={source.code}")


def for_theme(theme):
    """theme: a Theme or a PublicTheme."""
    return at_a_glance(records.items().filter(themes__slug=theme.slug), f"theme={theme.slug}")
