"""The open data downloads and the Atom feed parse, carry the documented fields and only published updates."""
import csv
import io
import json
import xml.etree.ElementTree as ElementTree

import pytest

from recommendations.models import IndicatorValue, Item, ProgressUpdate
from recommendations.public.open_data import ITEM_FIELDS, UPDATE_FIELDS
from tests.helpers import demo_date
from tests.workflow_helpers import approved

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    return rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]


def test_items_csv_has_the_documented_header_and_every_item(demo_progress, client):
    header, rows = read_csv(client.get("/items.csv"))
    assert header == ITEM_FIELDS
    assert len(rows) == Item.objects.count() == 35
    jay_05 = next(row for row in rows if row["reference"] == "JAY-05")
    assert jay_05["status"] == "in_progress"
    assert jay_05["baseline_target_date"] == demo_date(-470).isoformat()
    assert jay_05["target_date"] == demo_date(-380).isoformat()
    assert jay_05["overdue"] == "yes"
    assert jay_05["url"] == "http://testserver/items/JAY-05/"


def test_items_downloads_take_the_page_filters(demo_progress, client):
    _, rows = read_csv(client.get("/items.csv?source=ADCS"))
    assert [row["reference"] for row in rows] == [f"ADCS-{n}" for n in range(1, 7)]
    data = client.get("/items.json?source=JAY&status=implemented").json()
    assert [item["reference"] for item in data["items"]] == ["JAY-04"]


def test_items_json_has_the_documented_keys(demo_progress, client):
    response = client.get("/items.json")
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert set(data) == {"generated_at", "licence", "count", "items"}
    assert data["count"] == len(data["items"]) == 35
    for item in data["items"]:
        assert list(item) == ITEM_FIELDS
    jay_04 = next(item for item in data["items"] if item["reference"] == "JAY-04")
    assert jay_04["status"] == "implemented" and jay_04["rag"] == "green"
    assert jay_04["wording_verified"] is False and jay_04["official_wording"] == ""
    assert isinstance(jay_04["themes"], list) and jay_04["themes"]


def test_item_downloads_publish_official_wording_only_once_verified(seeded, client):
    item = Item.objects.get(reference="JAY-01")
    item.official_wording = "Unchecked wording 4417"
    item.save()
    assert b"Unchecked wording 4417" not in client.get("/items.csv").content
    assert b"Unchecked wording 4417" not in client.get("/items.json").content

    item.verified = True
    item.save()
    _, rows = read_csv(client.get("/items.csv"))
    jay_01 = next(row for row in rows if row["reference"] == "JAY-01")
    assert (jay_01["official_wording"], jay_01["wording_verified"]) == ("Unchecked wording 4417", "yes")
    jay_01 = next(item for item in client.get("/items.json").json()["items"] if item["reference"] == "JAY-01")
    assert (jay_01["official_wording"], jay_01["wording_verified"]) == ("Unchecked wording 4417", True)


def published_ids():
    return set(ProgressUpdate.objects.published().values_list("pk", flat=True))


def test_update_downloads_hold_only_published_updates(demo_progress, client):
    assert len(published_ids()) == 25  # 17 progress updates and 8 assurances by the board
    assert ProgressUpdate.objects.exclude(pk__in=published_ids()).count() == 3
    header, rows = read_csv(client.get("/updates.csv"))
    assert header == UPDATE_FIELDS
    assert {int(row["id"]) for row in rows} == published_ids()
    data = client.get("/updates.json").json()
    assert set(data) == {"generated_at", "licence", "count", "updates"}
    assert {update["id"] for update in data["updates"]} == published_ids()
    for update in data["updates"]:
        assert list(update) == UPDATE_FIELDS
    published = [update["published_at"] for update in data["updates"]]
    assert published == sorted(published, reverse=True)
    jay_04 = next(update for update in data["updates"] if update["item_reference"] == "JAY-04")
    assert jay_04["organisation"] == "South Yorkshire Police"
    assert jay_04["evidence"] == [{
        "title": "[Demo] Joint CSE team terms of reference",
        "url": "https://example.org/demo/joint-cse-team-terms.pdf",
        "date": demo_date(-486).isoformat(),
    }]
    csv_jay_04 = next(row for row in rows if row["item_reference"] == "JAY-04")
    assert csv_jay_04["evidence"] == (
        "[Demo] Joint CSE team terms of reference <https://example.org/demo/joint-cse-team-terms.pdf>"
    )


def test_update_downloads_take_the_item_filters(demo_progress, client):
    data = client.get("/updates.json?source=JAY").json()
    assert {update["item_reference"] for update in data["updates"]} == {
        "JAY-01", "JAY-04", "JAY-05", "JAY-08", "JAY-09", "JAY-13", "JAY-15",
    }


def test_csv_cells_cannot_run_as_formulas(seeded, council_officer, reviewer, client):
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"),
             narrative='=HYPERLINK("https://example.org","click")')
    _, rows = read_csv(client.get("/updates.csv"))
    assert rows[0]["narrative"] == '\'=HYPERLINK("https://example.org","click")'


def test_atom_feed_is_valid_atom_with_only_published_updates(demo_progress, client):
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    # Published updates and, since the demo has some, outcome indicators' published values, newest first.
    addresses = [entry.find(f"{ATOM}id").text for entry in entries]
    entry_ids = {int(address.rsplit("#update-", 1)[1]) for address in addresses if "#update-" in address}
    value_ids = {int(address.rsplit("#indicator-value-", 1)[1]) for address in addresses if "#indicator-value-" in address}
    published_values = set(IndicatorValue.objects.filter(state="approved").values_list("pk", flat=True))
    assert len(entries) == len(published_ids()) + len(published_values)  # fewer than the feed's 50
    assert entry_ids == published_ids() and value_ids == published_values
    for entry in entries:
        for required in ("title", "id", "updated", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None
        # Attributed to the owning organisation, never to a person.
        assert entry.find(f"{ATOM}author/{ATOM}name").text != ""
        assert "demo-" not in entry.find(f"{ATOM}author/{ATOM}name").text


def test_atom_feed_escapes_officers_text(seeded, council_officer, reviewer, client):
    approved(council_officer, reviewer, Item.objects.get(reference="JAY-03"),
             narrative="<script>alert(1)</script> & more")
    feed = ElementTree.fromstring(client.get("/feed/").content)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<script>" not in summary.text
    assert "&lt;script&gt;" in summary.text


def test_public_pages_announce_the_feed(seeded, client):
    for url in ["/", "/items/", "/items/JAY-01/", "/sources/JAY/"]:
        assert b'<link rel="alternate" type="application/atom+xml"' in client.get(url).content


def test_open_data_page_documents_every_field(seeded, client):
    body = client.get("/open-data/").content.decode()
    for field in ITEM_FIELDS + UPDATE_FIELDS:
        assert f"<code>{field}</code>" in body


def test_the_developers_page_documents_every_field():
    from django.conf import settings

    document = (settings.BASE_DIR / "docs" / "open-data.md").read_text(encoding="utf-8")
    for field in ITEM_FIELDS + UPDATE_FIELDS:
        assert f"| `{field}` |" in document, field
