"""Every kind of e-mail the tracker sends: From, Auto-Submitted, a Message-ID on the site's own
domain, and links on the configured site address (recommendations/services/outgoing_mail.py)."""
import datetime
import re

import pytest
from django.utils import timezone

from recommendations.models import Item, Subscription
from recommendations.services import alerts, escalation, reminders, workflow
from tests.workflow_helpers import approved, submitted

pytestmark = pytest.mark.django_db

SITE = "https://tracker.rotherham.example"
FROM = "tracker-no-reply@rotherham.example"
READER = "reader@example.net"
URL = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = FROM
    settings.TRACKER_ALERT_DELAY_SECONDS = 0


def subscription(frequency, **target):
    now = timezone.now()
    return Subscription.objects.create(email=READER, frequency=frequency, confirmed_at=now, sent_until=now, **target)


def alerts_confirmation(council_officer, reviewer, capture):
    with capture(execute=True):
        alerts.subscribe(READER, "item", "JAY-03", "immediate")


def immediate_alert(council_officer, reviewer, capture):
    subscription("immediate", item=Item.objects.get(reference="JAY-03"))
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"))
    alerts.send_due()


def daily_digest(council_officer, reviewer, capture):
    subscription("daily", item=Item.objects.get(reference="JAY-03"))
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"))
    alerts.send_due(now=timezone.now() + datetime.timedelta(days=1))


def past_its_target_date(reference):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Item.objects.filter(reference=reference).update(current_target_date=yesterday)


def reminder(council_officer, reviewer, capture):
    past_its_target_date("JAY-03")
    reminders.send_reminders()


def escalation_step(council_officer, reviewer, capture):
    past_its_target_date("JAY-03")
    escalation.run()


def review_notifications(council_officer, reviewer, capture):
    with capture(execute=True):
        update = submitted(council_officer, Item.objects.get(reference="JAY-03"))
        workflow.return_update(reviewer, update, update.version, "Add the audit.")
        workflow.submit(council_officer, update, update.version)
        workflow.approve(reviewer, update, update.version)


@pytest.mark.parametrize("send", [alerts_confirmation, immediate_alert, daily_digest, reminder, escalation_step,
                                  review_notifications], ids=lambda send: send.__name__)
def test_every_kind_of_e_mail_carries_the_trackers_headers_and_links(
    send, council_officer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    send(council_officer, reviewer, django_capture_on_commit_callbacks)
    assert mailoutbox, "the step sends at least one e-mail"
    message_ids = {sent.message()["Message-ID"] for sent in mailoutbox}
    assert len(message_ids) == len(mailoutbox), "each e-mail has a Message-ID of its own"
    for sent in mailoutbox:
        headers = sent.message()
        assert headers["From"] == FROM
        assert headers["Auto-Submitted"] == "auto-generated"
        assert re.fullmatch(r"<[^@<>\s]+@tracker\.rotherham\.example>", headers["Message-ID"]), headers["Message-ID"]
        links = URL.findall(sent.body)
        assert links, sent.subject
        assert all(link.startswith(SITE + "/") for link in links), links


def test_alerts_keep_their_unsubscribe_headers(council_officer, reviewer, mailoutbox,
                                               django_capture_on_commit_callbacks):
    immediate_alert(council_officer, reviewer, django_capture_on_commit_callbacks)
    (alert,) = mailoutbox
    headers = alert.message()
    assert headers["List-Unsubscribe"].startswith(f"<{SITE}/alerts/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
