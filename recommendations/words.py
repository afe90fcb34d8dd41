"""
The tracker's words for how an item stands, each defined once.

Every page that names one of these (home and the figures at a glance, the item
lists and filters, the item page, the board, the meeting pack, the open data
descriptions and the glossary page, /glossary/) takes its name and meaning from
here, so they cannot drift apart. The rules behind them are in models.py
(overdue_condition, slipping_condition, update_overdue_condition) and, for
"behind the first agreed date", public/headlines.py (band).

"Past target date" (delivery: the date has passed) and "update overdue"
(reporting: the owner has not reported) are different things, so they share no
word and no tag colour. Neither is called "late": the word named both, and a
third thing too.

Dates and durations are worded here too (long_date, short_date, date_and_time,
long_date_and_time, month_and_year, short_month, how_long, ago, time_ago,
cadence_words, could_not_be_opened), so a page, an e-mail, a table and a chart write the same day or
span the same way.
"""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.timesince import timesince


@dataclass(frozen=True)
class Term:
    anchor: str  # its place on the glossary page: /glossary/#<anchor>
    name: str  # as a label or heading
    definition: str  # one or two plain sentences
    tag_colour: str = ""  # the GOV.UK tag colour, for a term shown as a tag

    @property
    def lower(self):
        """The name inside a sentence ("past target date")."""
        return self.name[0].lower() + self.name[1:] if not self.name[:3].isupper() else self.name


RAG = Term(
    "rag-rating", "RAG rating",
    "Red, amber or green: how the responsible organisation judges the item is going, as approved by the "
    "improvement board. Red means serious problems, amber some risk, green on track. An item nobody has rated "
    "yet is not assessed: it is not counted as red, amber or green.",
)
ASSURED = Term(
    "assured", "Assured",
    "The improvement board has checked the evidence that an implemented item is done and closed it. "
    "Implemented means the responsible organisation reported it done and the board approved that report.",
)
CLOSED_NOT_IMPLEMENTED = Term(
    "closed-not-implemented", "Closed as not implemented",
    "The improvement board has closed the item without it being done, and published its reasons (the item was "
    "dropped, for example). It is closed, so it is never past its target date, but it is never counted as "
    "implemented: it is counted and shown apart. The board can reopen it.",
)
SUPERSEDED = Term(
    "superseded", "Closed as superseded",
    "The improvement board has closed the item because another item or a joint action replaced it, and "
    "published its reasons and what replaced it. Like an item closed as not implemented, it is counted and "
    "shown apart, never as implemented: its work continues, if at all, under what replaced it.",
)
PAST_TARGET = Term(
    "past-target-date", "Past target date",
    "The item's current target date has passed and it is not implemented, assured or closed.",
    "red",
)
SLIPPING = Term(
    "slipping", "Slipping",
    "The item's current target date is later than the first one agreed: its date has been moved later.",
)
BEHIND_FIRST_AGREED = Term(
    "behind-the-first-agreed-date", "Behind the first agreed date",
    "Done after the first agreed target date or, if not done yet, already past that date or due to finish "
    "after it (its target date was moved later). It is the widest of the three: an item past its target date, "
    "or slipping and not yet done, is behind the first agreed date.",
)
UPDATE_OVERDUE = Term(
    "update-overdue", "Update overdue",
    "About reporting, not delivery: the item is open (not implemented, assured or closed), and the organisation "
    "responsible "
    "has not published a progress update for longer than the item's update cadence (quarterly unless set "
    "otherwise). A decision of the board does not count as the owner's report.",
    "yellow",
)

# The glossary page, in this order.
GLOSSARY = (RAG, ASSURED, CLOSED_NOT_IMPLEMENTED, SUPERSEDED, PAST_TARGET, SLIPPING, BEHIND_FIRST_AGREED,
            UPDATE_OVERDUE)
# The terms by the names templates use: terms.update_overdue, terms.past_target...
TERMS = {
    "rag": RAG,
    "assured": ASSURED,
    "closed_not_implemented": CLOSED_NOT_IMPLEMENTED,
    "superseded": SUPERSEDED,
    "past_target": PAST_TARGET,
    "slipping": SLIPPING,
    "behind_first_agreed": BEHIND_FIRST_AGREED,
    "update_overdue": UPDATE_OVERDUE,
}


# --- Dates and durations ------------------------------------------------------


def _local(value):
    """A moment in local time (as Django's |date shows it); a date or a naive moment as it is."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value):
    """A date as the pages write it: 9 September 2014 (as |date:"j F Y", for a fraction of the
    work: no format or locale lookups). A moment is written as its day in local time; anything
    that is not a date (None, "") as ""."""
    value = _local(value)
    return f"{value.day} {value:%B %Y}" if isinstance(value, datetime.date) else ""


def short_date(value):
    """A date as tables write it: 5 Jan 2026 (as |date:"j M Y", written as long_date is: asking
    for the active language alone took as long as the rest); a moment as its day in local
    time; "" for anything else."""
    value = _local(value)
    return f"{value.day} {value:%b %Y}" if isinstance(value, datetime.date) else ""


def date_and_time(value):
    """A moment in a table or a log: 5 Jan 2026, 14:05 (as |date:"j M Y, H:i"), in local time."""
    value = _local(value)
    return f"{short_date(value)}, {value:%H:%M}" if isinstance(value, datetime.datetime) else ""


def long_date_and_time(value):
    """A moment in a history: 5 January 2026, 14:05 (as |date:"j F Y, H:i"), in local time."""
    value = _local(value)
    return f"{long_date(value)}, {value:%H:%M}" if isinstance(value, datetime.datetime) else ""


def month_and_year(day):
    """A month as the pages write it: September 2014."""
    return f"{day:%B %Y}"


def short_month(day):
    """A month on a chart's axis: Sep 2014."""
    return f"{day:%b %Y}"


def how_long(days):
    """A span of days as people say it: "45 days", "5 months", "11 years"."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"


def ago(moment, now):
    """How long before now, as people say it: "today", "45 days ago", "5 months ago"."""
    days = (now - moment).days
    return "today" if days < 1 else f"{how_long(days)} ago"


def time_ago(moment, now=None):
    """How long ago, to the hour, as |timesince says it: "3 days, 4 hours ago"; "" for no moment.
    For a wait counted in hours (an update in the review queue); ago() is for spans of days."""
    return f"{timesince(moment, now)} ago" if moment else ""


def could_not_be_opened(checked):
    """What a broken evidence link says beside it: "could not be opened when checked on 3 December 2026"
    (`checked`: the day, or the moment, of its last check)."""
    return f"could not be opened when checked on {long_date(checked)}"


def cadence_words(months):
    """How often updates are expected, in words: "quarterly", "every 2 months"."""
    named = {1: "monthly", 3: "quarterly", 12: "yearly"}
    return named.get(months, f"every {months} months")


def period_words(start, end):
    """An indicator's period on a chart's axis: "Apr 2025" for a month, "Apr–Jun 2025" for
    months of one year, "Dec 2024–Feb 2025" across years."""
    if (start.year, start.month) == (end.year, end.month):
        return short_month(start)
    if start.year == end.year:
        return f"{start:%b}–{short_month(end)}"
    return f"{short_month(start)}–{short_month(end)}"


def plain_number(value):
    """A value as people write it: 87, 12.5, -3 (no trailing zeros, no exponent)."""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
