"""
Fixtures for the whole suite.

The test database is created once per session with the seeded sources
(seeds/*.yaml) already in it, so most tests start from the real Jay, ADCS and
Ofsted items without reloading them: each test runs inside a transaction that
is rolled back afterwards.

- Tests that need no sources at all (loaders, synthetic data, crafted
  dashboard data) are marked `empty_database`: their transaction starts by
  deleting the seeded rows.
- Transactional tests (live server, browser, two real connections) commit,
  and Django empties every table after each of them; pytest-django runs them
  after all the others, and the `seeded` fixture loads the seeds again when
  they are missing.
"""
import shutil

import pytest
from django.core.cache import cache

from recommendations import roles
from recommendations import kept_values
from recommendations.models import Item, Organisation, Source
from recommendations.services.demo import load_demo
from recommendations.services.sources import load_sources
from tests import jinja2_instrumentation, workflow_helpers
from tests.helpers import SEEDS, browser_page, empty_database, make_user

jinja2_instrumentation.instrument()

CHROMIUM = "/usr/bin/chromium"
DEMO = SEEDS.parent / "fixtures" / "demo.yaml"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_sources(SEEDS)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches, so no page cached by another test is served
    (a rolled-back test leaves the public version as it found it)."""
    cache.clear()
    kept_values.forget_kept_values()


@pytest.fixture(autouse=True)
def _empty_database_when_marked(request):
    if request.node.get_closest_marker("empty_database"):
        request.getfixturevalue("db")
        empty_database()


@pytest.fixture
def seeded(db):
    """The real Jay, ADCS and Ofsted items from seeds/ (loaded once per session)."""
    if not Source.objects.filter(synthetic=False).exists():
        load_sources(SEEDS)


@pytest.fixture
def demo_progress(seeded):
    """The fictional demo progress: approved, submitted, returned and draft updates."""
    load_demo(DEMO)


@pytest.fixture
def council_officer(seeded):
    return make_user("council-officer", roles.OFFICERS, Organisation.objects.get(slug="rmbc-cyps"))


@pytest.fixture
def police_officer(seeded):
    return make_user("police-officer", roles.OFFICERS, Organisation.objects.get(slug="south-yorkshire-police"))


@pytest.fixture
def reviewer(seeded):
    return make_user("board-reviewer", roles.REVIEWERS)


@pytest.fixture
def second_reviewer(seeded):
    return make_user("board-reviewer-2", roles.REVIEWERS)


@pytest.fixture
def administrator(seeded):
    return make_user("administrator", roles.ADMINISTRATORS, is_staff=True, is_superuser=True)


@pytest.fixture
def council_item(seeded):
    """An item owned by the council and by no action's other partner."""
    return Item.objects.get(reference="JAY-03")


@pytest.fixture
def council_draft(council_officer, council_item):
    return workflow_helpers.draft(council_officer, council_item)


@pytest.fixture
def council_submitted(council_officer):
    """An update waiting for review on another council-only item (JAY-11): the council has
    one open update per item, and council_draft is on JAY-03."""
    return workflow_helpers.submitted(council_officer, Item.objects.get(reference="JAY-11"))


@pytest.fixture
def implemented_item(council_officer, reviewer):
    """A council-only item (no partner through an action) that an approved update marked implemented."""
    item = Item.objects.get(reference="JAY-02")
    workflow_helpers.approved(
        council_officer, reviewer, item, proposed_status="implemented", evidence=[workflow_helpers.EVIDENCE]
    )
    item.refresh_from_db()
    return item


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (test tools cannot download browsers here).

    Skips the browser tests, with the reason, where either is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (bin/setup installs it)")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (bin/setup --with-browser installs Debian's chromium)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    with browser_page(browser) as page:
        yield page


@pytest.fixture
def page_without_javascript(browser):
    with browser_page(browser, java_script_enabled=False) as page:
        yield page
