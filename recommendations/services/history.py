"""An item's history for the signed-in screens: who did what, and when, in two queries."""
from dataclasses import dataclass, field

from recommendations.models import ProgressUpdate
from recommendations.words import long_date

# The item fields whose changes matter to officers and the board.
TRACKED_FIELDS = (("status", "Status"), ("rag", "RAG rating"), ("current_target_date", "Target date"),
                  ("baseline_target_date", "First agreed target date"))
UPDATE_EVENTS = {"+": "Update started", "~": "Update changed", "-": "Update deleted"}


@dataclass
class Entry:
    when: object
    who: object
    what: str
    changes: list = field(default_factory=list)


def _display(record, name):
    value = getattr(record, name)
    if not value:
        return "not set"
    if hasattr(value, "strftime"):
        return long_date(value)
    return getattr(record, f"get_{name}_display")()


def item_timeline(item):
    """Every recorded change to the item and its updates, newest first."""
    entries = []
    previous = None
    # Compared in the order recorded (ids), which back-dated records cannot reorder.
    for record in item.history.select_related("history_user").order_by("history_id"):
        changes = []
        if previous is not None:
            changes = [
                f"{label}: {_display(previous, name)} → {_display(record, name)}"
                for name, label in TRACKED_FIELDS
                if getattr(previous, name) != getattr(record, name)
            ]
        what = record.history_change_reason or ("Added to the tracker" if previous is None else "Details changed")
        entries.append(Entry(record.history_date, record.history_user, what, changes))
        previous = record
    for record in ProgressUpdate.history.filter(item_id=item.pk).select_related("history_user"):
        what = record.history_change_reason or UPDATE_EVENTS[record.history_type]
        entries.append(Entry(record.history_date, record.history_user, f"Update {record.id}: {what}"))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
