"""
Escalation of items past their target date or with an update overdue.

An item escalates when it is past its current target date (Item.objects.overdue)
or its update is overdue (no update published for longer than its cadence:
Item.objects.update_overdue), and no update on it is waiting for review: the
items the daily reminders name (services/attention.py; models.py has the one
definition of both). It escalates on this schedule, one step per run at most:

    step 1  when it is first found: an e-mail to the officers of the owner
            organisation;
    step 2  STEP_2_AFTER_DAYS (14) days after step 1, still found: an e-mail to the
            lead role's contact (Organisation.lead_contact_email; if none is
            recorded the step is still recorded, and says so);
    step 3  STEP_3_AFTER_DAYS (14) days after step 2, still found: listed for the
            board (on the board overview and in the meeting pack's "decisions
            needed"); no e-mail.

Each step is an EscalationStep row, recorded before its e-mail is sent and in
the same transaction, and at most one open row per item and step may exist (a
database constraint): running twice records nothing twice and sends nothing
twice. A spell of escalation ends (its steps get resolved_at) when the item no
longer escalates (including when an update is submitted for review), gets a
published update or is closed; its next spell starts again at step 1 (so an
item still past its target date after a published update starts again at 1).

The daily reminders (services/reminders.py) carry on alongside: they are a
digest of everything needing an update; these e-mails say an item has been
escalated, once per step.
"""
import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommendations import roles, words
from recommendations.models import EscalationStep, Item, ProgressUpdate
from recommendations.services import attention, notifications, outgoing_mail

STEP_2_AFTER_DAYS = 14
STEP_3_AFTER_DAYS = 14
AFTER_DAYS = {EscalationStep.Step.LEAD_CONTACT: STEP_2_AFTER_DAYS, EscalationStep.Step.BOARD: STEP_3_AFTER_DAYS}

Step = EscalationStep.Step
Reason = EscalationStep.Reason
# Each reason is one of the tracker's words, named and explained as on the glossary page.
REASON_TERMS = {Reason.PAST_TARGET: words.PAST_TARGET, Reason.UPDATE_OVERDUE: words.UPDATE_OVERDUE}


@dataclass
class Result:
    recorded: int = 0
    resolved: int = 0
    emails: int = 0


def items_to_escalate(today, now):
    """Items escalating now, each with `reason` (past its target date first, else update overdue).

    The same items the daily reminders name (attention.needing_reminder): overdue or update overdue, and no
    update waiting for review, since the officers have done their part until the board acts.
    """
    items = attention.needing_reminder(attention.with_progress(Item.objects.select_related("owner")), today, now)
    items = list(items.order_by("pk"))
    for item in items:
        item.reason = Reason.PAST_TARGET if item.is_overdue(today) else Reason.UPDATE_OVERDUE
    return items


def _resolve_ended(escalating_ids, now):
    """End the open spells of items no longer escalating, or published or closed since their last step."""
    # The owner's report, not a decision of the board: that does not answer an escalation.
    published_since = ProgressUpdate.objects.owner_reports().filter(
        item_id=OuterRef("item_id"), published_at__gt=OuterRef("recorded_at")
    )
    open_steps = EscalationStep.objects.filter(resolved_at__isnull=True)
    ended = open_steps.exclude(item_id__in=escalating_ids).values_list("item_id", flat=True)
    refreshed = open_steps.filter(Exists(published_since)).values_list("item_id", flat=True)
    item_ids = set(ended) | set(refreshed)
    return open_steps.filter(item_id__in=item_ids).update(resolved_at=now)


def run(today=None, now=None):
    """Bring every item's escalation up to date; returns what was recorded and sent."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    items = list(items_to_escalate(today, now))
    result = Result()
    result.resolved = _resolve_ended({item.pk for item in items}, now)
    latest = {}
    for step in EscalationStep.objects.filter(resolved_at__isnull=True).order_by("step"):
        latest[step.item_id] = step
    for item in items:
        previous = latest.get(item.pk)
        if previous is None:
            wanted = Step.OFFICERS
        elif previous.step < Step.BOARD and now >= previous.recorded_at + datetime.timedelta(
            days=AFTER_DAYS[previous.step + 1]
        ):
            wanted = Step(previous.step + 1)
        else:
            continue
        emails = _record(item, wanted, now)
        if emails is not None:
            result.recorded += 1
            result.emails += emails
    return result


def _record(item, step, now):
    """Record one step and send its e-mail; None if another run recorded it first."""
    recipients, sent_to = _recipients(item, step)
    try:
        with transaction.atomic():
            EscalationStep.objects.create(item=item, step=step, reason=item.reason, recorded_at=now, sent_to=sent_to)
            if recipients:
                outgoing_mail.send(_subject(item, step), _body(item, step), recipients)
    except IntegrityError:
        return None
    return 1 if recipients else 0


def _recipients(item, step):
    """The addresses to e-mail, and who they are in words for the record (no names or addresses)."""
    owner = item.owner
    if step == Step.OFFICERS:
        addresses = (
            get_user_model().objects.filter(groups__name=roles.OFFICERS, is_active=True, organisation=owner)
            .exclude(email="").values_list("email", flat=True)
        )
        addresses = sorted(set(addresses))
        if not addresses:
            return [], f"Officers of {owner.short_name} (no officer has an e-mail address)"
        return addresses, f"Officers of {owner.short_name}"
    if step == Step.LEAD_CONTACT:
        if not owner.lead_contact_email:
            return [], f"Lead role's contact at {owner.short_name} (no contact address recorded)"
        return [owner.lead_contact_email], f"Lead role's contact at {owner.short_name} ({item.lead_role})"
    return [], "The improvement board"


def _subject(item, step):
    return f"Escalation step {step}: {item.reference} ({Reason(item.reason).label.lower()})"


def _body(item, step):
    lines = [
        f"{item.reference}: {item.title}",
        f"Owner: {item.owner.short_name}. Lead role: {item.lead_role}.",
        f"Why it is escalated: {REASON_TERMS[item.reason].lower}. {REASON_TERMS[item.reason].definition}",
        "",
    ]
    if step == Step.OFFICERS:
        lines += [
            f"If no update is published, it goes to the lead role's contact in {STEP_2_AFTER_DAYS} days.",
            f"Write an update: {notifications.link('workflow:item', item.reference)}",
        ]
    else:
        lines += [
            "The owner's officers were reminded and no update has been published since. If none is, the item is "
            f"listed for the improvement board in {STEP_3_AFTER_DAYS} days.",
            f"The item's work page: {notifications.link('workflow:item', item.reference)}",
        ]
    lines.append(f"Its public page: {notifications.link('public:item-detail', item.reference)}")
    return "\n".join(lines)


def open_escalations(items):
    """The current step of every item (of `items`) escalating now, highest step first. One query."""
    steps = (
        EscalationStep.objects.filter(resolved_at__isnull=True, item__in=items)
        .select_related("item", "item__owner")
        .order_by("item__reference", "step")
    )
    current = {}
    first = {}
    for step in steps:
        first.setdefault(step.item_id, step.recorded_at)
        current[step.item_id] = step
    for item_id, step in current.items():
        step.escalating_since = first[item_id]
    return sorted(current.values(), key=lambda step: (-step.step, step.escalating_since, step.item.reference))


def for_board(items):
    """Items listed for the board (step 3) now."""
    return [step for step in open_escalations(items) if step.step == Step.BOARD]
