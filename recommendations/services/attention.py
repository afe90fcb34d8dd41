"""
What needs an officer's attention: overdue items and those with an update overdue (as models.py
defines them for every screen), updates the board returned and drafts not yet
submitted. Used by "My items" and by the daily reminder e-mails, so both always
agree. My items also names published evidence links the link checker counts as
broken (services/link_checker.py), and lists them.
"""
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommendations.words import how_long, long_date
from recommendations.models import EvidenceLink, ProgressUpdate, overdue_condition, update_overdue_condition
from recommendations.services import link_checker

State = ProgressUpdate.State


@dataclass(frozen=True)
class Reason:
    key: str
    text: str


def with_progress(items, organisation=None):
    """Annotate items with their owner's last report and open updates, as subqueries (one query in all).

    has_returned and has_draft are about the updates of `organisation` (by default each item's
    owner): only its officers can act on them. has_submitted is about anyone's: until the
    board acts, there is nothing to do."""
    updates = ProgressUpdate.objects.filter(item=OuterRef("pk"))
    own = updates.filter(organisation=organisation if organisation is not None else OuterRef("owner_id"))
    return items.with_last_report().annotate(
        has_returned=Exists(own.filter(state=State.RETURNED)),
        has_draft=Exists(own.filter(state=State.DRAFT)),
        has_submitted=Exists(updates.filter(state=State.SUBMITTED)),
    )


def needing_reminder(items, today, now):
    """Items (annotated by with_progress) that are overdue or have an update overdue and have no update
    waiting for review: the officers have nothing to do on those until the board acts."""
    return items.filter(overdue_condition(today) | update_overdue_condition(now)).filter(has_submitted=False)


def reasons(item, today, now):
    """Why the item needs attention, most urgent first (a returned update, then overdue, then
    update overdue, then a draft not yet submitted); empty when it does not."""
    found = []
    if item.is_overdue(today):
        found.append(Reason("overdue", f"Target date passed on {long_date(item.current_target_date)}"))
    if item.is_update_overdue(now):
        if item.last_reported_at:
            found.append(Reason("update_overdue", f"No update published for {how_long((now - item.last_reported_at).days)}"))
        else:
            found.append(Reason("update_overdue", "No update published since the item was added"))
    if item.has_returned:
        # The board is waiting on the officer: first of all.
        found.insert(0, Reason("returned", "An update was returned by the board: change it and submit it again"))
    if item.has_draft:
        # Nobody else sees a draft: until it is submitted, the board cannot act on it.
        found.append(Reason("draft", "A draft update has not been submitted: submit it to the board or discard it"))
    if getattr(item, "has_broken_link", False):  # annotated by attention_sorted (My items) only
        found.append(Reason("broken_link", "An evidence link could not be opened: see the broken links below"))
    return found


ORDER = {"returned": 0, "overdue": 1, "update_overdue": 2, "draft": 3, "broken_link": 4}


def attention_sorted(items, organisation=None, today=None, now=None):
    """Items with `item.reasons` set, those needing attention first (returned, overdue, update overdue, draft),
    as `organisation` sees them (with_progress: its own returned updates and drafts)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    result = []
    broken = EvidenceLink.objects.public().filter(item=OuterRef("pk"), broken=True)
    for position, item in enumerate(with_progress(items, organisation).annotate(has_broken_link=Exists(broken))):
        item.reasons = reasons(item, today, now)
        rank = min((ORDER[reason.key] for reason in item.reasons), default=len(ORDER))
        result.append((rank, position, item))
    return [item for _, _, item in sorted(result, key=lambda entry: entry[:2])]


def broken_links(items):
    """The published evidence links on `items` (a queryset) that the link checker counts as broken,
    by item: for My items, beside the items needing attention."""
    return list(link_checker.broken_links(items))
