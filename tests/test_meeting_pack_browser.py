"""A board member opens the meeting pack, picks the last meeting's date, prints it to PDF; escalations on the board."""
import datetime
import io

import pytest
from django.utils import timezone

from recommendations import roles
from recommendations.models import EscalationStep
from recommendations.words import long_date
from tests import board_data
from tests.helpers import browser_sign_in, make_user, pdf_lines, pdf_text

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (bin/setup installs it)")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.empty_database]


@pytest.fixture
def board_member(db):
    data = board_data.timeline()
    EscalationStep.objects.create(
        item=data["items"]["T5"], step=EscalationStep.Step.BOARD, reason=EscalationStep.Reason.PAST_TARGET,
        recorded_at=board_data.at(datetime.date(2024, 8, 1)), sent_to="The improvement board",
    )
    return make_user("pack-board-member", roles.REVIEWERS)


def test_board_member_prints_the_pack_for_a_date(board_member, live_server, page):
    browser_sign_in(page, live_server, board_member.username)
    page.goto(f"{live_server.url}/board/")
    # The escalation is on the board overview.
    escalations = page.get_by_role("table", name="Items escalating")
    expect(escalations).to_contain_text("T5")
    expect(escalations).to_contain_text("3: Listed for the board")
    expect(escalations).to_contain_text("Past target date")

    page.get_by_role("link", name="Meeting pack").click()
    page.wait_for_url("**/board/pack/")
    expect(page.get_by_role("heading", name="Meeting pack")).to_be_visible()
    page.get_by_role("textbox", name="Day").fill("20")
    page.get_by_role("textbox", name="Month").fill("3")
    page.get_by_role("textbox", name="Year").fill("2024")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_url("**/board/pack/?day=20&month=3&year=2024")
    expect(page.get_by_role("heading", name="Since 20 March 2024")).to_be_visible()
    decisions = page.get_by_role("table", name="Decisions needed")
    expect(decisions).to_contain_text("Escalated to the board")

    today = long_date(timezone.localdate())
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages, texts = pdf_text(pdf)
    text = " ".join(" ".join(texts).split())  # table cells wrap across lines
    # A board paper: every page has the board's name and the day it was printed at its head, and its
    # number at its foot.
    lines = pdf_lines(pdf)
    for number, page_lines in enumerate(lines, start=1):
        assert page_lines[0] == f"The improvement board: meeting pack since 20 March 2024. Printed {today}.", page_lines
        assert page_lines[-1] == f"Page {number} of {pages}", page_lines
    # No heading or caption is left at the foot of a page, away from its table: the section that does
    # not fit starts the next page (three pages here: the headline figures; decisions, published and
    # returned, what slipped; what became overdue and what waits for assurance).
    headings = ["Headline figures", "Decisions needed", "Published and returned", "Slipped or went past their target date",
                "Items waiting for assurance", "Items that went past their target date", "Items whose target date moved",
                "Updates returned to officers", "Updates and board decisions published"]
    assert pages == 3, lines
    for page_lines in lines[:-1]:
        assert not any(page_lines[-2].startswith(heading) for heading in headings), page_lines
    assert lines[2][1].startswith("Items that went past their target date since 20 Mar 2024"), lines[2]
    # Each heading once: a table alone under a heading does not repeat it as its caption.
    for heading in ("Headline figures", "Decisions needed", "Items waiting for assurance"):
        assert text.count(heading) == 1, heading
    # A4 portrait: 595 x 842 points.
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2, box
    for expected in ("Meeting pack", "Since 20 March 2024", "Headline figures", "Decisions needed", "Waiting since",
                     "Escalated to the board", "Items whose target date moved later since 20 Mar 2024",
                     "Items that went past their target date since 20 Mar 2024", "Items waiting for assurance"):
        assert expected in text, expected
    # No menus, forms, buttons or download links on paper, and links print their text only.
    for unwanted in ("Show the pack", "Download as CSV", "By owner", "Sign out", "Accessibility statement",
                     "For example, 31 3 2015", "(/"):
        assert unwanted not in text, unwanted


def test_a_bad_date_is_explained_in_the_browser(board_member, live_server, page):
    browser_sign_in(page, live_server, board_member.username)
    page.goto(f"{live_server.url}/board/pack/")
    page.get_by_role("textbox", name="Day").fill("31")
    page.get_by_role("textbox", name="Month").fill("2")
    page.get_by_role("textbox", name="Year").fill("2024")
    page.get_by_role("button", name="Show the pack").click()
    page.wait_for_url("**/board/pack/?day=31&month=2&year=2024")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date must be a real date")
