"""
What needs an officer's attention: overdue items, items with no recent
update, and updates the board returned. Used by "My items" and by the daily
reminder e-mails, so both always agree.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate

State = ProgressUpdate.State


@dataclass(frozen=True)
class Reason:
    key: str
    text: str


def with_progress(items):
    """Annotate items with their latest publication and open updates, as subqueries (one query in all)."""
    updates = ProgressUpdate.objects.filter(item=OuterRef("pk"))
    return items.annotate(
        last_published_at=Subquery(
            updates.filter(state=State.APPROVED).order_by("-published_at").values("published_at")[:1]
        ),
        has_returned=Exists(updates.filter(state=State.RETURNED)),
        has_draft=Exists(updates.filter(state=State.DRAFT)),
        has_submitted=Exists(updates.filter(state=State.SUBMITTED)),
    )


def stale_cutoff(days=None, now=None):
    days = settings.TRACKER_STALE_AFTER_DAYS if days is None else days
    return (now or timezone.now()) - datetime.timedelta(days=days)


def needing_reminder(items, today, cutoff):
    """Items (annotated by with_progress) that are overdue or stale, filtered in the database."""
    return items.exclude(status__in=Item.DONE_STATUSES).filter(
        Q(current_target_date__lt=today) | _stale_q(cutoff)
    )


def _stale_q(cutoff):
    # No update for the period: nothing published since the cutoff (or ever,
    # for an item older than that), and nothing waiting for review either.
    return Q(has_submitted=False) & (
        Q(last_published_at__lt=cutoff) | Q(last_published_at__isnull=True, created_at__lt=cutoff)
    )


def is_stale(item, cutoff):
    if item.is_done or item.has_submitted:
        return False
    return (item.last_published_at or item.created_at) < cutoff


def reasons(item, today, cutoff):
    """Why the item needs attention, most urgent first; empty when it does not."""
    found = []
    if item.is_overdue(today):
        found.append(Reason("overdue", f"Target date passed on {item.current_target_date.day} "
                                       f"{item.current_target_date:%B %Y}"))
    if is_stale(item, cutoff):
        if item.last_published_at:
            days = (timezone.now() - item.last_published_at).days
            found.append(Reason("stale", f"No update published for {days} days"))
        else:
            found.append(Reason("stale", "No update published yet"))
    if item.has_returned:
        found.append(Reason("returned", "An update was returned by the board: change it and submit it again"))
    return found


ORDER = {"overdue": 0, "stale": 1, "returned": 2}


def attention_sorted(items, today=None, cutoff=None):
    """Items with `item.reasons` set, those needing attention first (overdue, stale, returned)."""
    today = today or timezone.localdate()
    cutoff = cutoff or stale_cutoff()
    result = []
    for position, item in enumerate(with_progress(items)):
        item.reasons = reasons(item, today, cutoff)
        rank = min((ORDER[reason.key] for reason in item.reasons), default=len(ORDER))
        result.append((rank, position, item))
    return [item for _, _, item in sorted(result, key=lambda entry: entry[:2])]
