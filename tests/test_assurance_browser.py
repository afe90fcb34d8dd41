"""A reviewer assures an implemented item in a real browser, choosing the strength of the
evidence and ticking the links checked; the public page then shows both lines."""
import pytest

from tests.helpers import browser_sign_in
from tests.workflow_helpers import EVIDENCE

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_assures_with_a_strength_and_the_links_checked(page, live_server, reviewer, implemented_item):
    browser_sign_in(page, live_server, reviewer.username)
    expect(page.get_by_role("heading", name="Your review work")).to_be_visible()
    page.goto(f"{live_server.url}/work/items/{implemented_item.reference}/assure/")
    page.get_by_label("How has the board assured itself that this item is done?").fill(
        "The board read the multi-agency audit and met the team.")
    page.get_by_role("button", name="Assure and close").click()

    # Nothing chosen yet: the summary says what is missing.
    expect(page.get_by_role("link", name="Choose how strong the evidence the board saw is")).to_be_visible()
    page.get_by_label("Audited or inspected").check()
    page.get_by_role("group", name="Which evidence links did you check?").get_by_label(EVIDENCE.title,
                                                                                       exact=False).check()
    page.get_by_role("button", name="Assure and close").click()
    expect(page.get_by_text("is now assured and closed")).to_be_visible()

    page.goto(f"{live_server.url}/items/{implemented_item.reference}/")
    block = page.locator("#assurance")
    expect(block).to_contain_text("Reported implemented by Rotherham")
    expect(block).to_contain_text("Assured by the improvement board on")
    expect(block).to_contain_text("evidence: audited or inspected.")
    expect(block.get_by_role("link", name=EVIDENCE.title)).to_be_visible()
