"""The guidance fixes, as people meet them in a real browser: "Implemented" without evidence is
stopped on the form, a draft is edited in place and can be discarded, and a reviewer's /work/
lists what is ready for assurance and leads to it."""
import re

import pytest

from recommendations.models import ProgressUpdate
from tests.helpers import browser_sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_is_stopped_on_the_form_and_can_discard_a_draft(page, live_server, council_officer, council_item):
    browser_sign_in(page, live_server, council_officer.username)
    page.goto(f"{live_server.url}/work/items/JAY-03/")
    page.get_by_role("button", name="Write a progress update").click()  # a link drawn as a button (govukButton: role="button")
    page.get_by_label("What progress has been made?").fill("The panel's terms are agreed.")
    page.get_by_label("Implemented").check()
    page.get_by_role("button", name="Save and check before submitting").click()

    # Refused on the form, not after "Submit": the summary links to the evidence field.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Add at least one evidence link")
    summary.get_by_role("link", name=re.compile("evidence link")).click()
    assert page.evaluate("document.activeElement.id").startswith("id_evidence-0-")
    assert not ProgressUpdate.objects.filter(item=council_item).exists()

    # Saving twice keeps one draft, changed in place.
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft update on JAY-03 has been saved")).to_be_visible()
    page.goto(f"{live_server.url}/work/items/JAY-03/updates/new/")
    page.get_by_label("What progress has been made?").fill("The panel's terms are agreed and published.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft update on JAY-03 has been saved")).to_be_visible()
    drafts = ProgressUpdate.objects.filter(item=council_item, state="draft")
    assert [draft.narrative for draft in drafts] == ["The panel's terms are agreed and published."]

    # Discarding asks first, then the draft is gone.
    page.goto(f"{live_server.url}/work/items/JAY-03/")
    page.get_by_role("link", name=re.compile("^Discard")).click()
    expect(page.get_by_role("heading", name="Are you sure you want to discard this draft update?")).to_be_visible()
    page.get_by_role("button", name="Discard draft").click()
    page.wait_for_url(re.compile(r"/work/"))
    assert not ProgressUpdate.objects.filter(item=council_item).exists()


def test_reviewer_home_leads_to_the_items_ready_for_assurance(page, live_server, implemented_item, reviewer):
    browser_sign_in(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_role("heading", name="Your review work")).to_be_visible()
    page.get_by_role("link", name=re.compile("implemented and waiting for assurance")).click()
    ready = page.locator("#assure ~ ul").first
    expect(ready).to_contain_text("JAY-02")
    ready.get_by_role("link", name="Assure JAY-02").click()
    page.wait_for_url("**/work/items/JAY-02/assure/")
    expect(page.get_by_role("heading", name=re.compile("Assure"))).to_be_visible()
