"""The tamper-evident publication log: appended by every publication and board decision,
public, and checked against the database by verify_publication_log."""
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from recommendations.models import EvidenceLink, ProgressUpdate, PublicationLogEntry
from recommendations.services import publication_log, workflow
from tests import workflow_helpers
from tests.workflow_helpers import EVIDENCE, approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(council_officer, reviewer, second_reviewer, council_item, implemented_item):
    """Two publications, an assurance, a reopening and a correction."""
    first = approved(council_officer, reviewer, council_item, narrative="Risk panels meet weekly 6601.",
                     evidence=[EVIDENCE])
    workflow_helpers.assure(second_reviewer, implemented_item, "Audited 6602.")
    workflow.reopen(reviewer, implemented_item, "Re-audit found gaps 6603.")
    workflow.correct(reviewer, council_item, "Rated against the wrong item 6604.", status="in_progress", rag="green")
    return first


def test_every_change_to_the_public_record_appends_one_chained_entry(published):
    kinds = list(PublicationLogEntry.objects.order_by("id").values_list("kind", flat=True))
    # implemented_item's own approval, then the fixture's five changes.
    assert kinds == ["publication", "publication", "assurance", "reopening", "correction"]
    entries = list(PublicationLogEntry.objects.order_by("id"))
    assert entries[0].previous_hash == publication_log.GENESIS
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:]))
    assert publication_log.verify() is None
    call_command("verify_publication_log")


def test_nothing_unpublished_is_logged(council_officer, reviewer, council_item):
    update = workflow.save_draft(council_officer, council_item, narrative="Draft.", proposed_status="in_progress")
    workflow.submit(council_officer, update, update.version)
    workflow.return_update(reviewer, update, update.version, "Not yet.")
    assert not PublicationLogEntry.objects.exists()


def test_the_check_catches_a_published_row_edited_in_the_database(published):
    ProgressUpdate.objects.filter(pk=published.pk).update(narrative="Quietly rewritten.")
    problem = publication_log.verify()
    assert problem is not None and problem.entry.update_id == published.pk
    with pytest.raises(CommandError, match=f"Entry {problem.entry.pk} "):
        call_command("verify_publication_log")


def test_the_check_catches_published_evidence_removed(published):
    EvidenceLink.objects.filter(update=published).delete()
    assert publication_log.verify().entry.update_id == published.pk


def test_the_check_catches_an_altered_or_removed_entry(published):
    entries = list(PublicationLogEntry.objects.order_by("id"))
    PublicationLogEntry.objects.filter(pk=entries[2].pk).update(by="Someone else")
    assert publication_log.verify().entry == entries[2]
    PublicationLogEntry.objects.filter(pk=entries[2].pk).update(by=entries[2].by)
    assert publication_log.verify() is None
    PublicationLogEntry.objects.filter(pk=entries[1].pk).delete()
    assert publication_log.verify().entry == entries[2]


def test_the_log_is_public_as_a_page_and_downloads(published, client):
    page = client.get(reverse("public:publication-log")).content.decode()
    assert "Update published" in page and "Reopened" in page and "Corrected" in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("public:publication-log-csv")).content.decode())))
    data = json.loads(client.get(reverse("public:publication-log-json")).content)
    assert len(rows) == data["count"] == PublicationLogEntry.objects.count()
    newest = PublicationLogEntry.objects.order_by("-id").first()
    assert data["publication-log"][0]["entry_hash"] == newest.entry_hash
    assert "board-reviewer" not in page + json.dumps(data)  # never a person
