"""
What needs an officer's attention: overdue and stale items (as models.py
defines them for every screen) and updates the board returned. Used by "My
items" and by the daily reminder e-mails, so both always agree.
"""
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommendations.models import ProgressUpdate, overdue_condition, stale_condition

State = ProgressUpdate.State


@dataclass(frozen=True)
class Reason:
    key: str
    text: str


def with_progress(items):
    """Annotate items with their owner's last report and open updates, as subqueries (one query in all)."""
    updates = ProgressUpdate.objects.filter(item=OuterRef("pk"))
    return items.with_last_report().annotate(
        has_returned=Exists(updates.filter(state=State.RETURNED)),
        has_draft=Exists(updates.filter(state=State.DRAFT)),
        has_submitted=Exists(updates.filter(state=State.SUBMITTED)),
    )


def needing_reminder(items, today, now):
    """Items (annotated by with_progress) that are overdue or stale and have no update
    waiting for review: the officers have nothing to do on those until the board acts."""
    return items.filter(overdue_condition(today) | stale_condition(now)).filter(has_submitted=False)


def reasons(item, today, now):
    """Why the item needs attention, most urgent first (a returned update, then overdue, then
    stale); empty when it does not."""
    found = []
    if item.is_overdue(today):
        found.append(Reason("overdue", f"Target date passed on {item.current_target_date.day} "
                                       f"{item.current_target_date:%B %Y}"))
    if item.is_stale(now):
        if item.last_reported_at:
            found.append(Reason("stale", f"No update published for {how_long((now - item.last_reported_at).days)}"))
        else:
            found.append(Reason("stale", "No update published since the item was added"))
    if item.has_returned:
        # The board is waiting on the officer: first of all.
        found.insert(0, Reason("returned", "An update was returned by the board: change it and submit it again"))
    return found


def how_long(days):
    """A span of days as people say it: "45 days", "5 months", "11 years"."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"


ORDER = {"returned": 0, "overdue": 1, "stale": 2}


def attention_sorted(items, today=None, now=None):
    """Items with `item.reasons` set, those needing attention first (returned, overdue, stale)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    result = []
    for position, item in enumerate(with_progress(items)):
        item.reasons = reasons(item, today, now)
        rank = min((ORDER[reason.key] for reason in item.reasons), default=len(ORDER))
        result.append((rank, position, item))
    return [item for _, _, item in sorted(result, key=lambda entry: entry[:2])]
