"""In the admin, every field the public sees is read-only or changed as a recorded decision: with a
reason, written to the publication log and listed on /changes/ (issue 20, point 4)."""
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from recommendations.models import EvidenceLink, Item, Organisation, PublicationLogEntry, Source, Theme
from recommendations.services import publication_log
from tests.admin_helpers import item_form
from tests.workflow_helpers import EVIDENCE, approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def change_item(client, item, **changes):
    return client.post(reverse("admin:recommendations_item_change", args=[item.pk]), item_form(item, **changes))


def changes_page(client):
    today = timezone.localdate().isoformat()
    return client.get(reverse("public:changes"), {"from": "2015-01-01", "to": today}).content.decode()


PUBLIC_CHANGES = [
    ("title", {"title": "A plainer title"}),
    ("summary", {"summary": "A plainer summary."}),
    ("formal_response", {"formal_response": "not_accepted", "formal_response_note": "Not our role."}),
    ("update_cadence_months", {"update_cadence_months": 6}),
    ("official_wording", {"official_wording": "The report's words.", "official_reference": "page 3",
                          "verified": "on"}),
    ("themes", {"themes": []}),
    ("owner", {"owner": lambda: Organisation.objects.get(slug="south-yorkshire-police").pk}),
]


@pytest.mark.parametrize("field, changes", PUBLIC_CHANGES, ids=[field for field, _ in PUBLIC_CHANGES])
def test_a_public_field_changed_in_the_admin_is_logged_with_its_reason_and_listed(admin_client, client,
                                                                                 council_item, field, changes):
    before = PublicationLogEntry.objects.count()
    changes = {name: value() if callable(value) else value for name, value in changes.items()}
    response = change_item(admin_client, council_item, change_reason=f"Reason 7701 for {field}.", **changes)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = PublicationLogEntry.objects.get(pk__gt=PublicationLogEntry.objects.order_by("id")[before - 1].pk)
    content = json.loads(entry.content)
    assert entry.item_reference == council_item.reference and entry.by == "Administrator"
    assert field in content["changed"] and content["reason"] == f"Reason 7701 for {field}."
    assert publication_log.check() == []
    client.logout()
    page = changes_page(client)
    assert f"Reason 7701 for {field}." in page and field in page and council_item.reference in page


def test_a_public_change_without_a_reason_is_refused_and_changes_nothing(admin_client, council_item):
    before = PublicationLogEntry.objects.count()
    response = change_item(admin_client, council_item, title="No reason given")
    assert response.status_code == 200 and "Say why this change is made" in response.content.decode()
    council_item.refresh_from_db()
    assert council_item.title != "No reason given" and PublicationLogEntry.objects.count() == before


def test_saving_without_a_public_change_logs_nothing(admin_client, council_item):
    before = PublicationLogEntry.objects.count()
    assert change_item(admin_client, council_item, grade="good").status_code == 302
    assert PublicationLogEntry.objects.count() == before


def test_workflow_fields_stay_read_only_in_the_admin(admin_client, council_item):
    response = change_item(admin_client, council_item, status="assured", rag="green", change_reason="Try.",
                           current_target_date="2030-01-01")
    assert response.status_code == 302
    council_item.refresh_from_db()
    assert (council_item.status, council_item.rag, council_item.current_target_date) != (
        "assured", "green", datetime.date(2030, 1, 1))
    assert publication_log.check() == []


def test_evidence_added_to_the_item_needs_a_reason_and_is_logged(admin_client, council_item):
    link = {"evidence-TOTAL_FORMS": 1, "evidence-0-title": "Board minutes", "evidence-0-url": "https://example.org/m",
            "evidence-0-date": "2015-06-01"}
    refused = change_item(admin_client, council_item, **link)
    assert refused.status_code == 200 and not council_item.evidence.exists()
    assert change_item(admin_client, council_item, change_reason="Minutes 7702.", **link).status_code == 302
    entry = PublicationLogEntry.objects.order_by("-id").first()
    assert json.loads(entry.content)["changed"] == ["evidence"]
    assert publication_log.check() == []


def test_evidence_of_published_updates_cannot_be_edited_or_deleted_in_the_admin(admin_client, council_officer,
                                                                                reviewer, council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[EVIDENCE])
    link = EvidenceLink.objects.get(update=update)
    change_url = reverse("admin:recommendations_evidencelink_change", args=[link.pk])
    posted = admin_client.post(change_url, {"title": "Changed", "url": "https://example.org/other", "date": "2015-01-01",
                                            "item": council_item.pk, "update": update.pk})
    assert posted.status_code == 403
    assert admin_client.post(reverse("admin:recommendations_evidencelink_delete", args=[link.pk]),
                             {"post": "yes"}).status_code == 403
    # Nor through the item's page: its evidence form holds only links added to the item itself.
    page = admin_client.get(reverse("admin:recommendations_item_change", args=[council_item.pk])).content.decode()
    assert 'name="evidence-0-id"' not in page and EVIDENCE.url in page
    # Listed as plain text, escaped by the admin.
    assert f"{EVIDENCE.title} &lt;{EVIDENCE.url}&gt; ({link.date}), update {update.pk}" in page
    forged = {"evidence-TOTAL_FORMS": 1, "evidence-INITIAL_FORMS": 1, "evidence-0-id": link.pk,
              "evidence-0-item": council_item.pk, "evidence-0-title": "Changed", "evidence-0-url": link.url,
              "evidence-0-date": "2015-05-01", "evidence-0-DELETE": "on", "change_reason": "Forged."}
    change_item(admin_client, council_item, **forged)
    link.refresh_from_db()
    assert link.title == EVIDENCE.title and publication_log.check() == []


def test_sources_and_items_are_not_added_or_deleted_in_the_admin_outside_the_log(admin_client, council_item):
    source = council_item.source
    assert admin_client.get(reverse("admin:recommendations_source_add")).status_code == 403
    assert admin_client.post(reverse("admin:recommendations_source_delete", args=[source.pk]),
                             {"post": "yes"}).status_code == 403
    assert admin_client.post(reverse("admin:recommendations_item_delete", args=[council_item.pk]),
                             {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:recommendations_source_change", args=[source.pk]),
                      {"title": "Quietly", "short_title": "Q", "code": source.code})
    assert Source.objects.get(pk=source.pk).title == source.title


def test_a_source_file_upload_logs_one_entry_per_item_created_or_changed(admin_client, client):
    rows = client.get(reverse("public:items-csv"), {"source": "ADCS"})
    text = b"".join(rows.streaming_content) if rows.streaming else rows.content
    lines = text.decode("utf-8-sig").splitlines()
    header, first, second = lines[0], lines[1], lines[2]
    before = PublicationLogEntry.objects.count()
    new_row = second.replace("ADCS-2", "ADCS-9", 1)
    changed_first = first.replace(Item.objects.get(reference="ADCS-1").title, "A clearer title 7703", 1)
    content = "\n".join([header, changed_first, second, new_row]).encode()
    assert admin_client.post("/admin/recommendations/source/upload/",
                             {"file": SimpleUploadedFile("adcs.csv", content)}).status_code == 200
    assert PublicationLogEntry.objects.count() == before  # the preview writes nothing
    assert admin_client.post("/admin/recommendations/source/upload/apply/").status_code == 302
    entries = list(PublicationLogEntry.objects.filter(pk__gt=PublicationLogEntry.objects.order_by("id")[before - 1].pk))
    assert sorted((entry.kind, entry.item_reference) for entry in entries) == [("added", "ADCS-9"),
                                                                              ("change", "ADCS-1")]
    assert publication_log.check() == []
    client.logout()
    page = changes_page(client)
    assert "Loaded from a source file" in page and "ADCS-1" in page and "ADCS-9" in page


def test_an_items_reference_and_source_are_fixed_once_created(admin_client, council_item):
    source_id = council_item.source_id
    other = Source.objects.exclude(pk=source_id).first()
    change_item(admin_client, council_item, reference="JAY-99", source=other.pk, change_reason="Renumbered.")
    council_item.refresh_from_db()
    assert (council_item.reference, council_item.source_id) == ("JAY-03", source_id)
    assert publication_log.check() == []


def test_organisation_and_theme_codes_are_fixed_once_created(admin_client, council_item):
    owner, theme = council_item.owner, council_item.themes.first()
    admin_client.post(reverse("admin:recommendations_organisation_change", args=[owner.pk]),
                      {"slug": "renamed", "name": owner.name, "short_name": owner.short_name, "kind": owner.kind})
    admin_client.post(reverse("admin:recommendations_theme_change", args=[theme.pk]),
                      {"slug": "renamed", "name": "Renamed theme"})
    assert Organisation.objects.get(pk=owner.pk).slug == owner.slug
    assert (Theme.objects.get(pk=theme.pk).slug, Theme.objects.get(pk=theme.pk).name) == (theme.slug, "Renamed theme")
    assert publication_log.check() == []
