"""A reader follows an item by e-mail in a real browser: item page, alerts form, confirmation link, button."""
import re

import pytest

from recommendations.models import Subscription

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
