"""Plain helpers shared by test modules (fixtures live in conftest.py)."""
import csv
import html
import io
import re
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group

from recommendations.models import Organisation, User

SEEDS = settings.BASE_DIR / "seeds"
PASSWORD = "correct-horse-battery"


def make_user(username, group_name, organisation=None, **extra):
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", organisation=organisation, **extra,
    )
    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


def empty_database():
    """Delete every row of the tracker's own tables (sources, items, their history...) and every account.

    Used inside a test's transaction, so the seeded data is back for the next test.
    """
    app = apps.get_app_config("recommendations")
    # Children before parents: each model's rows before the rows they protect.
    order = ["EvidenceLink", "ProgressUpdate", "IndicatorValue", "Indicator", "ReminderLog", "Action", "Item", "Source", "Theme"]
    # A superseded item protects what replaced it: let go of those pointers first.
    app.get_model("Item").objects.update(superseded_by=None, superseded_by_action=None)
    for name in order:
        app.get_model(name).objects.all().delete()
    for model in app.get_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()


def browser_sign_in(page, live_server, username, password=PASSWORD):
    """Sign in through the real sign-in form in a Playwright page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@contextmanager
def browser_page(browser, **options):
    """A Playwright page in a browser context of its own (`options` as for browser.new_context),
    closed afterwards."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def tracker_snapshot():
    """Every row of the tracked sources and everything hanging off them, with history counts."""
    from recommendations.models import Action, EvidenceLink, Item, Organisation, ProgressUpdate, Source, Theme

    models = [Organisation, Theme, Source, Item, Action, ProgressUpdate, EvidenceLink]
    return {
        model.__name__: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        for model in models
    } | {
        "history": Item.history.count(),
        "item_themes": sorted(Item.themes.through.objects.values_list("item_id", "theme_id")),
        "action_items": sorted(Action.items.through.objects.values_list("action_id", "item_id")),
    }


def demo_date(days):
    """A day of the demo story (fixtures/demo.yaml counts from the day it is loaded): days from today."""
    import datetime

    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=days)


def long_date(day):
    return f"{day.day} {day:%B %Y}"


def references(queryset):
    """The items' references, as a set."""
    return set(queryset.values_list("reference", flat=True))


def csv_rows(response):
    """The rows of a CSV download, header first."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def summary_links(page):
    """The error summary's (href, text) pairs, the text as a reader sees it."""
    summary = page.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    return [(href, html.unescape(text)) for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', summary)]


def short_date(day):
    return f"{day.day} {day:%b %Y}"


def govuk_tags(page):
    """The GOV.UK tags on a page as (colour class, text), however the markup is laid out (the
    govukTag macro puts its text on a line of its own): [("govuk-tag--red", "Past target date")...]."""
    return [(classes, " ".join(text.split()))
            for classes, text in re.findall(r'<strong class="govuk-tag ([^"]*)"\s*>(.*?)</strong>', page, re.S)]


# --- Printed pages (the browser tests print to PDF) ---------------------------------------


def pdf_text(pdf):
    """How many pages, and each page's text."""
    import pypdf  # the browser tests' own dependency: skipped where it is missing

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def pdf_lines(pdf):
    """Each page's lines of text, top to bottom (a line: the words printed at one height, left to right)."""
    import pypdf

    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        words = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: words.append(
            (-round(cm[5] + tm[5] * cm[3]), cm[4] + tm[4] * cm[0], text.strip())) if text.strip() else None)
        rows = {}
        for height, left, word in sorted(words):
            rows.setdefault(height, []).append(word)
        pages.append([" ".join(row) for row in rows.values()])
    return pages
