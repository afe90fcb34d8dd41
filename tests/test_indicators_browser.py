"""An outcome indicator's value in a real browser: the officer reports it, the reviewer approves it,
and a reader sees it on a 320 pixel phone as a chart that fits and a table of the same numbers."""
import re

import pytest
from django.utils import timezone

from tests.helpers import browser_page, browser_sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def today():
    return timezone.localdate().isoformat()


def fill_date(page, legend, day, month, year):
    group = page.get_by_role("group", name=legend)
    for part, typed in (("Day", day), ("Month", month), ("Year", year)):
        group.get_by_label(part).fill(typed)


def test_an_officer_reports_a_value_a_reviewer_publishes_it_and_a_phone_shows_it(
        browser, page, live_server, council_officer, reviewer):
    browser_sign_in(page, live_server, council_officer.username)
    page.get_by_role("link", name="report a value of an outcome indicator").click()
    page.get_by_role("link", name="Report a value of Looked-after children visited on time").click()
    fill_date(page, "First day of the period", "1", "4", "2025")
    fill_date(page, "Last day of the period", "30", "4", "2025")
    page.get_by_label("Value").fill("91.5")
    page.get_by_label("Note (optional)").fill("Better than March.")
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", name="Check your value before you submit it")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("has been sent to the improvement board")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page, live_server, reviewer.username)
    page.get_by_role("link", name="indicator values to review").click()
    page.get_by_role("link", name="Looked-after children visited on time").click()
    page.get_by_label("Approve and publish").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("is approved and published")).to_be_visible()

    with browser_page(browser, viewport={"width": 320, "height": 700}) as phone:
        phone.goto(f"{live_server.url}/items/OFSTED-F9/")
        chart = phone.locator("#indicator-lac-visits-on-time svg.tracker-svg-chart--narrow")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        expect(phone.get_by_role("table", name=re.compile("Looked-after children visited on time"))).to_contain_text(
            "91.5")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 320
        # Nor do the other pages that show indicators scroll sideways.
        for address in ("/themes/looked-after-children/", f"/as-at/{today()}/"):
            phone.goto(f"{live_server.url}{address}")
            expect(phone.get_by_role("heading", name="Outcome indicators")).to_be_visible()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 320, address
