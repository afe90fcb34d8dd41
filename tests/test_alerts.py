"""E-mail alerts without an account: subscribe, confirm, send_alerts, digests, unsubscribe, expiry and bad input."""
import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from recommendations.models import ConfirmationCount, Item, ProgressUpdate, Subscription
from recommendations.services import alerts, workflow
from tests.indicator_helpers import approved_value, submitted_value
from tests.workflow_helpers import approved, submitted

pytestmark = pytest.mark.django_db
SITE = "https://tracker.example"
ADDRESS = "reader@example.net"
LINK = re.compile(re.escape(SITE) + r"(/alerts/(?:confirm|unsubscribe)/[^/\s]+/)")


@pytest.fixture(autouse=True)
def alert_settings(settings):
    settings.SITE_URL = SITE
    # Alert updates as soon as they are published (the default waits a minute; see test_recent_updates_wait).
    settings.TRACKER_ALERT_DELAY_SECONDS = 0


@pytest.fixture
def outbox(mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    """The mail outbox. A test's transaction never commits, so the test client's posts run what
    would run after commit (the confirmation e-mail) as they return."""
    def post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client_post(client, *args, **kwargs)

    client_post = Client.post
    monkeypatch.setattr(Client, "post", post)
    return mailoutbox


def links(message):
    return LINK.findall(message.body)


def subscribe_through_the_page(client, query, email=ADDRESS, frequency="immediate"):
    response = client.post(f"/alerts/subscribe/?{query}", {"email": email, "frequency": frequency})
    assert response.status_code == 302, response.content.decode()
    return response


def confirmed_subscription(client, outbox, query, frequency="immediate"):
    subscribe_through_the_page(client, query, frequency=frequency)
    (confirm_link,) = links(outbox[-1])
    assert client.post(confirm_link).status_code == 200
    outbox.clear()
    return Subscription.objects.get(email=ADDRESS)


def test_round_trip_subscribe_confirm_publish_alert_once(client, outbox, council_officer, reviewer, council_item):
    before = approved(council_officer, reviewer, council_item, narrative="Published before anyone subscribed.")

    page = client.get("/alerts/subscribe/?item=JAY-03")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"], "a page with a form and CSRF token must not be cached"
    assert "Get e-mail alerts about this item" in page.content.decode()

    response = subscribe_through_the_page(client, "item=JAY-03")
    assert response["Location"] == "/alerts/subscribe/check-your-email/?item=JAY-03"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    (confirmation,) = outbox
    assert confirmation.to == [ADDRESS]
    assert "JAY-03" in confirmation.subject
    (confirm_link,) = links(confirmation)
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.item, subscription.confirmed_at) == (ADDRESS, council_item, None)

    # Opening the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(confirm_link)
    assert "Confirm e-mail alerts" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    assert "Your e-mail alerts are on" in client.post(confirm_link).content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    outbox.clear()

    update = submitted(council_officer, council_item, narrative="Every CSE case now has a named lead.")
    workflow.approve(reviewer, update, update.version, comment="Private note from the board zq-comment")
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"), narrative="Not followed.")

    call_command("send_alerts")
    (alert,) = outbox
    assert alert.to == [ADDRESS]
    assert alert.subject == f"New update on JAY-03: {council_item.title}"
    assert f"{SITE}/items/JAY-03/#update-{update.pk}" in alert.body
    assert "Every CSE case now has a named lead." in alert.body
    assert "Reported by Rotherham" in alert.body  # the organisation...
    for private in ("zq-comment", council_officer.username, reviewer.username, council_officer.email,
                    "Not followed.", "Published before anyone subscribed."):
        assert private not in alert.body, private  # ...never the people, the comment or other updates
    assert before.pk != update.pk

    call_command("send_alerts")
    assert len(outbox) == 1, "running send_alerts again sends nothing"


def test_each_update_gets_its_own_immediate_alert(client, outbox, council_officer, reviewer):
    confirmed_subscription(client, outbox, "theme=practice-and-guidance")
    followed_items = Item.objects.filter(themes__slug="practice-and-guidance", owner__slug="rmbc-cyps")[:2]
    for item in followed_items:
        approved(council_officer, reviewer, item)
    call_command("send_alerts")
    assert sorted(message.subject.split(":")[0] for message in outbox) == sorted(
        f"New update on {item.reference}" for item in followed_items)


def test_recent_updates_wait_so_none_is_missed(client, outbox, settings, council_officer, reviewer, council_item):
    """An update is alerted once it has been published for TRACKER_ALERT_DELAY_SECONDS, then once only."""
    settings.TRACKER_ALERT_DELAY_SECONDS = 60
    confirmed_subscription(client, outbox, "item=JAY-03")
    approved(council_officer, reviewer, council_item)
    assert alerts.send_due() == 0
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert alerts.send_due(now=later) == 1
    assert alerts.send_due(now=later) == 0
    assert len(outbox) == 1


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_daily_digest_groups_a_days_updates_in_one_email(client, outbox, council_officer, reviewer):
    subscription = confirmed_subscription(client, outbox, "source=JAY", frequency="daily")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    # As if the subscription had been confirmed yesterday morning and two updates published during the day.
    Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=_at(yesterday, 8), sent_until=_at(yesterday, 8))
    first = approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"), narrative="Morning news.")
    second = approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"), narrative="Afternoon news.")
    ProgressUpdate.objects.filter(pk=first.pk).update(published_at=_at(yesterday, 10))
    ProgressUpdate.objects.filter(pk=second.pk).update(published_at=_at(yesterday, 15))
    today_update = approved(council_officer, reviewer, Item.objects.get(reference="JAY-10"), narrative="Today's news.")

    call_command("send_alerts")
    (digest,) = outbox
    assert digest.to == [ADDRESS]
    assert digest.subject == "Daily digest: 2 updates about Jay report"
    assert digest.body.index("Morning news.") < digest.body.index("Afternoon news.")
    assert f"{SITE}/items/JAY-03/#update-{first.pk}" in digest.body
    assert f"{SITE}/items/JAY-07/#update-{second.pk}" in digest.body
    assert "Today's news." not in digest.body, "today's updates go in tomorrow's digest"

    call_command("send_alerts")
    assert len(outbox) == 1, "running send_alerts again sends nothing"

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert alerts.send_due(now=tomorrow) == 1
    assert "Today's news." in outbox[-1].body
    assert f"#update-{today_update.pk}" in outbox[-1].body
    assert "Daily digest: 1 update about" in outbox[-1].subject
    assert alerts.send_due(now=tomorrow) == 0


def test_a_day_without_updates_sends_no_digest(client, outbox):
    confirmed_subscription(client, outbox, "theme=resources", frequency="daily")
    assert alerts.send_due(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert outbox == []


def test_unsubscribe_in_one_click_from_the_email_without_signing_in(client, outbox, council_officer, reviewer,
                                                                    council_item):
    confirmed_subscription(client, outbox, "item=JAY-03")
    approved(council_officer, reviewer, council_item)
    call_command("send_alerts")
    (alert,) = outbox
    (unsubscribe_link,) = links(alert)
    assert alert.extra_headers["List-Unsubscribe"] == f"<{SITE}{unsubscribe_link}>"
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Opening the link shows a button and changes nothing.
    page = client.get(unsubscribe_link)
    assert "Stop these e-mail alerts" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert Subscription.objects.filter(email=ADDRESS).exists()

    # The button on that page (a form post with its CSRF token).
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(unsubscribe_link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(unsubscribe_link, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists(), "the address is deleted"

    approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"))
    call_command("send_alerts")
    assert len(outbox) == 1
    # The link still answers, clearly, once the alerts are gone.
    assert "already been stopped" in client.get(unsubscribe_link).content.decode()


def test_rfc_8058_one_click_post_from_a_mail_program(client, outbox, council_officer, reviewer, council_item):
    confirmed_subscription(client, outbox, "item=JAY-03")
    approved(council_officer, reviewer, council_item)
    call_command("send_alerts")
    (unsubscribe_link,) = links(outbox[0])
    # A mail program posts this body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(unsubscribe_link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert Client(enforce_csrf_checks=True).post(unsubscribe_link).status_code == 200, "twice is fine"


def test_unconfirmed_subscriptions_are_deleted_after_seven_days(client, outbox, seeded):
    for query in ("item=JAY-03", "source=JAY", "theme=resources"):
        subscribe_through_the_page(client, query)
    old, recent, confirmed = Subscription.objects.order_by("pk")
    (confirm_link, *_) = links(outbox[2])
    client.post(confirm_link)
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    Subscription.objects.filter(pk__in=[old.pk, confirmed.pk]).update(created_at=eight_days_ago)
    Subscription.objects.filter(pk=recent.pk).update(created_at=timezone.now() - datetime.timedelta(days=6))

    call_command("send_alerts")
    assert set(Subscription.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}
    (old_link,) = links(outbox[0])
    page = client.post(old_link)
    assert page.status_code == 400, "the deleted subscription's confirmation link no longer works"


def test_asking_again_changes_nothing_until_confirmed(client, outbox, seeded):
    subscription = confirmed_subscription(client, outbox, "item=JAY-03")
    # Later, someone else asks to change this address to a daily digest.
    Subscription.objects.update(confirmation_sent_at=timezone.now() - alerts.RESEND_AFTER)
    subscribe_through_the_page(client, "item=JAY-03", frequency="daily")
    assert Subscription.objects.get().frequency == "immediate"
    (confirmation,) = outbox
    assert "You already get e-mail alerts" in confirmation.body
    (confirm_link,) = links(confirmation)
    client.post(confirm_link)
    subscription.refresh_from_db()
    assert subscription.frequency == "daily"
    assert Subscription.objects.count() == 1


def test_a_bad_address_gets_a_clear_message_and_changes_nothing(client, outbox, seeded):
    for address in ("not-an-address", "", "a@b@example.org", "x" * 250 + "@example.org"):
        response = client.post("/alerts/subscribe/?item=JAY-03", {"email": address, "frequency": "immediate"})
        assert response.status_code == 200, address
        text = response.content.decode()
        assert "There is a problem" in text and "govuk-error-summary" in text, address
        assert "<title>Error:" in text
    response = client.post("/alerts/subscribe/?item=JAY-03", {"email": ADDRESS, "frequency": "hourly"})
    assert "Choose how often you want e-mails" in response.content.decode()
    assert not Subscription.objects.exists()
    assert outbox == []


def test_an_unknown_item_source_or_theme_gets_a_clear_message_and_changes_nothing(client, outbox, seeded):
    for query, message in [("item=JAY-99", "There is no item “JAY-99”"), ("source=NOPE", "There is no source"),
                           ("theme=no-such-theme", "There is no theme"), ("", "Choose an item, a source or a theme")]:
        assert client.get(f"/alerts/subscribe/?{query}").status_code == 404
        response = client.post(f"/alerts/subscribe/?{query}", {"email": ADDRESS, "frequency": "immediate"})
        assert response.status_code == 404
        assert message in response.content.decode(), query
    assert not Subscription.objects.exists()
    assert outbox == []
    with pytest.raises(alerts.AlertError):
        alerts.subscribe(ADDRESS, "item", "JAY-99", "immediate")


def test_a_tampered_token_gets_a_clear_message_and_changes_nothing(client, outbox, seeded):
    subscription = alerts.subscribe(ADDRESS, "item", "JAY-03", "immediate")
    confirm_token = alerts.confirm_token(subscription, "daily")
    unsubscribe_token = alerts.unsubscribe_token(subscription)
    tampered = [
        confirm_token[:-2] + ("AA" if not confirm_token.endswith("AA") else "BB"),  # a changed signature
        "not-a-token",
        unsubscribe_token,  # a token for something else
    ]
    for token in tampered:
        for method in (client.get, client.post):
            response = method(f"/alerts/confirm/{token}/")
            assert response.status_code == 400
            assert "This confirmation link is not valid" in response.content.decode()
    for token in (unsubscribe_token[:-3] + "xyz", confirm_token, "junk"):
        response = client.post(f"/alerts/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    subscription.refresh_from_db()
    assert (subscription.confirmed_at, subscription.frequency) == (None, "immediate")


def test_a_token_does_not_work_for_another_address_with_the_same_id(seeded):
    """A restore or deletion could give a later subscription the same id: the token also names the address."""
    subscription = alerts.subscribe(ADDRESS, "item", "JAY-03", "immediate")
    token = alerts.unsubscribe_token(subscription)
    Subscription.objects.filter(pk=subscription.pk).update(email="someone.else@example.net")
    assert alerts.check_unsubscribe_token(token) is None
    assert alerts.unsubscribe(token) is None
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_item_source_and_theme_pages_offer_their_feed_and_alerts(client, demo_progress):
    for page, feed, subscribe in [
        ("/items/JAY-04/", "/items/JAY-04/feed/", "/alerts/subscribe/?item=JAY-04"),
        ("/sources/JAY/", "/sources/JAY/feed/", "/alerts/subscribe/?source=JAY"),
        ("/themes/resources/", "/themes/resources/feed/", "/alerts/subscribe/?theme=resources"),
    ]:
        response = client.get(page)
        text = response.content.decode()
        assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{feed}">', text)
        assert 'title="Published progress updates" href="/feed/">' in text, "the global feed is still announced"
        assert f'href="{subscribe}"' in text
        assert "public" in response["Cache-Control"], "the page stays cacheable: it links to the form"
        assert "csrfmiddlewaretoken" not in text


def test_feeds_per_item_source_and_theme_hold_only_their_updates(client, council_officer, reviewer):
    jay = approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"), narrative="zq-jay03 news")
    other = approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"), narrative="zq-jay07 news")
    ofsted = approved(council_officer, reviewer, Item.objects.get(reference="OFSTED-F1"), narrative="zq-ofsted news")

    def feed(url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/atom+xml")
        return response.content.decode()

    item_feed = feed("/items/JAY-03/feed/")
    assert "zq-jay03" in item_feed and "zq-jay07" not in item_feed and "zq-ofsted" not in item_feed
    assert "<title>JAY-03: " in item_feed
    source_feed = feed("/sources/JAY/feed/")
    assert "zq-jay03" in source_feed and "zq-jay07" in source_feed and "zq-ofsted" not in source_feed
    theme_feed = feed("/themes/resources/feed/")
    assert ("zq-jay07" in theme_feed) == Item.objects.filter(reference="JAY-07", themes__slug="resources").exists()
    assert "zq-jay03" not in theme_feed
    ofsted_feed = feed("/sources/OFSTED/feed/")
    assert "zq-ofsted" in ofsted_feed and "zq-jay03" not in ofsted_feed
    for username in (council_officer.username, reviewer.username):
        assert username not in item_feed + source_feed + theme_feed + ofsted_feed
    for url in ("/items/JAY-99/feed/", "/sources/NOPE/feed/", "/themes/nope/feed/"):
        assert client.get(url).status_code == 404
    assert f"#update-{jay.pk}" in item_feed and f"#update-{other.pk}" in source_feed
    assert f"#update-{ofsted.pk}" in ofsted_feed


def test_the_admin_shows_addresses_to_administrators_only(client, seeded, reviewer, administrator):
    alerts.subscribe(ADDRESS, "item", "JAY-03", "immediate")
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    assert ADDRESS not in client.get("/admin/recommendations/subscription/").content.decode()
    client.force_login(administrator)
    response = client.get("/admin/recommendations/subscription/")
    assert response.status_code == 200
    assert ADDRESS in response.content.decode()
    assert client.get("/admin/recommendations/subscription/add/").status_code == 403


def test_alerts_that_fail_to_send_are_sent_by_the_next_run(client, outbox, settings, council_officer, reviewer,
                                                           council_item):
    confirmed_subscription(client, outbox, "item=JAY-03")
    approved(council_officer, reviewer, council_item, narrative="Sent in the end.")
    settings.EMAIL_BACKEND = "tests.mail_helpers.UnreachableServerBackend"
    with pytest.raises(ConnectionRefusedError):
        call_command("send_alerts")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_alerts")
    (alert,) = outbox
    assert "Sent in the end." in alert.body


def test_the_form_cannot_flood_an_inbox(client, outbox, seeded):
    for _ in range(3):
        subscribe_through_the_page(client, "item=JAY-03")
    assert len(outbox) == 1, "the same request again soon after sends no second e-mail"
    for reference in ("JAY-04", "JAY-05", "JAY-06", "JAY-07", "JAY-08"):
        subscribe_through_the_page(client, f"item={reference}")
    assert len(outbox) == alerts.CONFIRMATIONS_PER_HOUR, "at most this many an hour to one address"
    assert Subscription.objects.filter(email=ADDRESS).count() == alerts.CONFIRMATIONS_PER_HOUR
    subscribe_through_the_page(client, "item=JAY-05", email="someone.else@example.net")
    assert outbox[-1].to == ["someone.else@example.net"], "other addresses are not held up"
    # An hour later the address can ask again.
    Subscription.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(hours=1))
    ConfirmationCount.objects.update(hour_started_at=timezone.now() - datetime.timedelta(hours=1))
    subscribe_through_the_page(client, "item=JAY-08")
    assert outbox[-1].to == [ADDRESS] and "JAY-08" in outbox[-1].subject


def test_a_published_indicator_value_is_alerted_but_not_an_unpublished_one(client, outbox, council_officer,
                                                                            reviewer):
    confirmed_subscription(client, outbox, "item=OFSTED-F9")
    value = approved_value(council_officer, reviewer, note="Visits on time rose again.")
    submitted_value(council_officer, period=(2025, 2), note="zq-unpublished value note")
    call_command("send_alerts")
    (alert,) = outbox
    assert alert.subject == "New value of Looked-after children visited on time"
    assert "87.5 %" in alert.body and "Visits on time rose again." in alert.body
    assert f"{SITE}/items/OFSTED-F9/#indicator-value-{value.pk}" in alert.body
    assert "zq-unpublished" not in alert.body and council_officer.username not in alert.body
    call_command("send_alerts")
    assert len(outbox) == 1
