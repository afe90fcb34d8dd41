import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from recommendations import roles
from recommendations.models import Item, Organisation, User
from recommendations.services.sources import load_sources

SEEDS = settings.BASE_DIR / "seeds"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so no page cached by another test is served."""
    cache.clear()


@pytest.fixture
def seeded(db):
    """The real Jay, ADCS and Ofsted items from seeds/."""
    load_sources(SEEDS)


def make_user(username, group_name, organisation=None, **extra):
    user = User.objects.create_user(
        username=username, password="correct-horse-battery", email=f"{username}@example.org",
        organisation=organisation, **extra,
    )
    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


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


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (test tools cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

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
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
