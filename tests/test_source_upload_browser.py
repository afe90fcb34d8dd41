"""An administrator adds a new source in a real browser: upload, a refused file, a preview, apply."""
import re

import pytest

from recommendations.models import Source
from tests.helpers import PASSWORD, SEEDS

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = SEEDS.parent / "tests" / "files" / "example_review.yaml"


def test_an_administrator_uploads_previews_and_applies_a_new_source(page, live_server, administrator, tmp_path):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", administrator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(f"{live_server.url}/admin/recommendations/source/")
    page.get_by_role("link", name="Upload a source file").click()
    page.wait_for_url(re.compile(r"/admin/recommendations/source/upload/$"))
    expect(page.get_by_role("heading", name="The CSV columns")).to_be_visible()

    # A file with a mistake is refused, line by line, and nothing is written.
    broken = tmp_path / "example_review.yaml"
    broken.write_text(EXAMPLE.read_text().replace("owner: rmbc-corporate", "owner: xyz"))
    page.get_by_label("Source file").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="The file was not loaded: nothing was changed")).to_be_visible()
    expect(page.get_by_text("line 13, item EXREVIEW-1: owner 'xyz' is not a defined organisation")).to_be_visible()
    assert not Source.objects.filter(code="EXREVIEW").exists()

    # The corrected file is previewed; still nothing is written.
    page.get_by_label("Source file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the changes before you apply them")).to_be_visible()
    expect(page.locator("#plan-summary")).to_have_text("1 source created; 2 items created.")
    expect(page.get_by_role("cell", name="EXREVIEW-2")).to_be_visible()
    assert not Source.objects.filter(code="EXREVIEW").exists()

    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url(re.compile(r"/admin/recommendations/source/$"))
    expect(page.get_by_text("example_review.yaml was applied.")).to_be_visible()
    expect(page.get_by_role("link", name="EXREVIEW")).to_be_visible()
    assert Source.objects.get(code="EXREVIEW").items.count() == 2
