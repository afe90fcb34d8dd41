"""An item's public page opens with what was recommended (the official wording once
verified, otherwise our summary with its provenance note), then where it stands; and it can
link to the item's own page or paragraph of the official document (Item.document_url, set
in the admin or by a source file), not only to the whole document."""
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import Item
from recommendations.services.sources import load_sources
from tests.helpers import SEEDS, tracker_snapshot


def positions(page, *texts):
    """Where each text first appears in the page's content (from its heading: the head's
    description repeats the summary)."""
    page = page[page.index("<h1"):]
    found = [page.find(text) for text in texts]
    assert -1 not in found, dict(zip(texts, found))
    return found


def test_the_summary_and_its_provenance_note_come_before_where_it_stands(seeded, client):
    item = Item.objects.get(reference="JAY-01")
    page = client.get("/items/JAY-01/").content.decode()
    summary = " ".join(item.summary.split())[:60]  # before any character the page escapes
    page = " ".join(page.split())
    order = positions(page, "<h1", "The recommendation in our own words", summary,
                      "This is our summary, not the official wording.", "Where it stands",
                      "> Status </dt>", "> Target date </dt>", "Published progress")
    assert order == sorted(order)


def test_verified_official_wording_comes_first(seeded, client):
    item = Item.objects.get(reference="JAY-01")
    item.official_wording, item.official_reference = "Checked official wording of JAY-01.", "page 35, paragraph 1"
    item.verified = True
    item.save()
    page = " ".join(client.get("/items/JAY-01/").content.decode().split())
    order = positions(page, "<h1", "Official wording of the recommendation", "Checked official wording of JAY-01.",
                      "page 35, paragraph 1", "In our own words", "Where it stands", "> Status </dt>")
    assert order == sorted(order)


def test_the_item_links_to_its_place_in_the_official_document(seeded, client):
    source_url = Item.objects.get(reference="JAY-04").source.url
    page = client.get("/items/JAY-04/").content.decode()
    assert f'href="{source_url}" rel="noopener" id="document-link"' in page
    item = Item.objects.get(reference="JAY-04")
    item.document_url = "https://example.org/jay-report.pdf#page=12"
    item.save()
    page = client.get("/items/JAY-04/").content.decode()
    assert 'href="https://example.org/jay-report.pdf#page=12" rel="noopener" id="document-link"' in page
    assert "Read JAY-04 in the official document" in page
    # The whole document stays a link too, with the source.
    assert f'href="{source_url}"' in page
    assert page.index('id="document-link"') < page.index("Where it stands")


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def put_after_provenance(path, reference, line):
    text = path.read_text()
    start = text.index(f"reference: {reference}\n")
    at = text.index("    provenance:", start)
    at = text.index("\n", at) + 1
    path.write_text(text[:at] + line + text[at:])


@pytest.mark.django_db
def test_a_source_file_gives_the_link(seed_copy):
    put_after_provenance(seed_copy / "jay.yaml", "JAY-04", "    document_url: https://example.org/jay.pdf#page=41\n")
    load_sources(seed_copy)
    assert Item.objects.get(reference="JAY-04").document_url == "https://example.org/jay.pdf#page=41"
    assert Item.objects.get(reference="JAY-05").document_url == ""


@pytest.mark.django_db
def test_a_link_that_is_not_a_web_address_is_refused(seed_copy):
    put_after_provenance(seed_copy / "jay.yaml", "JAY-04", "    document_url: javascript:alert(1)\n")
    before = tracker_snapshot()
    with pytest.raises(CommandError) as raised:
        call_command("load_sources", "--dir", str(seed_copy), stdout=StringIO())
    assert "item JAY-04: 'document_url' must be a web address starting https:// or http://" in str(raised.value)
    assert tracker_snapshot() == before
