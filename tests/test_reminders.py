"""send_reminders: overdue items and those with an update overdue, one e-mail per officer per day, safe to run twice."""
import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate, ReminderLog
from tests.helpers import make_user
from recommendations import roles
from tests.workflow_helpers import EVIDENCE, approved, submitted

pytestmark = pytest.mark.django_db


def _make_overdue(reference):
    Item.objects.filter(reference=reference).update(current_target_date=timezone.localdate() - datetime.timedelta(days=1))


def _age_published_updates(reference, days):
    ProgressUpdate.objects.filter(item__reference=reference).update(
        published_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_nothing_to_remind_sends_nothing(council_officer, police_officer, mailoutbox):
    call_command("send_reminders")
    assert mailoutbox == []


def test_owners_hear_about_overdue_and_update_overdue_items_once_a_day(council_officer, police_officer, reviewer, mailoutbox):
    _make_overdue("JAY-03")
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-01"))
    _age_published_updates("JAY-01", 45)
    Item.objects.filter(reference="JAY-01").update(update_cadence_months=1)  # monthly: 30 days
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"))  # recent: no update overdue
    colleague = make_user("council-colleague", roles.OFFICERS, council_officer.organisation)

    call_command("send_reminders")
    assert sorted(message.to[0] for message in mailoutbox) == sorted([council_officer.email, colleague.email])
    body = mailoutbox[0].body
    assert "JAY-03" in body and "Target date passed" in body
    assert "JAY-01" in body and "No update published for 45 days" in body
    assert "JAY-07" not in body
    assert ReminderLog.objects.filter(sent_on=timezone.localdate()).count() == 2

    call_command("send_reminders")  # cron runs again the same day
    assert len(mailoutbox) == 2


def test_the_items_update_cadence_sets_when_an_update_is_overdue(council_officer, reviewer, mailoutbox):
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-01"))
    _age_published_updates("JAY-01", 40)
    call_command("send_reminders")
    assert mailoutbox == []  # quarterly (91 days): not yet due
    Item.objects.filter(reference="JAY-01").update(update_cadence_months=1)
    call_command("send_reminders")
    assert len(mailoutbox) == 1 and "No update published for 40 days" in mailoutbox[0].body


def test_done_items_and_updates_waiting_for_review_are_not_nagged(council_officer, reviewer, mailoutbox):
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-02"), proposed_status="implemented",
             evidence=[EVIDENCE])
    _make_overdue("JAY-02")
    _age_published_updates("JAY-02", 90)
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-01"))
    _age_published_updates("JAY-01", 90)
    submitted(council_officer, Item.objects.get(reference="JAY-01"))
    call_command("send_reminders")
    assert mailoutbox == []


def test_a_failed_send_is_retried_on_the_next_run(council_officer, mailoutbox, settings):
    _make_overdue("JAY-03")
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingBackend"
    with pytest.raises(ConnectionError):
        call_command("send_reminders")
    assert not ReminderLog.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_reminders")
    assert len(mailoutbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


def test_long_silences_are_said_in_months_and_years(council_officer, reviewer, mailoutbox):
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-01"))
    _age_published_updates("JAY-01", 4242)
    call_command("send_reminders")
    assert "No update published for 11 years" in mailoutbox[0].body
    assert "4242" not in mailoutbox[0].body
