"""A board member opens the meeting pack, picks the last meeting's date, prints it to PDF; escalations on the board."""
import datetime
import io

import pytest

from recommendations import roles
from recommendations.models import EscalationStep
from tests import board_data
from tests.helpers import browser_sign_in, make_user

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


def pdf_text(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def test_board_member_prints_the_pack_for_a_date(board_member, live_server, page):
    browser_sign_in(page, live_server, board_member.username)
    page.goto(f"{live_server.url}/board/")
    # The escalation is on the board overview.
    escalations = page.get_by_role("table", name="Late items escalating")
    expect(escalations).to_contain_text("T5")
    expect(escalations).to_contain_text("3: Listed for the board")
    expect(escalations).to_contain_text("Past its target date")

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

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages, texts = pdf_text(pdf)
    text = " ".join(" ".join(texts).split())  # table cells wrap across lines
    # Three A4 pages: the headline figures; decisions needed with what was published and returned; what
    # slipped or became overdue with what waits for assurance. Each section is kept whole where it fits.
    assert pages == 3, texts
    assert texts[0].split("\n")[0] == "ROTHERHAM improvement tracker" and "Headline figures" in texts[0]
    assert texts[1].startswith("Decisions needed") and "Updates returned to officers" in texts[1]
    assert texts[2].startswith("Slipped or became overdue") and "Waiting for assurance" in texts[2]
    # A4 portrait: 595 x 842 points.
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2, box
    for expected in ("Meeting pack", "Since 20 March 2024", "Headline figures", "Decisions needed",
                     "Escalated to the board", "Items whose target date moved later since 20 Mar 2024",
                     "Items that became overdue since 20 Mar 2024", "Waiting for assurance"):
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
