"""
Every public page type passes axe-core's WCAG 2.2 AA checks in a real browser,
and the public pages work with JavaScript switched off.
"""
import re

import pytest
from django.conf import settings

from tests.helpers import browser_page
from tests.page_types import PAGE_TYPES, plant_feedback, sign_in_as_demo, signed_in_pages

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect


AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return {
        passes: results.passes.length,
        violations: results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
        })),
    };
}"""


def run_axe(page):
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    assert results["passes"] > 10, "axe did not run its checks"
    return results["violations"]


@pytest.fixture
def axe_page(browser):
    # axe is injected as a script of the test's own; bypass_csp keeps the
    # site's Content Security Policy from blocking it (and only it).
    with browser_page(browser, bypass_csp=True) as page:
        yield page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_wcag_violations_on_any_public_page_type(demo_progress, live_server, axe_page):
    plant_feedback()  # JAY-04's page then shows "You said, we did"
    failures = []
    for name, path in PAGE_TYPES.items():
        response = axe_page.goto(live_server.url + path)
        assert response.status == 200, path
        for violation in run_axe(axe_page):
            failures.append(f"{name} ({path}): {violation['id']} [{violation['impact']}] "
                            f"{violation['help']} at {violation['targets']}")
    # Wide tables scroll sideways on a phone: that region must be reachable by keyboard too.
    axe_page.set_viewport_size({"width": 320, "height": 640})
    for path in ["/", "/items/", "/items/JAY-05/"]:
        axe_page.goto(live_server.url + path)
        for violation in run_axe(axe_page):
            failures.append(f"{path} at 320px wide: {violation['id']} {violation['help']} at {violation['targets']}")
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_axe_check_does_catch_a_violation(seeded, live_server, axe_page):
    axe_page.goto(live_server.url + "/")
    axe_page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    assert "image-alt" in [violation["id"] for violation in run_axe(axe_page)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_work_without_javascript(demo_progress, live_server, page_without_javascript):
    page = page_without_javascript
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="See every tracked item").click()
    expect(page.get_by_role("heading", name="35 items")).to_be_visible()

    page.get_by_label("Source").select_option("JAY")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r".*source=JAY.*status=in_progress|.*status=in_progress.*source=JAY"))
    expect(page.get_by_role("heading", name="2 items match your filters")).to_be_visible()

    page.get_by_role("link", name="JAY-05").click()
    page.wait_for_url("**/items/JAY-05/")
    expect(page.get_by_role("heading", name="Published progress")).to_be_visible()
    expect(page.get_by_role("heading", name="Target date history")).to_be_visible()

    page.goto(live_server.url + "/items/?source=JAY&status=in_progress")
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url("**/items/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_wcag_violations_on_the_signed_in_screens(seeded, live_server, axe_page, settings):
    from recommendations.services.demo import load_demo

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo(settings.BASE_DIR / "fixtures" / "demo.yaml")
    failures = []
    for username, paths in signed_in_pages().items():
        sign_in_as_demo(axe_page, live_server, username)
        for path in paths:
            response = axe_page.goto(live_server.url + path)
            assert response.status == 200, path
            assert "/accounts/login/" not in axe_page.url, f"{username} was not signed in"
            for violation in run_axe(axe_page):
                failures.append(f"{username} {path}: {violation['id']} [{violation['impact']}] "
                                f"{violation['help']} at {violation['targets']}")
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_wcag_violations_on_the_manage_your_alerts_pages(seeded, live_server, axe_page):
    """The page reached from the signed link in every alert e-mail (with its banner after a change, an
    unconfirmed alert and "follow everything"), a bad link's page, and the page after stopping them all."""
    from django.utils import timezone

    from recommendations.models import Item, Source, Subscription, Theme
    from recommendations.services import alerts

    now = timezone.now()
    item = Subscription.objects.create(email="reader@example.net", item=Item.objects.get(reference="JAY-04"),
                                       confirmed_at=now, sent_until=now)
    Subscription.objects.create(email="reader@example.net", source=Source.objects.get(code="JAY"), frequency="weekly",
                                confirmed_at=now, sent_until=now)
    Subscription.objects.create(email="reader@example.net", theme=Theme.objects.get(slug="resources"))
    manage = f"{live_server.url}/alerts/manage/{alerts.manage_token(item)}/"
    failures = []

    def check(name, expected_status, go):
        response = go()
        assert response.status == expected_status, name
        failures.extend(f"{name}: {violation['id']} [{violation['impact']}] {violation['help']} at "
                        f"{violation['targets']}" for violation in run_axe(axe_page))

    check("manage", 200, lambda: axe_page.goto(f"{manage}?changed=frequency&alert={item.pk}"))
    check("a bad link", 400, lambda: axe_page.goto(f"{live_server.url}/alerts/manage/not-a-token/"))
    axe_page.goto(manage)

    def stop_all():
        with axe_page.expect_navigation() as navigation:
            axe_page.get_by_role("button", name="Stop all e-mail alerts").click()
        return navigation.value

    check("stopped", 200, stop_all)
    expect(axe_page.get_by_role("heading", name="You will not get any more e-mails")).to_be_visible()
    check("no alerts left", 200, lambda: axe_page.goto(manage))
    assert not failures, "\n".join(failures)
