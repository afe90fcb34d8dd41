"""A reader follows an item by e-mail in a real browser: item page, alerts form, confirmation link, button;
then manages their alerts from the link in an e-mail."""
import re

import pytest
from django.utils import timezone

from recommendations.models import Item, Source, Subscription
from recommendations.services import alerts

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_subscribes_through_the_page_and_confirms(seeded, page, live_server, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    page.goto(live_server.url + "/items/JAY-04/")
    page.get_by_role("link", name="Get e-mail alerts about JAY-04").click()
    page.wait_for_url(re.compile(r".*/alerts/subscribe/\?item=JAY-04$"))
    expect(page.get_by_role("heading", name="Get e-mail alerts about this item")).to_be_visible()

    # A mistake first: the error summary says what is wrong, and nothing is kept.
    page.get_by_label("Your e-mail address").fill("not an address")
    page.get_by_role("button", name="Send me a confirmation e-mail").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter an e-mail address in the correct format")
    assert not Subscription.objects.exists()

    page.get_by_label("Your e-mail address").fill("reader@example.net")
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Send me a confirmation e-mail").click()
    page.wait_for_url(re.compile(r".*/check-your-email/.*"))
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    (confirmation,) = mailoutbox
    assert confirmation.to == ["reader@example.net"]
    confirm_link = re.search(re.escape(live_server.url) + r"/alerts/confirm/\S+/", confirmation.body).group(0)
    page.goto(confirm_link)
    expect(page.get_by_role("heading", name="Confirm your e-mail alerts")).to_be_visible()
    assert Subscription.objects.get().confirmed_at is None
    page.get_by_role("button", name="Confirm e-mail alerts").click()
    expect(page.get_by_role("heading", name="Your e-mail alerts are on")).to_be_visible()

    subscription = Subscription.objects.get()
    assert (subscription.item.reference, subscription.frequency) == ("JAY-04", "daily")
    assert subscription.confirmed_at is not None


def test_a_reader_manages_all_their_alerts_from_the_link_in_an_e_mail(seeded, page, live_server, settings):
    settings.SITE_URL = live_server.url
    now = timezone.now()
    item = Subscription.objects.create(email="reader@example.net", item=Item.objects.get(reference="JAY-04"),
                                       confirmed_at=now, sent_until=now)
    Subscription.objects.create(email="reader@example.net", source=Source.objects.get(code="JAY"), frequency="daily",
                                confirmed_at=now, sent_until=now)
    page.goto(alerts.manage_url(item))
    expect(page.get_by_role("heading", name="Manage your e-mail alerts")).to_be_visible()

    about_jay_04 = page.get_by_role("group", name=re.compile("How often do you want e-mails about JAY-04"))
    about_jay_04.get_by_label("A weekly digest").check()
    about_jay_04.locator("xpath=ancestor::form").get_by_role("button", name="Save how often").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You will now get: a weekly digest")
    item.refresh_from_db()
    assert item.frequency == "weekly"

    page.get_by_role("group", name="How often do you want e-mails about every item?").get_by_label(
        "A daily digest").check()
    page.get_by_role("button", name="Follow every item").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You now follow every item")
    assert Subscription.objects.get(item=None, source=None, theme=None).frequency == "daily"

    page.get_by_role("button", name="Stop all e-mail alerts").click()
    expect(page.get_by_role("heading", name="You will not get any more e-mails")).to_be_visible()
    assert not Subscription.objects.exists()
