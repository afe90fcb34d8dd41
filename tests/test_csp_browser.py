"""The Content Security Policy in a real browser: our pages and the Django admin run without violations.

The policy stays on in the browser tests. Test tools that need to run a script
in the page (axe-core) inject it with page.evaluate(), which the policy does
not block, so no test needs bypass_csp.
"""
import pytest
from django.conf import settings

from recommendations.models import Item
from tests.helpers import make_user
from recommendations import roles

pytestmark = [pytest.mark.browser]


def watch_console(page):
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def csp_violations(messages):
    return [message for message in messages if "Content Security Policy" in message or "pageerror" in message]


def test_govuk_frontend_starts_under_the_csp(live_server, transactional_db, seeded, page):
    messages = watch_console(page)
    response = page.goto(f"{live_server.url}/items/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # init.mjs adds these classes once GOV.UK Frontend's initAll() has run.
    page.wait_for_selector("body.js-enabled.govuk-frontend-supported")
    assert csp_violations(messages) == []

    # The watcher does see violations: an inline script is refused.
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'document.body.dataset.inline = "ran"';
        document.body.append(script);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("document.body.dataset.inline") is None
    assert csp_violations(messages)


def test_axe_core_can_be_injected_without_bypassing_the_csp(live_server, transactional_db, seeded, page):
    axe_source = (settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js").read_text()
    page.goto(f"{live_server.url}/")
    page.evaluate(axe_source)
    results = page.evaluate("axe.run(document, {runOnly: ['wcag2a']})")
    assert "violations" in results


def test_django_admin_works_under_the_csp(live_server, transactional_db, seeded, page):
    admin = make_user("csp-admin", roles.ADMINISTRATORS, is_staff=True, is_superuser=True)
    messages = watch_console(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    item = Item.objects.get(reference="JAY-04")
    for path in ["/admin/", "/admin/recommendations/item/", f"/admin/recommendations/item/{item.pk}/change/",
                 "/admin/recommendations/action/add/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")
    # The admin's own JavaScript works: the joint work list's "select all" checkbox ticks every row
    # (items have no bulk actions: none may be deleted in the admin).
    page.goto(f"{live_server.url}/admin/recommendations/action/")
    page.check("#action-toggle")
    assert page.locator("input.action-select:checked").count() == page.locator("input.action-select").count() > 0
    assert csp_violations(messages) == []
