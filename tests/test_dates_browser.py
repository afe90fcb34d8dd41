"""An officer types a new target date as day, month and year in a real browser."""
import datetime
import re

import pytest

from recommendations.models import ProgressUpdate
from tests.helpers import browser_sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_types_a_target_date_as_day_month_and_year(page, live_server, council_officer, council_item):
    browser_sign_in(page, live_server, council_officer.username)
    expect(page.get_by_role("heading", name="My items")).to_be_visible()
    page.goto(f"{live_server.url}/work/items/{council_item.reference}/updates/new/")
    page.get_by_label("What progress has been made?").fill("The joint team's plan is agreed.")
    target = page.get_by_role("group", name="New target date (optional)")
    target.get_by_label("Day").fill("31")
    target.get_by_label("Year").fill("2027")
    page.get_by_label("Why is the target date changing?").fill("The new case system arrives later.")
    page.get_by_role("button", name="Save and check before submitting").click()

    # The month is missing: the summary links to the month box, which is outlined.
    summary_link = page.get_by_role("link", name="New target date must include a month")
    expect(summary_link).to_be_visible()
    summary_link.click()
    month = target.get_by_label("Month")
    expect(month).to_be_focused()
    expect(month).to_have_class(re.compile("govuk-input--error"))
    expect(target.get_by_label("Day")).to_have_value("31")
    month.fill("3")
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", name="Check your update before you submit it")).to_be_visible()
    expect(page.get_by_text("to 31 March 2027")).to_be_visible()
    assert ProgressUpdate.objects.get(item=council_item).proposed_target_date == datetime.date(2027, 3, 31)
