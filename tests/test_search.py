"""The public search finds what people type, on SQLite and on PostgreSQL alike (recommendations/search.py)."""
import pytest

from recommendations import search
from recommendations import versions
from recommendations.models import Item, Organisation
from tests.workflow_helpers import approved, draft

pytestmark = pytest.mark.django_db


def found(client, query):
    # The tests change rows with update(), which sends no signal: start from a fresh public version.
    versions.changed()
    response = client.get("/items/", {"q": query})
    assert response.status_code == 200
    return [item.reference for item in response.context["items"]]


def test_the_searches_people_tried(client, seeded):
    exploitation = found(client, "child sexual exploitation")
    assert len(exploitation) >= 10 and "JAY-01" in exploitation
    assert set(found(client, "CSE")) == set(exploitation)  # the synonym works both ways
    assert "JAY-01" in found(client, "grooming")
    police = set(Item.objects.filter(owner__slug="south-yorkshire-police").values_list("reference", flat=True))
    assert police <= set(found(client, "police"))  # the owner is searched too
    assert "JAY-01" in found(client, "risk assessments")  # "risk assessment" in its title
    assert set(found(client, "looked after")) == set(found(client, "looked-after"))
    assert "JAY-02" in found(client, "looked after")
    lscb = Organisation.objects.get(slug="rotherham-lscb")
    assert set(lscb.owned_items.values_list("reference", flat=True)) <= set(found(client, "LSCB"))
    assert found(client, "jay-1") == ["JAY-10", "JAY-11", "JAY-12", "JAY-13", "JAY-14", "JAY-15"]


def test_every_word_must_match(client, seeded):
    assert found(client, "exploitation zebra") == []


def test_published_progress_is_searched_but_nothing_unpublished(client, council_officer, reviewer, council_item):
    other = Item.objects.get(reference="JAY-07")
    approved(council_officer, reviewer, council_item, narrative="Weekly quokka panel meets.")
    draft(council_officer, other, narrative="Private wombat draft.")
    assert found(client, "quokka") == [council_item.reference]
    assert found(client, "wombat") == []


def test_official_wording_is_searched_only_once_verified(client, seeded):
    Item.objects.filter(reference="JAY-03").update(official_wording="The capybara clause.", verified=False)
    assert found(client, "capybara") == []
    Item.objects.filter(reference="JAY-03").update(verified=True, official_reference="page 1")
    assert found(client, "capybara") == ["JAY-03"]


def test_the_synonym_list_is_an_editable_file(tmp_path, monkeypatch):
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("bgc: big grey cat\n")
    monkeypatch.setattr(search, "SYNONYMS_FILE", synonyms)
    search.synonyms.cache_clear()
    try:
        assert search.terms("BGC report") == [[["bgc"], ["big", "grey", "cat"]], [["report"]]]
        assert search.terms("big grey cat") == [[["big", "grey", "cat"], ["bgc"]]]
    finally:
        search.synonyms.cache_clear()


def test_a_search_of_only_punctuation_lists_everything(client, seeded):
    assert len(found(client, "--- !!")) == min(Item.objects.count(), 50)


def test_a_search_of_only_common_words_finds_nothing(client, seeded):
    assert found(client, "' OR 1=1 --") == []
