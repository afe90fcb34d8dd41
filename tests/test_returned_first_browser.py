"""A returned update comes first (#21 point 11), in a real browser: the officer opening the item
reads the board's comment at the top of the page, before any button."""
import re

import pytest

from recommendations.services import workflow
from tests.helpers import browser_sign_in
from tests.workflow_helpers import submitted

# Skipped, with the reason, where Playwright is not installed.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Say how many children's cases the panel has reviewed."


def test_the_boards_comment_is_at_the_top_before_any_button(page, live_server, council_officer, reviewer,
                                                             council_item):
    returned = submitted(council_officer, council_item)
    workflow.return_update(reviewer, returned, returned.version, COMMENT)
    browser_sign_in(page, live_server, council_officer.username)
    page.get_by_role("link", name=re.compile(r"^JAY-03:")).click()

    main = page.get_by_role("main")
    comment = main.get_by_text(COMMENT).first
    expect(comment).to_be_visible()
    expect(main.get_by_role("region", name="Returned by the board")).to_contain_text(COMMENT)
    # On the first screen, without scrolling.
    assert comment.bounding_box()["y"] + comment.bounding_box()["height"] <= page.viewport_size["height"]
    # Before every button, in the order the page is read and on the screen.
    buttons = main.locator("button, .govuk-button, [role=button]")
    assert buttons.count() >= 1  # "Write a progress update"
    for index in range(buttons.count()):
        button = buttons.nth(index)
        assert page.evaluate("([comment, button]) => !!(comment.compareDocumentPosition(button) & "
                             "Node.DOCUMENT_POSITION_FOLLOWING)",
                             [comment.element_handle(), button.element_handle()])
        assert button.bounding_box()["y"] > comment.bounding_box()["y"]

    # Its link goes straight to the returned update, with the comment beside the form.
    main.get_by_role("link", name="Change the update and submit it again").click()
    expect(page.get_by_label("What progress has been made?")).to_be_visible()
    expect(page.get_by_text(COMMENT)).to_be_visible()
