"""
A source's progress report (/sources/<code>/report/ and its OpenDocument download): every item of
the source in the source's order, each with what was recommended, the formal response, where it
stands, what has been done (its latest published updates), what happens next and by when, its
evidence and its indicators, after the source's figures at a glance.

The page and the .odt are written from the one SourceReport assembled here, from public records
only (records.py) and the figures the home page counts (headlines.py), so they say the same thing.
Every sentence a reader could quote is worded here once, in plain text: the page puts it in GOV.UK
components, the OpenDocument writer (report_document.py) in headings, paragraphs and tables.
"""
import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils import timezone

from recommendations import words
from recommendations.models import Item, Source
from recommendations.public import headlines, records

# How many of an item's published updates the report quotes, newest first: the latest says where it
# stands, the two before it how it got there. The item's page has every one.
LATEST_UPDATES = 3


@dataclass(frozen=True)
class ReportEntry:
    """One item of the report, in the order the report reads."""

    item: records.PublicItem
    formal_response: str  # what the organisation formally said, and when
    standing: tuple  # ((label, value), ...): where it stands, in words
    updates: tuple  # its latest published updates (PublicUpdate), newest first, at most LATEST_UPDATES
    published_in_all: int  # how many updates have been published on it
    next_steps: tuple  # sentences: what happens next and by when
    evidence: tuple  # its public evidence (PublicEvidence), newest first
    indicators: tuple  # its outcome indicators (PublicIndicator records, with their published values)

    @property
    def earlier_updates(self):
        """Published updates older than those the report quotes (on the item's page)."""
        return self.published_in_all - len(self.updates)


@dataclass(frozen=True)
class SourceReport:
    source: records.PublicSource
    glance: headlines.Glance  # the figures at a glance, counted as the home page counts them
    entries: list  # [ReportEntry], in the source's order
    last_published: datetime.datetime | None  # the latest update published on the source's items
    today: datetime.date

    @property
    def title(self):
        return f"Progress report: {self.source.short_title}"

    @property
    def filename(self):
        """The download's file name: which source, and the day it was made."""
        return f"progress-report-{self.source.code.lower()}-{self.today.isoformat()}.odt"

    @property
    def introduction(self):
        """What the report is, for its first paragraph."""
        return (f"Progress on each item of the {self.source.title} "
                f"({self.source.publisher}, {words.long_date(self.source.published_on)}), as published on "
                f"{words.long_date(self.today)}. It shows only what the improvement board has approved for publication.")

    @property
    def last_published_words(self):
        if self.last_published is None:
            return "No progress update on these items has been published yet."
        return f"The latest progress update on these items was published on {words.long_date(self.last_published)}."

    @property
    def headline(self):
        """The figures at a glance in one sentence, as the home page's opening figure says them."""
        glance = self.glance
        if not glance.total:
            return "There are no recommendations, proposals or findings to count here yet."
        their = "its" if glance.overdue == 1 else "their"
        return (f"{glance.done} of {glance.total} {glance.counted} implemented or assured, {glance.assured} assured "
                f"and closed by the board, {glance.overdue} past {their} target date.")


# --- Outcome indicators ------------------------------------------------------------------------------

def indicators_by_item(items):
    """{item reference: [PublicIndicator, ...]}: each item's outcome indicators, with their published
    values only (records.indicators_for_items; an item with none is left out)."""
    return records.indicators_for_items(items)


# --- The words of each section ---------------------------------------------------------------------


def formal_response_words(item):
    """The formal response and its date, then its reasons when not accepted."""
    said = item.formal_response_label
    if item.formal_response_date:
        said += f" on {words.long_date(item.formal_response_date)}"
    if item.formal_response_note:
        reasons = "Reasons: " if item.formal_response == Item.FormalResponse.NOT_ACCEPTED else ""
        said += f". {reasons}{item.formal_response_note}"
    return said


def standing(item):
    """Where the item stands, as (label, value) pairs in words."""
    if item.is_judgement:
        first, latest = item.first_grade, item.latest_grade
        pairs = [("Grade given", f"{first.label} ({words.long_date(first.judged_on)})")]
        if latest is not first:
            pairs.append(("Latest grade", f"{latest.label} ({words.long_date(latest.judged_on)})"))
        return tuple(pairs)
    target = words.long_date(item.current_target_date) or "Not set"
    if item.days_slipped:
        target += (f" (first agreed for {words.long_date(item.baseline_target_date)}: moved by "
                   f"{item.days_slipped} day{'s' if item.days_slipped != 1 else ''}, {words.SLIPPING.lower})")
    if item.is_overdue:
        target += f". {words.PAST_TARGET.name}"
    return (
        ("Status", item.status_label),
        ("RAG rating", Item.Rag(item.rag).label if item.rag else "Not assessed"),
        ("Target date", target),
        ("Owner", f"{item.owner_name} ({item.lead_role})" if item.lead_role else item.owner_name),
    )


def next_steps(item):
    """What happens next and by when, from what the record holds: the target date and when the
    owner's next update is due (nothing is invented: no plan is written down beyond these)."""
    if item.is_judgement:
        return ("A judgement is a grade an inspectorate gave, not a task to implement: nothing is due. "
                "A later re-inspection may grade it again.",)
    if item.status == Item.Status.NOT_ACCEPTED:
        return (f"Nothing is due: the {item.kind_label.lower()} was not accepted.",)
    if item.status == Item.Status.ASSURED:
        return ("Nothing is due: the improvement board has assured the work and closed the item.",)
    if item.status == Item.Status.IMPLEMENTED:
        return ("The owner has reported the work done and the board approved the report. No further progress "
                "updates are due; the improvement board may assure and close the item once it has checked the evidence.",)
    steps = []
    if item.current_target_date is None:
        steps.append("No target date has been agreed yet.")
    elif item.is_overdue:
        steps.append(f"It was due to be done by {words.long_date(item.current_target_date)}: it is "
                     f"{words.PAST_TARGET.lower}.")
    else:
        steps.append(f"It is due to be done by {words.long_date(item.current_target_date)}.")
    if item.next_update_due:
        due = (f"The next progress update from {item.owner_name} is due by {words.long_date(item.next_update_due)} "
               f"(updates are expected {item.update_cadence_label}).")
        if item.update_overdue:
            due += f" {words.UPDATE_OVERDUE.name}: no update has been published for longer than planned."
        steps.append(due)
    return tuple(steps)


# --- Assembly ----------------------------------------------------------------------------------------


def source_report(code):
    """The progress report of a source (SourceReport), in a fixed number of queries whatever the
    number of its items and updates. 404 if there is no such source."""
    source = get_object_or_404(Source, code=code)
    items = records.items().filter(source=source)
    rows = list(items)  # the source's order (Item.Meta.ordering)
    public = records.public_items(rows)
    latest = records.latest_updates_on(items, LATEST_UPDATES)
    evidence = records.evidence_by_item(items)
    indicators = indicators_by_item(items)
    entries = [
        ReportEntry(
            item=item,
            formal_response=formal_response_words(item),
            standing=standing(item),
            updates=tuple(latest.get(row.pk, ((), 0))[0]),
            published_in_all=latest.get(row.pk, ((), 0))[1],
            next_steps=next_steps(item),
            evidence=tuple(evidence.get(row.pk, ())),
            indicators=tuple(indicators.get(item.reference, ())),
        )
        for row, item in zip(rows, public)
    ]
    published_at = [entry.updates[0].published_at for entry in entries if entry.updates]
    return SourceReport(
        source=public[0].source if public else records.PublicSource.from_source(source),
        glance=headlines.for_source(source),
        entries=entries,
        last_published=max(published_at, default=None),
        today=timezone.localdate(),
    )
