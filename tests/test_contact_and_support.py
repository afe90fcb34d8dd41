"""
People and support: the contact and privacy pages, the footer links, the open
data licence, and the support signpost with GOV.UK Frontend's "Exit this page"
on every public page (in a real browser too).
"""
import json
import re

import pytest
from django.conf import settings

from tests.public_urls import every_public_url

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


@pytest.mark.django_db
def test_contact_page_gives_the_service_mailbox_and_what_happens_next(seeded, client, settings):
    settings.TRACKER_CONTACT_EMAIL = "improvement-tracker@council.example"
    settings.TRACKER_CONTACT_PHONE = "01234 567890"
    page = client.get("/contact/").content.decode()
    assert 'href="mailto:improvement-tracker@council.example"' in page
    assert "or call 01234 567890" in page
    assert "What happens next" in page and "publishes a correction" in page
    # Not the way to report a child at risk: it says where to go instead.
    assert "This is not the way to report a child at risk" in page
    for number in ("tel:999", "tel:101", "tel:08088005000", "tel:08001111"):
        assert number in page


@pytest.mark.django_db
def test_contact_page_leaves_out_an_unset_phone_number(seeded, client, settings):
    settings.TRACKER_CONTACT_PHONE = ""
    assert "or call" not in client.get("/contact/").content.decode()


@pytest.mark.django_db
def test_privacy_notice_states_what_is_kept_and_for_how_long(seeded, client):
    page = " ".join(client.get("/privacy/").content.decode().split())
    assert f'href="mailto:{settings.TRACKER_CONTACT_EMAIL}"' in page
    for text in (
        "The public pages set no cookies",
        "We keep only your e-mail address, what you follow",
        "that deletes it at once",
        "we delete it after 7 days",
        "until you unsubscribe",
        "after 5 failures in a row a username is locked out from that address for 15 minutes",
        "after 8 hours at most",
        "authenticator app",
        "kept for as long as the tracker runs",
        "Server logs",
    ):
        assert text in page, text


@pytest.mark.django_db
def test_public_pages_set_no_cookies(demo_progress, client):
    for url in ["/", "/items/", "/contact/", "/privacy/", "/as-at/", "/changes/"]:
        assert not client.get(url).cookies, url


@pytest.mark.django_db
def test_footer_links_to_contact_privacy_accessibility_and_the_licence(seeded, client):
    page = client.get("/").content.decode()
    footer = page[page.index('<footer'):]
    for href, text in (("/contact/", "Contact and feedback"), ("/privacy/", "Privacy notice"),
                       ("/accessibility/", "Accessibility statement"), ("/open-data/#licence", "Open Government Licence")):
        assert f'href="{href}">{text}</a>' in footer


@pytest.mark.django_db
def test_every_public_page_has_the_signpost_and_exit_this_page(demo_progress, client):
    pages = 0
    for url in every_public_url():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        page = response.content.decode()
        assert 'data-module="govuk-exit-this-page"' in page, url
        assert f'href="{NEUTRAL_SITE}"' in page, url
        assert "0808&nbsp;800&nbsp;5000" in page and "0800&nbsp;1111" in page, url
        # GOV.UK's guidance for the component: say that leaving does not clear the history, and what does.
        assert "it does not delete this site from your browsing history" in " ".join(page.split()), url
    assert pages > 40


@pytest.mark.django_db
def test_the_signed_in_work_screens_do_not_have_it(council_officer, client):
    client.force_login(council_officer)
    assert b"govuk-exit-this-page" not in client.get("/work/").content


# --- The open data licence ------------------------------------------------------


@pytest.mark.django_db
def test_open_data_page_names_and_links_the_licence(seeded, client):
    page = client.get("/open-data/").content.decode()
    assert 'id="licence"' in page
    assert f'rel="license" href="{OGL}">Open Government Licence v3.0</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/items.json", "/updates.json", "/publication-log.json",
                                 "/changes.json?from=2015-01-01&to=2015-12-31"])
def test_json_downloads_carry_the_licence(demo_progress, client, url):
    data = json.loads(client.get(url).content)
    assert data["licence"] == {"name": "Open Government Licence v3.0", "url": OGL}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/items.csv", "/updates.csv?source=JAY", "/publication-log.csv",
                                 "/changes.csv?from=2015-01-01&to=2015-12-31"])
def test_csv_downloads_carry_the_licence_in_a_link_header(demo_progress, client, url):
    assert client.get(url)["Link"] == f'<{OGL}>; rel="license"'


@pytest.mark.django_db
def test_the_feed_states_its_rights(demo_progress, client):
    feed = client.get("/feed/").content.decode()
    assert re.search(rf"<rights>Open Government Licence v3.0: {re.escape(OGL)}</rights>", feed)


# --- In a real browser -------------------------------------------------------------
# The browser fixtures skip these where Playwright is missing; the tests above still run.


def expect(locator):
    from playwright.sync_api import expect

    return expect(locator)


def neutral_site(page):
    """Answer for the neutral site ourselves: the tests need no network."""
    page.context.route(f"{NEUTRAL_SITE}**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_exit_this_page_button_leaves_the_site(seeded, live_server, page):
    neutral_site(page)
    page.goto(live_server.url + "/items/JAY-04/")
    button = page.get_by_role("button", name="Emergency Exit this page")
    expect(button).to_be_visible()
    button.click()
    page.wait_for_url(NEUTRAL_SITE)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pressing_shift_three_times_leaves_the_site(seeded, live_server, page):
    neutral_site(page)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/contact/")
    # GOV.UK Frontend has started (js/init.mjs), so the shortcut is listening.
    page.wait_for_selector("body.js-enabled.govuk-frontend-supported")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)
    assert not [error for error in errors if "Content Security Policy" in error]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_exit_this_page_is_a_plain_link_without_javascript(seeded, live_server, page_without_javascript):
    page = page_without_javascript
    neutral_site(page)
    page.goto(live_server.url + "/")
    link = page.get_by_role("button", name="Emergency Exit this page")
    expect(link).to_have_attribute("href", NEUTRAL_SITE)
    link.click()
    page.wait_for_url(NEUTRAL_SITE)
