"""In a real browser: a reviewer sets up two-factor sign-in and signs in with it, publishes,
assures with a second reviewer, reopens, and the public publication log shows each step."""
import re
import time

import pytest
from django_otp.oath import TOTP
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations.models import PublicationLogEntry
from tests.helpers import browser_sign_in
from tests.workflow_helpers import EVIDENCE, submitted

# Skipped, with the reason, where Playwright is not installed.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(user):
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def set_up_two_factor(page, user):
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".tracker-qr img")).to_be_visible()
    page.get_by_label("Code").fill(current_code(user))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name=re.compile("I have saved my recovery codes")).click()
    return codes


def test_two_factor_sign_in_and_the_publication_log(page, live_server, settings, council_officer, reviewer,
                                                    second_reviewer, council_item):
    settings.TRACKER_TWO_FACTOR_REQUIRED = True
    submitted(council_officer, council_item, narrative="Weekly panel reviews 31 cases.", proposed_status="implemented",
              evidence=[EVIDENCE])

    # First sign-in: the reviewer must set up an authenticator app before reviewing.
    browser_sign_in(page, live_server, reviewer.username)
    recovery_codes = set_up_two_factor(page, reviewer)
    expect(page.get_by_role("heading", name="Your review work")).to_be_visible()
    page.get_by_role("link", name="Review the update on JAY-03").click()
    page.get_by_label("Approve and publish").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("approved and published")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Next sign-in: password, then a recovery code (the app's code of this half-minute is used up).
    browser_sign_in(page, live_server, reviewer.username)
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("The code is not right").first).to_be_visible()
    time.sleep(1.1)  # django-otp waits a second after a wrong code
    page.get_by_label("Code").fill(recovery_codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your review work")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A second reviewer assures the item, and the first reopens it.
    browser_sign_in(page, live_server, second_reviewer.username)
    set_up_two_factor(page, second_reviewer)
    page.goto(f"{live_server.url}/work/items/JAY-03/")
    page.get_by_role("button", name="Assure and close this item").click()  # govukButton link: role="button"
    page.get_by_label("How has the board assured itself that this item is done?").fill("Audited the panel minutes.")
    page.get_by_label("Audited or inspected").check()
    page.get_by_role("group", name="Which evidence links did you check?").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Assure and close").click()
    expect(page.get_by_text("is now assured and closed")).to_be_visible()
    page.get_by_role("button", name="Reopen this item").click()
    page.get_by_label("Why does this item need to be reopened?").fill("An inspection found cases not reviewed.")
    page.get_by_label("Amber").check()  # a reopening gives a new RAG rating and target date
    target_date = page.get_by_role("group", name="New target date")
    for part, typed in (("Day", "31"), ("Month", "3"), ("Year", str(timezone.localdate().year + 1))):
        target_date.get_by_label(part).fill(typed)
    page.get_by_role("button", name="Reopen and publish the reason").click()
    expect(page.get_by_text("has been reopened")).to_be_visible()

    # The public sees each step in the item's history and in the publication log.
    page.goto(f"{live_server.url}/items/JAY-03/")
    # In the history (and linked from "Latest decision of the board" at the top).
    expect(page.get_by_role("heading", name=re.compile("Reopened by the board"))).to_be_visible()
    # The reason, also given for the new target date.
    expect(page.get_by_text("An inspection found cases not reviewed.", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/publication-log/")
    rows = page.locator("tbody tr")  # newest first: then each seeded source and item, added
    expect(rows.nth(0)).to_contain_text("Reopened")
    expect(rows.nth(1)).to_contain_text("Assured and closed")
    expect(rows.nth(2)).to_contain_text("Update published")
    assert PublicationLogEntry.objects.filter(update_id__isnull=False).count() == 3
