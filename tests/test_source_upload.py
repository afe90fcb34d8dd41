"""An administrator uploads a source file in the admin: checked, previewed, then applied all or nothing."""
import csv
import html
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations import roles
from recommendations.models import Item, Source
from recommendations.services import sources
from recommendations.public import open_data
from tests.helpers import SEEDS, make_user, tracker_snapshot

UPLOAD = "/admin/recommendations/source/upload/"
APPLY = "/admin/recommendations/source/upload/apply/"
EXAMPLE = SEEDS.parent / "tests" / "files" / "example_review.yaml"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def upload(client, name, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def items_csv(client, source_code):
    response = client.get(reverse("public:items-csv"), {"source": source_code})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def page_text(response):
    """The page as a reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def rows_of(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def as_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=open_data.ITEM_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_new_source_is_previewed_without_writing_then_applied(admin_client):
    before = tracker_snapshot()
    response = upload(admin_client, "example_review.yaml", EXAMPLE.read_bytes())
    assert response.status_code == 200
    page = page_text(response)
    assert "Nothing has been written yet" in page
    assert "EXREVIEW-1" in page and "EXREVIEW-2" in page
    assert "1 source created; 2 items created." in page
    assert tracker_snapshot() == before
    assert not Source.objects.filter(code="EXREVIEW").exists()

    response = admin_client.post(APPLY)
    assert response.status_code == 302
    source = Source.objects.get(code="EXREVIEW")
    assert list(source.items.order_by("number").values_list("reference", "owner__slug", "status")) == [
        ("EXREVIEW-1", "rmbc-corporate", "not_started"), ("EXREVIEW-2", "south-yorkshire-police", "not_started"),
    ]
    assert set(Item.objects.get(reference="EXREVIEW-1").themes.values_list("slug", flat=True)) == {"joint-working"}
    assert "was applied" in admin_client.get(response.url).content.decode()
    # The file has been used up: applying again needs a new upload.
    assert admin_client.post(APPLY).status_code == 302
    assert Source.objects.filter(code="EXREVIEW").count() == 1


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("owner: rmbc-corporate", "owner: xyz", "example_review.yaml, line 13, item EXREVIEW-1: owner 'xyz' is not a defined organisation"),
        ("kind: review", "kind: rumour", "example_review.yaml, line 3, source: 'kind' is 'rumour'"),
        ("baseline_target_date: 2015-09-30", "baseline_target_date: 2015-09-31",
         "line 13, item EXREVIEW-1: 'baseline_target_date' must be a date written as YYYY-MM-DD"),
        ("reference: EXREVIEW-2", "reference: JAY-04", "line 23, item JAY-04: reference 'JAY-04' belongs to source JAY"),
        ("items:", "items: [", "example_review.yaml: is not valid YAML"),
    ],
)
def test_a_malformed_file_is_refused_line_by_line_and_nothing_is_written(admin_client, old, new, message):
    text = EXAMPLE.read_text()
    assert old in text
    before = tracker_snapshot()
    response = upload(admin_client, "example_review.yaml", text.replace(old, new, 1))
    assert response.status_code == 400
    page = page_text(response)
    assert "The file was not loaded: nothing was changed" in page
    assert message in page
    assert tracker_snapshot() == before
    # Nothing waits to be applied either.
    admin_client.post(APPLY)
    assert tracker_snapshot() == before


def test_every_problem_is_listed_at_once(admin_client):
    text = EXAMPLE.read_text().replace("owner: rmbc-corporate", "owner: xyz").replace("kind: review", "kind: rumour")
    page = page_text(upload(admin_client, "example_review.yaml", text))
    assert "owner 'xyz' is not a defined organisation" in page
    assert "'kind' is 'rumour'" in page


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"hello", "upload a .yaml file (the seed format) or a .csv file"),
        ("bad.csv", "reference,colour\nJAY-01,blue\n".encode(), "bad.csv, line 1: unknown column 'colour'"),
        ("latin.yaml", "title: caf\xe9".encode("latin-1"), "the file is not UTF-8 text"),
        ("big.yaml", b"#" * (sources.UPLOAD_MAX_BYTES + 1), "The file must be 1024 KB or smaller"),
    ],
)
def test_files_that_are_not_source_files_are_refused(admin_client, name, content, message):
    before = tracker_snapshot()
    response = upload(admin_client, name, content)
    assert response.status_code == 400
    assert message in page_text(response)
    assert tracker_snapshot() == before


def test_the_items_csv_downloaded_and_uploaded_again_changes_nothing(admin_client, demo_progress):
    before = tracker_snapshot()
    for code in ["JAY", ""]:  # one source, then every item of every source
        content = items_csv(admin_client, code)
        response = upload(admin_client, "tracked-items.csv", content)
        assert response.status_code == 200, page_text(response)[:3000]
        page = page_text(response)
        assert "Nothing changes: the tracker already matches the file." in page
        assert "Created" not in page and ">Changed<" not in page
        assert "Left as they are" not in page
        admin_client.post(APPLY)
        assert tracker_snapshot() == before


def test_a_csv_edits_titles_and_adds_an_item_to_an_existing_source(admin_client):
    rows = rows_of(items_csv(admin_client, "ADCS"))
    rows[0]["title"] = "A clearer title in our own words"
    rows[1]["owner"] = "South Yorkshire Police"  # managed in the app after creation: noted, not applied
    new = dict(rows[0], reference="ADCS-7", title="An extra proposal", summary="Added by upload.",
               status="", rag="", target_date="", baseline_target_date="2016-03-31", owner="rmbc-cyps")
    response = upload(admin_client, "adcs.csv", as_csv(rows + [new]))
    page = page_text(response)
    assert response.status_code == 200, page[:3000]
    assert "A clearer title in our own words" in page
    assert "adcs.csv (ADCS), line 3, item ADCS-2: 'owner'" in page
    assert Item.objects.get(reference="ADCS-1").title != "A clearer title in our own words"

    assert admin_client.post(APPLY).status_code == 302
    assert Item.objects.get(reference="ADCS-1").title == "A clearer title in our own words"
    assert Item.objects.get(reference="ADCS-2").owner.slug != "south-yorkshire-police"
    added = Item.objects.get(reference="ADCS-7")
    assert (added.number, added.provenance, added.owner.slug, added.status) == (7, "recalled", "rmbc-cyps", "not_started")
    assert added.current_target_date.isoformat() == "2016-03-31"


@pytest.mark.parametrize("column, value", [("status", "assured"), ("rag", "green"), ("target_date", "2030-01-01")])
def test_a_csv_cannot_change_what_only_the_reviewed_workflow_changes(admin_client, column, value):
    rows = rows_of(items_csv(admin_client, "JAY"))
    rows[3][column] = value
    before = tracker_snapshot()
    response = upload(admin_client, "jay.csv", as_csv(rows))
    assert response.status_code == 400
    page = page_text(response)
    assert f"jay.csv, line 5: '{column}' is '{value}' but the tracker has" in page
    assert "changes only through reviewed progress updates" in page
    assert tracker_snapshot() == before


def test_apply_checks_again_and_stops_if_the_tracker_changed_after_the_preview(admin_client):
    rows = rows_of(items_csv(admin_client, "JAY"))
    rows[0]["title"] = "Title from the upload"
    assert upload(admin_client, "jay.csv", as_csv(rows)).status_code == 200
    Item.objects.filter(reference="JAY-02").update(title="Changed by someone else meanwhile")
    before = tracker_snapshot()
    response = admin_client.post(APPLY)
    assert response.status_code == 200
    assert "The tracker changed after your preview, so nothing was applied" in page_text(response)
    assert tracker_snapshot() == before
    # The new preview can be applied.
    assert admin_client.post(APPLY).status_code == 302
    assert Item.objects.get(reference="JAY-01").title == "Title from the upload"


def test_apply_refuses_a_file_that_no_longer_passes_the_checks(admin_client):
    assert upload(admin_client, "example_review.yaml", EXAMPLE.read_bytes()).status_code == 200
    Item.objects.filter(reference="JAY-01").update(reference="EXREVIEW-2")
    before = tracker_snapshot()
    response = admin_client.post(APPLY)
    assert response.status_code == 400
    assert "belongs to source JAY" in page_text(response)
    assert tracker_snapshot() == before


def test_the_upload_page_documents_the_csv_columns(admin_client):
    page = admin_client.get(UPLOAD).content.decode()
    for column in open_data.ITEM_FIELDS:
        assert f"<code>{column}</code>" in page
    assert "Upload a source file" in admin_client.get("/admin/recommendations/source/").content.decode()


@pytest.mark.parametrize("who", ["council_officer", "reviewer"])
def test_officers_and_reviewers_cannot_reach_the_upload(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (UPLOAD, APPLY):
        assert client.get(url).status_code == 302
        response = client.post(url, {"file": SimpleUploadedFile("x.yaml", EXAMPLE.read_bytes())})
        assert response.status_code == 302 and "/admin/login/" in response.url
    assert not Source.objects.filter(code="EXREVIEW").exists()


def test_staff_without_the_source_and_item_permissions_are_refused(client, seeded):
    staff = make_user("staff-reader", roles.ADMINISTRATORS, is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_source", "add_source", "change_source"]))
    client.force_login(staff)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("x.yaml", EXAMPLE.read_bytes())}).status_code == 403
    assert client.post(APPLY).status_code == 403
    assert "Upload a source file" not in client.get("/admin/recommendations/source/").content.decode()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_item", "change_item"]))
    client.force_login(staff)
    assert client.get(UPLOAD).status_code == 200


def test_the_upload_needs_the_csrf_token(administrator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("x.yaml", EXAMPLE.read_bytes())})
    assert response.status_code == 403
    assert not Source.objects.filter(code="EXREVIEW").exists()


def test_a_csv_keeps_what_it_does_not_mention_and_reads_back_cells_made_safe_for_spreadsheets(admin_client):
    Item.objects.filter(reference="JAY-06").update(title="-1 in 5 cases: a title a spreadsheet would run")
    rows = rows_of(items_csv(admin_client, "JAY"))
    assert rows[5]["title"].startswith("'-1 in 5")  # the download made it safe
    themes = {item.reference: set(item.themes.values_list("slug", flat=True)) for item in Item.objects.all()}
    before = tracker_snapshot()
    narrow = [{"reference": row["reference"], "source": row["source"], "kind": row["kind"], "title": row["title"],
               "summary": row["summary"], "owner": row["owner"], "lead_role": row["lead_role"]} for row in rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(narrow[0]))
    writer.writeheader()
    writer.writerows(narrow)
    page = page_text(upload(admin_client, "jay.csv", out.getvalue()))
    assert "Nothing changes: the tracker already matches the file." in page
    admin_client.post(APPLY)
    assert tracker_snapshot() == before
    assert {item.reference: set(item.themes.values_list("slug", flat=True)) for item in Item.objects.all()} == themes
