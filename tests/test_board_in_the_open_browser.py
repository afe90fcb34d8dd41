"""A reviewer publishes a board meeting's pack as its public record in a real browser, and a
visitor then finds it from the improvement board's public page."""
import datetime

import pytest
from django.utils import timezone

from recommendations.models import BoardMeeting, BoardMember
from tests.helpers import browser_sign_in, long_date
from tests.workflow_helpers import approved

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_publishes_a_meeting_pack_and_the_public_find_it(page, live_server, reviewer, council_officer,
                                                                  council_item):
    approved(council_officer, reviewer, council_item, narrative="Published before the meeting.")
    day = timezone.localdate()
    BoardMeeting.objects.create(date=day - datetime.timedelta(days=40), title="Earlier meeting")
    BoardMeeting.objects.create(date=day, title="Quarterly meeting", location="Riverside House")
    BoardMember.objects.create(name="Chair Person", role="Independent chair")

    browser_sign_in(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/work/meetings/")
    page.get_by_role("link", name=f"Publish the pack of {long_date(day)}").click()
    expect(page.get_by_role("heading", name="Publish the meeting pack as the meeting’s public record")).to_be_visible()
    expect(page.get_by_role("link", name=council_item.reference).first).to_be_visible()
    page.get_by_role("button", name="Publish the meeting pack").click()
    expect(page.get_by_text("The meeting pack is published as the meeting's public record.")).to_be_visible()
    expect(page.get_by_role("heading", name="Meeting pack", exact=True)).to_be_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Improvement board").click()
    expect(page.get_by_role("cell", name="Chair Person")).to_be_visible()
    page.get_by_role("link", name=long_date(day), exact=True).click()
    expect(page.get_by_role("heading", name=f"Quarterly meeting, {long_date(day)}")).to_be_visible()
    expect(page.get_by_role("link", name=council_item.reference)).to_be_visible()  # approved that day
    page.get_by_role("link", name="Read the meeting pack").click()
    expect(page.get_by_role("link", name=council_item.reference).first).to_be_visible()
