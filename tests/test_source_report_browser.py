"""A member of the public opens a source's progress report, prints it to PDF, and downloads it as an
OpenDocument text file."""
import io

import pytest
from django.utils import timezone
from odfdo import Document

from recommendations.words import long_date
from tests.helpers import pdf_lines, pdf_text

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (bin/setup installs it)")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_prints_the_report_on_clean_a4_pages(demo_progress, live_server, page):
    page.goto(f"{live_server.url}/sources/JAY/")
    page.get_by_role("link", name="Read the progress report on every item of the Jay report").click()
    page.wait_for_url("**/sources/JAY/report/")
    expect(page.get_by_role("heading", name="Progress report", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    expect(page.get_by_role("heading", name="JAY-04: ")).to_be_visible()

    today = long_date(timezone.localdate())
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages, texts = pdf_text(pdf)
    text = " ".join(" ".join(texts).split())
    assert pages > 3
    # Every page has the report's name and date at its head and its number at its foot.
    for number, page_lines in enumerate(pdf_lines(pdf), start=1):
        assert page_lines[0] == f"Progress report: Jay report, {today}", page_lines
        assert page_lines[-1] == f"Page {number} of {pages}", page_lines
        # No heading left alone at the foot of a page, away from what it heads.
        assert not any(page_lines[-2].startswith(heading) for heading in
                       ("What was recommended", "Formal response", "Where it stands", "What has been done",
                        "What happens next", "Evidence", "Indicators")), page_lines
    # A4 portrait: 595 x 842 points.
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2, box
    for expected in ("Progress report", "At a glance", "JAY-01: ", "JAY-15: ", "What happens next"):
        assert expected in text, expected
    # On paper: no menus, breadcrumbs, download link, buttons or screen-only hints, and links print their text only.
    for unwanted in ("Sign in", "Download this report", "Exit this page", "You can print this page", "Home Sources",
                     "Everything about JAY-04 on its own page", "(/"):
        assert unwanted not in text, unwanted


def test_a_visitor_downloads_the_report_as_an_opendocument_text(demo_progress, live_server, page):
    page.goto(f"{live_server.url}/sources/JAY/report/")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download this report as an OpenDocument text file (ODT)").click()
    download = waiting.value
    assert download.suggested_filename == f"progress-report-jay-{timezone.localdate().isoformat()}.odt"
    document = Document(download.path())
    assert document.mimetype == "application/vnd.oasis.opendocument.text"
    assert "JAY-04: One manager for the joint council and police CSE team" in document.get_formatted_text()
