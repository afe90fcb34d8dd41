"""Twelve requests for e-mail alerts for one address at the same moment send no more confirmation
e-mails than the limit (alerts.CONFIRMATIONS_PER_HOUR an hour to one address, one per address and target
within alerts.RESEND_AFTER): the limit is checked and counted in one step in the database. "Follow every item"
pressed several times at once follows once."""
import datetime
import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from recommendations.models import ConfirmationCount, Item, Subscription
from recommendations.services import alerts

ADDRESS = "reader@example.net"
REQUESTS = 12

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent sessions")


def at_the_same_moment(queries):
    """Post the subscribe form for ADDRESS once per query string, each from its own thread and database session."""
    at_once = threading.Barrier(len(queries))
    statuses = []

    def ask(query):
        client = Client()
        try:
            at_once.wait(timeout=20)
            statuses.append(client.post(f"/alerts/subscribe/?{query}", {"email": ADDRESS, "frequency": "daily"})
                            .status_code)
        except Exception as error:  # an error page (the test client raises the view's exception)
            statuses.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(query,)) for query in queries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * len(queries), statuses


@pytest.fixture
def site(settings, seeded, mailoutbox):
    settings.SITE_URL = "https://tracker.example"
    return mailoutbox


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twelve_requests_for_twelve_items_at_once_send_at_most_the_hours_limit(site):
    references = list(Item.objects.order_by("reference").values_list("reference", flat=True)[:REQUESTS])
    at_the_same_moment([f"item={reference}" for reference in references])
    sent = [message for message in mail.outbox if message.to == [ADDRESS]]
    assert 1 <= len(sent) <= alerts.CONFIRMATIONS_PER_HOUR, [message.subject for message in sent]
    # Made at the same moment, the address's first subscriptions may each get a key of their own: the manage
    # link of any of them still lists them all.
    everyone = set(Subscription.objects.filter(email=ADDRESS).values_list("pk", flat=True))
    for subscription in Subscription.objects.filter(email=ADDRESS):
        address = alerts.check_manage_token(alerts.manage_token(subscription))
        assert {alert.id for alert in alerts.alerts_of(address)} == everyone


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_follow_every_item_pressed_several_times_at_once_follows_once(site):
    now = timezone.now()
    subscription = Subscription.objects.create(email=ADDRESS, item=Item.objects.get(reference="JAY-03"),
                                               confirmed_at=now, sent_until=now)
    url = f"/alerts/manage/{alerts.manage_token(subscription)}/"
    at_once = threading.Barrier(6)
    statuses = []

    def press():
        try:
            at_once.wait(timeout=20)
            statuses.append(Client().post(url, {"action": "everything", "frequency": "daily"}).status_code)
        except Exception as error:
            statuses.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 6, statuses
    assert Subscription.objects.filter(email=ADDRESS, item=None, source=None, theme=None).count() == 1


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twelve_requests_for_one_item_asked_for_again_at_once_send_one_email(site):
    item = Item.objects.get(reference="JAY-03")
    Subscription.objects.create(email=ADDRESS, item=item, confirmation_sent_at=timezone.now() - alerts.RESEND_AFTER
                                - datetime.timedelta(minutes=1))
    at_the_same_moment(["item=JAY-03"] * REQUESTS)
    assert len([message for message in mail.outbox if message.to == [ADDRESS]]) == 1


@pytest.mark.django_db
def test_the_count_is_kept_in_the_database_and_deleted_when_its_hour_is_over(client, site,
                                                                              django_capture_on_commit_callbacks):
    for reference in ["JAY-01", "JAY-02", "JAY-03", "JAY-04", "JAY-05", "JAY-06"]:
        cache.clear()  # an emptied (or failing) cache does not lift the limit
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/alerts/subscribe/?item={reference}", {"email": ADDRESS, "frequency": "daily"})
    assert len(mail.outbox) == alerts.CONFIRMATIONS_PER_HOUR
    assert ConfirmationCount.objects.get(email=ADDRESS).sent == alerts.CONFIRMATIONS_PER_HOUR
    call_command("send_alerts")
    assert ConfirmationCount.objects.filter(email=ADDRESS).exists()
    ConfirmationCount.objects.update(hour_started_at=timezone.now() - alerts.HOUR)
    call_command("send_alerts")
    assert not ConfirmationCount.objects.exists()
