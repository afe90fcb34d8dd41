"""Spreadsheet formula injection: every CSV the app offers shows formula-like cells as text."""
import csv
import io
import shutil

import pytest
from django.urls import NoReverseMatch, reverse

from recommendations import roles
from recommendations.models import Item, Organisation
from recommendations.services.sources import load_sources
from tests.helpers import SEEDS, make_user
from tests.hostile import board_urls
from tests.workflow_helpers import EVIDENCE, approved

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _assert_all_cells_safe(rows, where):
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (where, cell)


@pytest.fixture
def formula_seeds(tmp_path, db):
    """Seed files whose first four Jay items have formula-like titles and lead roles."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    jay = seeds / "jay.yaml"
    text = jay.read_text()
    for number, formula in enumerate(FORMULAS, start=1):
        marker = f"reference: JAY-{number:02d}\n"
        head, tail = text.split(marker, 1)
        title_line = tail.split("title: ", 1)[1].split("\n", 1)[0]
        role_line = tail.split("lead_role: ", 1)[1].split("\n", 1)[0]
        quoted = "'" + formula.replace("'", "''") + "'"
        tail = tail.replace("title: " + title_line, "title: " + quoted, 1)
        tail = tail.replace("lead_role: " + role_line, "lead_role: " + quoted, 1)
        text = head + marker + tail
    jay.write_text(text)
    load_sources(seeds)
    return make_user("board-reviewer", roles.REVIEWERS)


@pytest.mark.empty_database
def test_every_board_csv_neutralises_formula_cells(client, formula_seeds):
    for number, formula in enumerate(FORMULAS, start=1):
        item = Item.objects.get(reference=f"JAY-{number:02d}")
        assert (item.title, item.lead_role) == (formula, formula)
    client.force_login(formula_seeds)
    seen = set()
    downloads = 0
    for page_url in board_urls():
        for table in client.get(page_url).context["tables"].values():
            rows = _rows(client.get(table.csv_url))
            downloads += 1
            _assert_all_cells_safe(rows, table.csv_url)
            seen.update(cell for row in rows for cell in row)
    assert downloads >= 10
    # The titles (update overdue and uncovered items) and lead roles (by lead role) were there, neutralised.
    for formula in FORMULAS:
        assert "'" + formula in seen, formula


PUBLIC_CSV_NAMES = ["public:items-csv", "public:item-list-csv", "public:updates-csv", "public:evidence-csv"]


def _public_csv_urls():
    urls = []
    for name in PUBLIC_CSV_NAMES:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            pass
    return urls


def test_public_csvs_neutralise_formula_text_from_the_workflow(client, council_officer, reviewer, council_item):
    urls = _public_csv_urls()
    if not urls:
        pytest.skip("No public CSV downloads on this branch yet (none of " + ", ".join(PUBLIC_CSV_NAMES)
                    + " resolves); the public pages' branch adds them.")
    evidence = EVIDENCE.__class__(title=FORMULAS[3], url=EVIDENCE.url, date=EVIDENCE.date)
    approved(council_officer, reviewer, council_item, narrative=FORMULAS[0], evidence=[evidence])
    Item.objects.filter(pk=council_item.pk).update(title=FORMULAS[1], lead_role=FORMULAS[2])
    seen = set()
    for url in urls:
        rows = _rows(client.get(url))
        _assert_all_cells_safe(rows, url)
        seen.update(cell for row in rows for cell in row)
    assert any(cell.startswith("'=HYPERLINK") or cell.startswith("'+SUM") for cell in seen)


def test_officer_slice_csvs_are_neutralised_too(client, formula_seeds):
    officer = make_user("council-officer", roles.OFFICERS, Organisation.objects.get(slug="rmbc-cyps"))
    client.force_login(officer)
    for table in client.get(reverse("board:overview")).context["tables"].values():
        _assert_all_cells_safe(_rows(client.get(table.csv_url)), table.csv_url)
