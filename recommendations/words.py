"""
The tracker's words for how an item stands, each defined once.

Every page that names one of these (home and the figures at a glance, the item
lists and filters, the item page, the board, the meeting pack, the open data
descriptions and the glossary page, /glossary/) takes its name and meaning from
here, so they cannot drift apart. The rules behind them are in models.py
(overdue_condition, slipping_condition, update_overdue_condition) and, for lateness
against the first agreed date, services/headlines.py (band).

"Past target date" (delivery: the date has passed) and "update overdue"
(reporting: the owner has not reported) are different things, so they share no
word and no tag colour.
"""
from dataclasses import dataclass


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
PAST_TARGET = Term(
    "past-target-date", "Past target date",
    "The item's current target date has passed and it is not implemented or assured.",
    "red",
)
SLIPPING = Term(
    "slipping", "Slipping",
    "The item's current target date is later than the first one agreed: its date has been moved later.",
)
LATE_FIRST_AGREED = Term(
    "late-against-the-first-agreed-date", "Late against the first agreed date",
    "Done after the first agreed target date or, if not done yet, already past that date or due to finish "
    "after it (its target date was moved later). It is the widest of the three: an item past its target date, "
    "or slipping and not yet done, is late against the first agreed date.",
)
UPDATE_OVERDUE = Term(
    "update-overdue", "Update overdue",
    "About reporting, not delivery: the item is not implemented or assured, and the organisation responsible "
    "has not published a progress update for longer than the item's update cadence (quarterly unless set "
    "otherwise). A decision of the board does not count as the owner's report.",
    "yellow",
)

# The glossary page, in this order.
GLOSSARY = (RAG, ASSURED, PAST_TARGET, SLIPPING, LATE_FIRST_AGREED, UPDATE_OVERDUE)


def how_long(days):
    """A span of days as people say it: "45 days", "5 months", "11 years"."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"
