"""The whole loop in a real browser: officer submits, reviewer returns, officer resubmits, reviewer approves."""
import re

import pytest

from recommendations.models import Item
from tests.helpers import browser_sign_in

# Skipped, with the reason, where Playwright is not installed.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_officer_and_reviewer_complete_the_loop(page, live_server, council_officer, reviewer, council_item):
    # The officer writes an update with evidence and submits it.
    browser_sign_in(page, live_server, council_officer.username)
    expect(page.get_by_role("heading", name="My items")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^JAY-03:")).click()
    page.get_by_role("button", name="Write a progress update").click()  # a link drawn as a button (govukButton: role="button")
    page.get_by_label("What progress has been made?").fill("A joint CSE panel now meets every week.")
    page.get_by_label("Implemented").check()
    page.get_by_label("Green").check()
    page.get_by_label("Title").fill("Panel terms of reference")
    page.get_by_label("Web address", exact=True).fill("https://example.org/panel-terms.pdf")
    document_date = page.get_by_role("group", name="Date of the document")
    for part, typed in (("Day", "1"), ("Month", "4"), ("Year", "2015")):
        document_date.get_by_label(part).fill(typed)
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", name="Check your update before you submit it")).to_be_visible()
    expect(page.get_by_role("link", name="Panel terms of reference")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("has been sent to the improvement board")).to_be_visible()
    sign_out(page)

    # The reviewer returns it with a comment.
    browser_sign_in(page, live_server, reviewer.username)
    expect(page.get_by_role("heading", name="Your review work")).to_be_visible()
    page.get_by_role("link", name="Review the update on JAY-03").click()
    expect(page.get_by_text("What would change")).to_be_visible()
    page.get_by_label("Return to the officer").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()  # a comment is required
    page.get_by_label("Comment").fill("Please say how many children the panel has reviewed.")
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("has been returned to the officer")).to_be_visible()
    sign_out(page)

    # The officer sees it needs attention, changes it and submits it again.
    browser_sign_in(page, live_server, council_officer.username)
    expect(page.get_by_text("An update was returned by the board")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^JAY-03:")).click()
    page.get_by_role("link", name="Change the update and submit it again").click()  # under the board's comment
    expect(page.get_by_text("Please say how many children the panel has reviewed.")).to_be_visible()
    page.get_by_label("What progress has been made?").fill(
        "A joint CSE panel now meets every week and has reviewed 48 children's cases."
    )
    page.get_by_role("button", name="Save and check before submitting").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("has been sent to the improvement board")).to_be_visible()
    sign_out(page)

    # The reviewer approves; the item shows the new status.
    browser_sign_in(page, live_server, reviewer.username)
    page.get_by_role("link", name="Review the update on JAY-03").first.click()  # also listed as "came back"
    page.get_by_label("Approve and publish").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("approved and published")).to_be_visible()
    page.goto(f"{live_server.url}/items/JAY-03/")
    expect(page.get_by_text("Implemented").first).to_be_visible()
    expect(page.get_by_text("has reviewed 48 children's cases")).to_be_visible()
    assert Item.objects.get(reference="JAY-03").status == "implemented"
