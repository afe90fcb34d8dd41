"""
The public record in the past: as it stood at the end of a day, and what changed between two days.

Nothing new is recorded for this. The figures and statuses "as at" a day are
rebuilt by the same code as the board's "as at" dashboard
(figures.at_end_of, item_rows and counts_by_source: each item's history
row as it stood at the end of that day), here over every item and shown
through public records only. The changes between two days are the published
updates of that time (records.published_updates): progress published,
and the board's corrections, assurances (closures) and reopenings, which are
published updates too.
"""
import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Item, PublicationLogEntry, Source
from recommendations.words import long_date
from recommendations import figures
from recommendations.public import log
from recommendations.public import records


class BadDate(ValueError):
    """A date the public record cannot be shown for; the message says why, in plain words."""


def parse_day(text, what="The date"):
    """A date from its ISO form (2015-06-30), or BadDate."""
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadDate(f"{what} must be a real date written as year-month-day, for example 2015-06-30") from None


def first_day():
    """The day the first source was published: the record has nothing to show before it (None if no sources)."""
    return Source.objects.aggregate(first=Min("published_on"))["first"]


def check_day(day, first, what="The date"):
    """Refuse a day in the future, or before the first source (`first`, from first_day())."""
    if day > timezone.localdate():
        raise BadDate(f"{what} must be today or in the past")
    if first is None or day < first:
        raise BadDate(
            f"{what} must be on or after {long_date(first)}, when the first report was published"
            if first else "Nothing has been tracked yet"
        )


@dataclass(frozen=True)
class ItemAsAt:
    """An item (its public record now) with its status, RAG rating and target date as they stood at the
    end of a past day; tracked is False if it had not been added to the tracker by then."""

    item: records.PublicItem
    tracked: bool
    status: str = ""
    rag: str = ""
    current_target_date: datetime.date | None = None


@dataclass
class RecordAsAt:
    day: datetime.date
    by_source: list  # [figures.Counts], one per source, in source order, keyed by its PublicSource
    total: object  # figures.Counts over every item tracked that day
    items: list  # [ItemAsAt], every item tracked now, in source and number order
    not_yet_tracked: int  # items tracked now that were added after the day
    indicators: list = field(default_factory=list)  # [PublicIndicator] with the values published by then

    @property
    def statuses(self):
        """(value, label) of every status, for table headings."""
        return Item.Status.choices


def as_at(day):
    """The public record at the end of `day` (already checked with check_day), with the outcome
    indicators' values published by then. Eight queries."""
    moment = figures.at_end_of(day)
    items = records.items()
    by_source, total = figures.counts_by_source(items, moment)
    by_source = [replace(group, key=records.PublicSource.from_source(group.key)) for group in by_source]
    then = {
        row["id"]: row
        for row in figures.item_rows(items, moment).values("id", "status", "rag", "current_target_date")
    }
    # Judgements are grades, not tasks: they had no status then or now (figures.item_rows).
    items = list(items.tasks().order_by("source__published_on", "source__code", "number"))
    rows = []
    for item, public in zip(items, records.public_items(items)):
        row = then.get(item.pk)
        fields = {name: row[name] for name in ("status", "rag", "current_target_date")} if row else {}
        rows.append(ItemAsAt(item=public, tracked=row is not None, **fields))
    return RecordAsAt(day=day, by_source=by_source, total=total, items=rows,
                      not_yet_tracked=len(rows) - len(then),
                      # Each outcome indicator with only the values published by the end of the day.
                      indicators=records.public_indicators(until=moment.until - datetime.timedelta(microseconds=1)))


def published_between(start, end):
    """Published updates (progress, corrections, assurances, reopenings) from the start of `start`
    to the end of `end`, newest first: a queryset, to paginate and then turn into public records
    with records.published_updates()."""
    since = figures.end_of_day(start - datetime.timedelta(days=1))
    return records.published().filter(published_at__gte=since, published_at__lt=figures.end_of_day(end))


# The most record changes one page of /changes/ lists; the publication log has them all.
MOST_RECORD_CHANGES = 200


@dataclass(frozen=True)
class RecordChange:
    """A change to the record made outside the review workflow (an administrator's recorded decision,
    a source file), from its publication log entry: when, what, who (a role), which fields and why."""

    entry_id: int
    recorded_at: datetime.datetime
    kind_label: str
    item_reference: str  # empty for a source
    subject: str  # the item's reference, or the source's code
    changed: tuple
    by: str
    reason: str

    @property
    def item_url(self):
        return reverse("public:item-detail", args=[self.item_reference]) if self.item_reference else ""


def record_changes_between(start, end):
    """RecordChange records from the start of `start` to the end of `end`, newest first (at most
    MOST_RECORD_CHANGES). One query."""
    since = figures.end_of_day(start - datetime.timedelta(days=1))
    entries = (PublicationLogEntry.objects.filter(kind__in=log.RECORD_CHANGES, recorded_at__gte=since,
                                                  recorded_at__lt=figures.end_of_day(end))
               .order_by("-id")[:MOST_RECORD_CHANGES])
    changes = []
    for entry in entries:
        data = log.read_content(entry.content)
        subject = (entry.item_reference or (data.get("source") or {}).get("code", "")
                   or (data.get("indicator") or {}).get("slug", ""))
        changes.append(RecordChange(
            entry_id=entry.pk, recorded_at=entry.recorded_at, kind_label=entry.get_kind_display(),
            item_reference=entry.item_reference, subject=subject,
            # Everything is new in an item or source added: only a change lists its fields.
            changed=() if entry.kind == PublicationLogEntry.Kind.ADDED else tuple(data.get("changed", ())),
            by=entry.by, reason=data.get("reason", ""),
        ))
    return changes
