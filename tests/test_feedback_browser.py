"""Someone tells the board an item is wrong, in a real browser, and a reviewer publishes the board's answer:
item page, form, "sent" page; the reviewer's queue and decision; "You said, we did" on the item page."""
import re

import pytest

from recommendations.models import Feedback
from tests.helpers import browser_sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_tells_the_board_and_a_reviewer_publishes_the_answer(seeded, page, live_server, reviewer):
    page.goto(live_server.url + "/items/JAY-04/")
    page.get_by_role("link", name="Tell the board about JAY-04").click()
    page.wait_for_url(re.compile(r".*/items/JAY-04/tell-the-board/$"))
    expect(page.get_by_role("heading", name="Is this right? Tell the board")).to_be_visible()
    page.get_by_label("What is wrong or missing?").fill("The joint meetings stopped in the spring.")
    page.get_by_role("button", name="Send to the board").click()
    page.wait_for_url(re.compile(r".*/tell-the-board/sent/$"))
    expect(page.get_by_role("heading", name="Sent to the board")).to_be_visible()
    assert Feedback.objects.get().text == "The joint meetings stopped in the spring."

    browser_sign_in(page, live_server, reviewer.username)
    page.goto(live_server.url + "/work/feedback/")
    page.get_by_role("link", name=re.compile("Read and decide")).click()
    page.get_by_label("Publish a summary and the board’s response on the item").check()
    page.get_by_label("You said (if publishing)").fill("The joint meetings had stopped.")
    page.get_by_label("We did (if publishing)").fill("We asked for them to restart and will check in June.")
    page.get_by_role("button", name="Confirm decision").click()
    page.wait_for_url(re.compile(r".*/work/feedback/$"))
    expect(page.get_by_text("The response is published on JAY-04.")).to_be_visible()

    page.context.clear_cookies()
    # Another address for the same page (the view reads no query): the browser may reuse its copy of the
    # first for PUBLIC_MAX_AGE seconds, as it would for any visitor.
    page.goto(live_server.url + "/items/JAY-04/?again")
    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    expect(page.get_by_text("We asked for them to restart and will check in June.")).to_be_visible()
