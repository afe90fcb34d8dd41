"""
Daily reminder e-mails to officers whose organisation owns items that are
overdue or with an update overdue (see models.py), unless an update on them is waiting for review.

Safe to run as often as cron likes: ReminderLog allows one e-mail per person
per day (a unique constraint), so a second run the same day sends nothing.
"""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item, ReminderLog
from recommendations.services import attention, notifications, outgoing_mail


def send_reminders(today=None):
    """Send today's reminders; returns the number of e-mails sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    items = attention.needing_reminder(attention.with_progress(Item.objects.select_related("owner")), today, now)
    by_owner = {}
    for item in items:
        item.reasons = attention.reasons(item, today, now)
        by_owner.setdefault(item.owner_id, []).append(item)
    officers = (
        get_user_model().objects.filter(
            groups__name=roles.OFFICERS, is_active=True, organisation_id__in=by_owner
        ).exclude(email="").exclude(reminderlog__sent_on=today)
    )
    sent = 0
    for officer in officers:
        if _send_once(officer, by_owner[officer.organisation_id], today):
            sent += 1
    return sent


def _send_once(officer, items, today):
    try:
        with transaction.atomic():
            # The log row is written first and rolled back if sending fails, so
            # a failed e-mail is retried on the next run and a sent one never is.
            ReminderLog.objects.create(user=officer, sent_on=today)
            count = "1 item needs" if len(items) == 1 else f"{len(items)} items need"
            outgoing_mail.send(f"Tracker reminder: {count} an update", _body(officer, items), [officer.email])
    except IntegrityError:
        return False  # another run already reminded this person today
    return True


def _body(officer, items):
    lines = [
        f"Hello {officer.get_full_name() or officer.username},",
        "",
        "These items owned by your organisation need a progress update:",
        "",
    ]
    for item in items:
        lines.append(f"- {item.reference}: {item.title}")
        lines.extend(f"    {reason.text}" for reason in item.reasons)
    lines += [
        "",
        f"Sign in to the tracker and open My items to write an update: {notifications.link('workflow:my-items')}",
    ]
    return "\n".join(lines)
