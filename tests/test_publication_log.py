"""The tamper-evident publication log: appended by every publication, board decision and other change
to the public record, public with its head, and checked against the database by verify_publication_log
(and from outside by scripts/check_publication_log.py)."""
import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from recommendations import versions
from recommendations.models import EvidenceLink, Item, ProgressUpdate, PublicationLogEntry, Source
from recommendations.services import publication_log, sources, workflow
from tests import workflow_helpers
from tests.helpers import SEEDS
from tests.workflow_helpers import EVIDENCE, approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(council_officer, reviewer, second_reviewer, council_item, implemented_item):
    """Two publications, an assurance, a reopening and a correction."""
    first = approved(council_officer, reviewer, council_item, narrative="Risk panels meet weekly 6601.",
                     evidence=[EVIDENCE])
    workflow_helpers.assure(second_reviewer, implemented_item, "Audited 6602.")
    workflow_helpers.reopen(reviewer, implemented_item, "Re-audit found gaps 6603.")
    workflow.correct(reviewer, council_item, "Rated against the wrong item 6604.", status="in_progress", rag="green")
    return first


def test_every_change_to_the_public_record_appends_one_chained_entry(published):
    entries = list(PublicationLogEntry.objects.order_by("id"))
    # Every seeded source, item and outcome indicator was logged as added, then implemented_item's own approval and
    # the fixture's five changes.
    seeded = (len(publication_log.source_states()) + len(publication_log.item_states())
              + len(publication_log.indicator_states()))
    assert {entry.kind for entry in entries[:seeded]} == {"added"}
    kinds = [entry.kind for entry in entries[seeded:]]
    assert kinds == ["publication", "publication", "assurance", "reopening", "correction"]
    assert entries[0].previous_hash == publication_log.GENESIS
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:]))
    assert publication_log.verify() is None
    call_command("verify_publication_log")


def test_nothing_unpublished_is_logged(council_officer, reviewer, council_item):
    before = PublicationLogEntry.objects.count()
    update = workflow.save_draft(council_officer, council_item, narrative="Draft.", proposed_status="in_progress")
    workflow.submit(council_officer, update, update.version)
    workflow.return_update(reviewer, update, update.version, "Not yet.")
    assert PublicationLogEntry.objects.count() == before


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


# --- The log covers the whole public record (issue 20, point 3) ------------------------------

# A direct write to each public field of an item, and the field the check must name.
DIRECT_WRITES = [
    ("status", {"status": "implemented"}),
    ("rag", {"rag": "red"}),
    ("baseline_target_date", {"baseline_target_date": datetime.date(2016, 1, 31)}),
    ("current_target_date", {"current_target_date": datetime.date(2019, 1, 31)}),
    ("formal_response", {"formal_response": "partly_accepted"}),
    ("formal_response_note", {"formal_response_note": "Quietly added."}),
    ("title", {"title": "A quieter title"}),
    ("summary", {"summary": "A quieter summary."}),
    ("update_cadence_months", {"update_cadence_months": 12}),
    ("wording_verified", {"verified": True, "official_wording": "Words.", "official_reference": "page 1"}),
]


@pytest.mark.parametrize("field, write", DIRECT_WRITES, ids=[field for field, _ in DIRECT_WRITES])
def test_a_direct_database_write_to_a_public_field_is_reported_by_item_and_field(published, field, write):
    reference = published.item.reference
    assert publication_log.check() == []
    Item.objects.filter(reference=reference).update(**write)
    found = {(problem.subject, problem.field) for problem in publication_log.check()}
    assert (reference, field) in found
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_publication_log", stderr=errors)
    assert f"{reference}, {field}: the public record shows" in errors.getvalue()


def test_verified_wording_changed_in_the_database_is_reported(client, published):
    item = published.item
    Item.objects.filter(pk=item.pk).update(verified=True, official_wording="Words.", official_reference="page 1",
                                           verified_at=timezone.now())
    publication_log.record_item_changes(Item.objects.filter(pk=item.pk), "Administrator", "Checked.")
    assert publication_log.check() == []
    Item.objects.filter(pk=item.pk).update(official_wording="Other words.")
    assert [(p.subject, p.field) for p in publication_log.check()] == [(item.reference, "official_wording")]


def test_evidence_themes_and_which_items_and_sources_exist_are_covered(published):
    item = published.item
    EvidenceLink.objects.filter(update=published).update(url="https://example.org/elsewhere.pdf")
    EvidenceLink.objects.create(item=item, title="Slipped in", url="https://example.org/x", date="2015-01-01")
    item.themes.clear()
    source = Source.objects.create(code="QUIET", short_title="Quiet", title="Quiet", kind="review", author="A",
                                   publisher="P", published_on=datetime.date(2015, 1, 1), url="https://example.org/")
    Item.objects.create(source=source, reference="QUIET-1", number=1, kind="recommendation", title="Quiet",
                        summary="Quiet.", provenance="seed", owner=item.owner, lead_role="Lead")
    problems = publication_log.check()
    found = {(problem.subject, problem.field) for problem in problems}
    assert {(item.reference, "evidence"), (item.reference, "themes"), ("source QUIET", ""), ("QUIET-1", "")} <= found
    assert any(problem.entry and problem.entry.update_id == published.pk for problem in problems)


def test_a_source_file_logs_each_item_and_source_it_adds_or_changes(seeded):
    before = PublicationLogEntry.objects.count()
    data = sources.read_seed_files(SEEDS)
    sources.load(data)  # unchanged: nothing logged
    assert PublicationLogEntry.objects.count() == before
    item = data["sources"][0]["items"][0]
    item["title"] = "A new title from the file"
    sources.load(data)
    entry = PublicationLogEntry.objects.get(pk__gt=before if before else 0)
    content = json.loads(entry.content)
    assert (entry.kind, entry.item_reference, content["changed"]) == ("change", item["reference"], ["title"])
    assert content["item"]["title"] == "A new title from the file" and content["reason"]
    assert publication_log.check() == []


def test_a_database_from_before_the_full_log_gets_its_baseline_once(published):
    # As an older database: entries that carry no item states, and publications never logged.
    PublicationLogEntry.objects.all().delete()
    assert publication_log.check()
    call_command("baseline_publication_log", stdout=io.StringIO())
    assert publication_log.check() == []
    count = PublicationLogEntry.objects.count()
    Item.objects.filter(pk=published.item_id).update(title="Changed after the baseline")
    call_command("baseline_publication_log", stdout=io.StringIO())  # cannot hide the change
    assert PublicationLogEntry.objects.count() == count
    assert [(p.subject, p.field) for p in publication_log.check()] == [(published.item.reference, "title")]


# --- Truncation is caught, and the head can be witnessed (point 5) --------------------------------


def test_removing_the_latest_entries_fails_the_check(published):
    last_two = PublicationLogEntry.objects.order_by("-id")[:2]
    PublicationLogEntry.objects.filter(pk__in=[entry.pk for entry in last_two]).delete()
    problems = publication_log.check()
    assert any("has no entry in the publication log" in problem.reason for problem in problems)
    with pytest.raises(CommandError):
        call_command("verify_publication_log", stderr=io.StringIO())


def test_removing_the_last_entry_of_an_administrators_change_fails_the_check(published):
    publication_log.record_item_changes(Item.objects.filter(pk=published.item_id), "Administrator", "Reason.")
    Item.objects.filter(pk=published.item_id).update(title="Retitled with a reason")
    publication_log.record_item_changes(Item.objects.filter(pk=published.item_id), "Administrator", "Reason.")
    assert publication_log.check() == []
    PublicationLogEntry.objects.order_by("-id").first().delete()
    assert [(p.subject, p.field) for p in publication_log.check()] == [(published.item.reference, "title")]


def save_head(path, head):
    path.write_text(json.dumps(head))
    return str(path)


def rewrite_from(entry):
    """Rewrite an entry and re-chain every entry after it, as a forger covering their tracks would."""
    entries = list(PublicationLogEntry.objects.filter(pk__gte=entry.pk).order_by("id"))
    previous = entry.previous_hash
    for index, current in enumerate(entries):
        if index == 0:
            current.by = "Someone else"
        current.previous_hash = previous
        current.entry_hash = publication_log.entry_hash(previous, current.recorded_at, current.kind,
                                                        current.item_reference, current.update_id, current.by,
                                                        current.content_hash)
        previous = current.entry_hash
    PublicationLogEntry.objects.filter(pk__gte=entry.pk).delete()
    PublicationLogEntry.objects.bulk_create(entries)


def test_a_saved_head_passes_while_the_log_grows_and_fails_after_truncation(published, council_item, reviewer,
                                                                           tmp_path):
    witness = save_head(tmp_path / "head.json", publication_log.head())
    workflow.correct(reviewer, council_item, "Another correction.", status="in_progress", rag="red")
    call_command("verify_publication_log", witness=witness, stdout=io.StringIO())
    # Cut back past the saved head: the check fails, whatever else holds.
    PublicationLogEntry.objects.filter(pk__gte=PublicationLogEntry.objects.order_by("-id")[1].pk).delete()
    with pytest.raises(CommandError, match="entries were removed"):
        call_command("verify_publication_log", witness=witness, stderr=io.StringIO())


def test_a_saved_head_fails_after_the_log_is_rewritten_and_rechained(published, tmp_path):
    witness = save_head(tmp_path / "head.json", publication_log.head())
    rewrite_from(PublicationLogEntry.objects.order_by("-id")[2])
    assert not [problem for problem in publication_log.check() if problem.entry]  # the chain itself holds
    with pytest.raises(CommandError, match="the log was rewritten"):
        call_command("verify_publication_log", witness=witness, stderr=io.StringIO())


def test_the_head_is_published_in_the_json_download_and_the_atom_feed(published, client):
    head = publication_log.head()
    data = json.loads(client.get(reverse("public:publication-log-json")).content)
    assert data["head"] == head
    feed = client.get(reverse("public:publication-log-feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert f"{head['entries']} entries, latest entry hash {head['entry_hash']}" in text
    assert head["entry_hash"] in client.get(reverse("public:publication-log")).content.decode()
    assert reverse("public:publication-log-feed") in client.get(reverse("public:open-data")).content.decode()


def test_a_witness_can_be_the_json_download_saved_earlier(published, client, tmp_path, reviewer, council_item):
    saved = save_head(tmp_path / "log.json", json.loads(client.get(reverse("public:publication-log-json")).content))
    workflow.correct(reviewer, council_item, "Another correction.", status="in_progress", rag="red")
    call_command("verify_publication_log", witness=saved, stdout=io.StringIO())


# --- The standalone checker (scripts/check_publication_log.py) -------------------------------------

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_publication_log.py"


def run_checker(*arguments):
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60)


def test_the_standalone_checker_saves_a_head_and_checks_it_against_a_json_file(published, client, tmp_path,
                                                                              reviewer, council_item):
    def download():
        versions.changed()  # the tampering below goes around the page cache's signals
        return save_head(tmp_path / "log.json",
                         json.loads(client.get(reverse("public:publication-log-json")).content))

    head = tmp_path / "head.json"
    saved = run_checker(download(), "--save", str(head))
    assert saved.returncode == 0, saved.stderr
    assert json.loads(head.read_text())["entry_hash"] == publication_log.head()["entry_hash"]
    workflow.correct(reviewer, council_item, "Another correction.", status="in_progress", rag="red")
    checked = run_checker(download(), "--witness", str(head))
    assert checked.returncode == 0 and "still contains the saved head" in checked.stdout
    PublicationLogEntry.objects.filter(pk__gte=PublicationLogEntry.objects.order_by("-id")[1].pk).delete()
    truncated = run_checker(download(), "--witness", str(head))
    assert truncated.returncode == 1 and "entries were removed" in truncated.stderr
    PublicationLogEntry.objects.filter(pk=PublicationLogEntry.objects.order_by("id")[3].pk).update(by="Forged")
    forged = run_checker(download())
    assert forged.returncode == 1 and "does not match its fields" in forged.stderr


@pytest.mark.django_db(transaction=True)
def test_the_standalone_checker_verifies_the_log_served_by_the_tracker(live_server, seeded, council_officer,
                                                                       reviewer, council_item, tmp_path):
    approved(council_officer, reviewer, council_item, narrative="Served 6611.")
    address = f"{live_server.url}{reverse('public:publication-log-json')}"
    head = tmp_path / "head.json"
    saved = run_checker(address, "--save", str(head))
    assert saved.returncode == 0, saved.stderr
    call_command("verify_publication_log", witness=address, stdout=io.StringIO())
    assert run_checker(address, "--witness", str(head)).returncode == 0
