"""Managing one's e-mail alerts from the signed link in every e-mail: the page lists everything the address
follows; how often, a weekly digest, following everything, and stopping all in one click (services/alerts.py)."""
import datetime
import re

import pytest
from django.core import signing
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate, Source, Subscription, Theme
from recommendations.services import alerts
from tests.workflow_helpers import approved

pytestmark = pytest.mark.django_db
SITE = "https://tracker.example"
ADDRESS = "reader@example.net"
OTHER = "someone.else@example.net"
MANAGE_LINK = re.compile(re.escape(SITE) + r"(/alerts/manage/[^/\s]+/)")


@pytest.fixture(autouse=True)
def alert_settings(settings):
    settings.SITE_URL = SITE
    settings.TRACKER_ALERT_DELAY_SECONDS = 0


def following(email=ADDRESS, frequency="immediate", confirmed=True, **target):
    now = timezone.now()
    return Subscription.objects.create(email=email, frequency=frequency, confirmed_at=now if confirmed else None,
                                       sent_until=now if confirmed else None, **target)


@pytest.fixture
def reader(seeded):
    """An address following an item, a source and a theme (one not confirmed yet), and its manage link."""
    item = following(item=Item.objects.get(reference="JAY-03"))
    following(source=Source.objects.get(code="JAY"), frequency="daily")
    following(theme=Theme.objects.get(slug="resources"), confirmed=False)
    return item, f"/alerts/manage/{alerts.manage_token(item)}/"


def manage_link(message):
    (link,) = MANAGE_LINK.findall(message.body)
    return link


def state():
    """Every subscription, as comparable values: what a refused request must leave as it was."""
    return sorted(Subscription.objects.values_list("pk", "email", "item", "source", "theme", "frequency",
                                                   "confirmed_at", "sent_until"))


def post_with_csrf(url, data):
    """A post from the page's own form, with the CSRF token it was given."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return browser.post(url, {"csrfmiddlewaretoken": token, **data})


def test_the_page_lists_everything_the_address_follows_and_nobody_elses(client, reader):
    _, url = reader
    following(email=OTHER, item=Item.objects.get(reference="JAY-07"))
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Manage your e-mail alerts" in text and ADDRESS in text
    for name in ("JAY-03:", "Jay report", "Resources"):
        assert name in text, name
    assert "JAY-07" not in text and OTHER not in text
    assert "Not confirmed" in text, "the unconfirmed alert is listed, with no choice of frequency"
    assert text.count('name="action" value="frequency"') == 2
    assert "Follow every item" in text and "Stop all e-mail alerts" in text
    # Each alert's own unsubscribe link is there too.
    assert text.count("/alerts/unsubscribe/") == 3


def test_the_link_names_no_address(reader):
    """The token holds the address's random key, not the address: no address in links, logs or histories."""
    item, url = reader
    payload = url.split("/")[3].split(":")[0]
    assert signing.b64_decode(payload.encode()) == f'"{item.address_key}"'.encode()
    assert "reader" not in url


def test_the_page_is_never_cached(client, reader):
    caches["default"].clear()
    _, url = reader
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")
    assert not [key for key in caches["default"]._cache if ":page:" in key], "the page is not in the page cache"
    assert response.content.decode().count('value="daily" checked') == 1
    Subscription.objects.filter(email=ADDRESS).update(frequency="daily")
    assert client.get(url).content.decode().count('value="daily" checked') == 2, "a change shows at once"


def test_change_between_immediate_daily_and_weekly(client, reader):
    item, url = reader
    response = post_with_csrf(url, {"action": "frequency", "alert": item.pk, "frequency": "daily"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?changed=frequency&alert={item.pk}"
    item.refresh_from_db()
    assert item.frequency == "daily"
    page = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in page
    assert "You have changed how often you get e-mails about JAY-03" in page
    assert "You will now get: a daily digest: one e-mail with the day’s updates." in page
    post_with_csrf(url, {"action": "frequency", "alert": item.pk, "frequency": "weekly"})
    item.refresh_from_db()
    assert item.frequency == "weekly"
    post_with_csrf(url, {"action": "frequency", "alert": item.pk, "frequency": "immediate"})
    item.refresh_from_db()
    assert item.frequency == "immediate"


def test_a_post_without_the_csrf_token_is_refused(reader):
    item, url = reader
    response = Client(enforce_csrf_checks=True).post(url, {"action": "stop"})
    assert response.status_code == 403
    assert Subscription.objects.filter(email=ADDRESS).count() == 3


def test_follow_everything_and_get_every_update(client, reader, council_officer, reviewer, mailoutbox):
    _, url = reader
    response = post_with_csrf(url, {"action": "everything", "frequency": "immediate"})
    assert response["Location"] == f"{url}?changed=everything"
    everything = Subscription.objects.get(email=ADDRESS, item=None, source=None, theme=None)
    assert everything.confirmed_at is not None, "the link proves the mailbox: no second confirmation"
    page = client.get(response["Location"]).content.decode()
    assert "You now follow every item in the tracker." in page
    assert "Every item in the tracker" in page
    assert "Follow every item" not in page, "offered only while not following everything"
    # Twice is harmless: still one subscription, now with the new frequency.
    post_with_csrf(url, {"action": "everything", "frequency": "daily"})
    assert Subscription.objects.get(email=ADDRESS, item=None, source=None, theme=None).frequency == "daily"
    Subscription.objects.filter(pk=everything.pk).update(frequency="immediate")

    Subscription.objects.filter(email=ADDRESS).exclude(pk=everything.pk).delete()
    update = approved(council_officer, reviewer, Item.objects.get(reference="OFSTED-F1"), narrative="Far off news.")
    call_command("send_alerts")
    (alert,) = mailoutbox
    assert f"#update-{update.pk}" in alert.body
    assert "alerts about every item in the tracker" in alert.body
    call_command("send_alerts")
    assert len(mailoutbox) == 1


def test_stop_all_alerts_in_one_click(client, reader):
    _, url = reader
    following(email=OTHER, item=Item.objects.get(reference="JAY-03"))
    response = post_with_csrf(url, {"action": "stop"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "You will not get any more e-mails" in text
    assert "no-store" in response["Cache-Control"]
    assert not Subscription.objects.filter(email=ADDRESS).exists(), "the address and what it followed are deleted"
    assert Subscription.objects.filter(email=OTHER).count() == 1, "other addresses are untouched"
    # The link still answers clearly; stopping again changes nothing.
    page = client.get(url)
    assert page.status_code == 200
    assert "This address gets no e-mail alerts" in page.content.decode()
    assert client.post(url, {"action": "stop"}).status_code == 200


def test_opening_the_link_changes_nothing(client, reader):
    """Mail scanners open links: only the page's buttons change anything."""
    _, url = reader
    before = state()
    for query in ("", "?action=stop", "?changed=frequency&alert=1"):
        assert client.get(url + query).status_code == 200
    assert state() == before


def test_tampered_links_are_refused_and_change_nothing(client, reader):
    item, url = reader
    token = url.split("/")[3]
    other = following(email=OTHER, item=Item.objects.get(reference="JAY-07"))
    changed_address = signing.dumps(other.address_key, salt="not-the-manage-salt")
    other_key = signing.b64_encode(f'"{other.address_key}"'.encode()).decode()
    tampered = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
        token[:20],  # truncated
        other_key + ":" + token.split(":", 1)[1],  # another address's key with this link's signature
        changed_address,  # another address's key, signed for something else
        alerts.unsubscribe_token(item),  # a token for something else
        alerts.confirm_token(item, "daily"),
        "garbage",
    ]
    before = state()
    for bad in tampered:
        for data in ({"action": "stop"}, {"action": "frequency", "alert": other.pk, "frequency": "daily"},
                     {"action": "everything", "frequency": "daily"}):
            response = client.post(f"/alerts/manage/{bad}/", data)
            assert response.status_code == 400, bad
            assert "This link to manage your e-mail alerts is not valid" in response.content.decode()
        response = client.get(f"/alerts/manage/{bad}/")
        assert response.status_code == 400
        assert OTHER not in response.content.decode() and ADDRESS not in response.content.decode()
    assert state() == before


def test_one_addresss_link_cannot_change_another_addresss_alert(client, reader):
    _, url = reader
    other = following(email=OTHER, item=Item.objects.get(reference="JAY-07"))
    before = state()
    for alert in (other.pk, "not-a-number", "", 10 ** 9):
        response = post_with_csrf(url, {"action": "frequency", "alert": alert, "frequency": "weekly"})
        assert response.status_code == 400, alert
        assert "not one of this address’s alerts" in response.content.decode()
    unconfirmed = Subscription.objects.get(email=ADDRESS, theme__slug="resources")
    response = post_with_csrf(url, {"action": "frequency", "alert": unconfirmed.pk, "frequency": "weekly"})
    assert response.status_code == 400, "an unconfirmed alert is started only by its confirmation link"
    for data in ({"action": "frequency", "alert": other.pk, "frequency": "hourly"}, {"action": "nothing"},
                 {"action": "everything", "frequency": ""}):
        assert post_with_csrf(url, data).status_code == 400
    assert state() == before


def test_an_old_link_is_refused_with_a_clear_message(client, reader, settings):
    item, url = reader
    late = timezone.now() + datetime.timedelta(days=alerts.MANAGE_DAYS + 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.core.signing.time.time", lambda: late.timestamp())
        response = client.post(url, {"action": "stop"})
    assert response.status_code == 400
    assert f"more than {alerts.MANAGE_DAYS} days old" in response.content.decode()
    assert Subscription.objects.filter(email=ADDRESS).count() == 3


def test_every_kind_of_alert_e_mail_carries_a_working_manage_link(client, seeded, council_officer, reviewer,
                                                                   mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alerts.subscribe(ADDRESS, "item", "JAY-04", "immediate")
    (confirmation,) = mailoutbox
    for frequency, reference in (("immediate", "JAY-03"), ("daily", "JAY-07"), ("weekly", "JAY-10")):
        following(frequency=frequency, item=Item.objects.get(reference=reference))
        approved(council_officer, reviewer, Item.objects.get(reference=reference))
    alerts.send_due(now=timezone.now() + datetime.timedelta(days=8))
    sent = {message.subject.split(":")[0]: message for message in mailoutbox[1:]}
    assert set(sent) == {"New update on JAY-03", "Daily digest", "Weekly digest"}
    for message in [confirmation, *sent.values()]:
        link = manage_link(message)
        page = client.get(link)
        assert page.status_code == 200, message.subject
        assert "JAY-04" in page.content.decode() and "JAY-10" in page.content.decode(), message.subject
    for message in sent.values():
        assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/alerts/unsubscribe/")


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_weekly_digest_holds_last_weeks_updates_and_is_sent_once(seeded, council_officer, reviewer, mailoutbox):
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    last_monday = this_monday - datetime.timedelta(days=7)
    subscription = following(frequency="weekly", source=Source.objects.get(code="JAY"))
    Subscription.objects.filter(pk=subscription.pk).update(sent_until=_at(last_monday, 0))
    first = approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"), narrative="Early in the week.")
    second = approved(council_officer, reviewer, Item.objects.get(reference="JAY-07"), narrative="Late in the week.")
    ProgressUpdate.objects.filter(pk=first.pk).update(published_at=_at(last_monday, 10))
    ProgressUpdate.objects.filter(pk=second.pk).update(published_at=_at(last_monday + datetime.timedelta(days=6), 20))
    this_week = approved(council_officer, reviewer, Item.objects.get(reference="JAY-10"), narrative="This week.")

    call_command("send_alerts")
    (digest,) = mailoutbox
    assert digest.subject == "Weekly digest: 2 updates about Jay report"
    assert digest.body.index("Early in the week.") < digest.body.index("Late in the week.")
    assert "This week." not in digest.body, "this week's updates go in next week's digest"
    assert "(a weekly digest" in digest.body

    call_command("send_alerts")
    assert len(mailoutbox) == 1, "running send_alerts again sends nothing"

    next_week = timezone.now() + datetime.timedelta(days=7)
    mailoutbox.clear()
    assert alerts.send_due(now=next_week) == 1
    assert f"#update-{this_week.pk}" in mailoutbox[0].body
    assert "Weekly digest: 1 update about" in mailoutbox[0].subject
    assert alerts.send_due(now=next_week) == 0


def test_a_week_without_updates_sends_no_weekly_digest(seeded, mailoutbox):
    following(frequency="weekly", theme=Theme.objects.get(slug="resources"))
    assert alerts.send_due(now=timezone.now() + datetime.timedelta(days=8)) == 0
    assert mailoutbox == []


def test_changing_frequency_sends_nothing_twice(client, reader, council_officer, reviewer, mailoutbox):
    item, url = reader
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"), narrative="Sent once.")
    call_command("send_alerts")
    assert [message.subject.split(":")[0] for message in mailoutbox] == ["New update on JAY-03"]
    post_with_csrf(url, {"action": "frequency", "alert": item.pk, "frequency": "daily"})
    alerts.send_due(now=timezone.now() + datetime.timedelta(days=1))
    assert sum("Sent once." in message.body for message in mailoutbox if "JAY-03" in message.subject) == 1


def test_subscribing_again_keeps_one_manage_link_per_address(client, seeded, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alerts.subscribe(ADDRESS, "item", "JAY-03", "immediate")
        alerts.subscribe(ADDRESS.upper(), "source", "JAY", "daily")
        alerts.subscribe(OTHER, "source", "JAY", "daily")
    assert len(set(Subscription.objects.filter(email=ADDRESS).values_list("address_key", flat=True))) == 1
    assert len(set(Subscription.objects.values_list("address_key", flat=True))) == 2
    first, second, other = (manage_link(message) for message in mailoutbox)
    assert first == second
    assert OTHER not in client.get(first).content.decode()


def test_a_subscription_without_a_key_gets_the_addresss_key_for_its_link(client, reader):
    """Such as one restored from an older backup: its link still lists every alert of the address."""
    item, url = reader
    Subscription.objects.filter(pk=item.pk).update(address_key="")
    item.refresh_from_db()
    assert f"/alerts/manage/{alerts.manage_token(item)}/".split(":")[0] == url.split(":")[0]
    item.refresh_from_db()
    assert item.address_key == Subscription.objects.exclude(pk=item.pk).filter(email=ADDRESS).first().address_key
