"""A reviewer closes an item as superseded in a real browser, from the item's workspace: a missing
replacement is explained on the form; then the public page shows the closure, its reasons and a link
to the item that replaced it, and the item list filters it apart."""
import pytest

from tests.helpers import browser_sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_closes_an_item_as_superseded(page, live_server, reviewer, council_item):
    browser_sign_in(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/work/items/{council_item.reference}/")
    page.get_by_role("link", name="Close this item without it being implemented").click()
    page.get_by_label("Closed as superseded").check()
    page.get_by_label("Why is the item being closed?").fill("Folded into the joint team's single plan.")
    page.get_by_role("button", name="Close and publish the reasons").click()

    # No replacement given: the summary says what is missing, and nothing changed.
    expect(page.get_by_role("link", name="Say what replaced this item: choose either another item or a joint "
                                         "action.")).to_be_visible()
    page.get_by_label("Superseded by which item? (if superseded)").fill("JAY-04")
    page.get_by_role("button", name="Close and publish the reasons").click()
    expect(page.get_by_text("is now closed without being implemented")).to_be_visible()

    page.goto(f"{live_server.url}/items/{council_item.reference}/")
    block = page.locator("#closure")
    expect(block).to_contain_text("Closed as superseded")
    expect(block).to_contain_text("Folded into the joint team's single plan.")
    block.get_by_role("link", name="JAY-04", exact=False).click()
    expect(page).to_have_url(f"{live_server.url}/items/JAY-04/")

    page.goto(f"{live_server.url}/items/?status=superseded")
    expect(page.locator("main")).to_contain_text(council_item.reference)
    expect(page.locator("main")).to_contain_text("Closed as superseded")
