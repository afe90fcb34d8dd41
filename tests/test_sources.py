"""Loading the seed files: counts, idempotence, validation and history."""
import shutil
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from recommendations.models import Action, EvidenceLink, Indicator, Item, Organisation, ProgressUpdate, Source, Theme
from recommendations.services.sources import SeedError, load_sources
from tests.helpers import SEEDS, tracker_snapshot

pytestmark = pytest.mark.empty_database

ALL_MODELS = [Organisation, Theme, Source, Item, Action, ProgressUpdate, EvidenceLink, Indicator]


@pytest.mark.django_db
def test_load_gives_15_jay_6_adcs_and_the_ofsted_items():
    call_command("load_sources", stdout=StringIO())
    assert Item.objects.filter(source__code="JAY").count() == 15
    assert Item.objects.filter(source__code="ADCS").count() == 6
    ofsted = Item.objects.filter(source__code="OFSTED")
    assert ofsted.filter(kind=Item.Kind.JUDGEMENT).count() == 5
    assert ofsted.filter(kind=Item.Kind.FINDING).count() == 9
    assert set(ofsted.filter(kind=Item.Kind.JUDGEMENT).values_list("grade", flat=True)) == {"inadequate"}
    jay04 = Item.objects.get(reference="JAY-04")
    assert jay04.owner.slug == "south-yorkshire-police"
    assert jay04.provenance == "seed"
    assert Item.objects.get(reference="JAY-12").provenance == "recalled"
    assert not Item.objects.filter(verified=True).exists()
    overlap = Action.objects.get(items__reference="JAY-14")
    assert set(overlap.items.values_list("reference", flat=True)) >= {"JAY-14", "OFSTED-F4", "ADCS-3"}


@pytest.mark.django_db
def test_second_load_changes_no_row():
    call_command("load_sources", stdout=StringIO())
    before = tracker_snapshot()
    out = StringIO()
    call_command("load_sources", stdout=out)
    assert tracker_snapshot() == before
    assert "Nothing to change" in out.getvalue()


@pytest.mark.django_db
def test_reload_keeps_progress_entered_in_the_app(council_officer, reviewer):
    from recommendations.services import workflow

    item = Item.objects.get(reference="JAY-01")
    update = workflow.save_draft(
        council_officer, item, narrative="Audit done", proposed_status="in_progress", proposed_rag="amber",
        evidence=[workflow.EvidenceInput("Audit report", "https://example.org/audit", "2015-01-01")],
    )
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version + 0)
    load_sources(SEEDS)
    item.refresh_from_db()
    assert (item.status, item.rag) == ("in_progress", "amber")
    assert item.evidence.count() == 1
    assert item.updates.count() == 1


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def break_file(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "file, old, new, message",
    [
        ("jay.yaml", "owner: south-yorkshire-police", "owner: no-such-body", "item JAY-04: owner 'no-such-body'"),
        ("jay.yaml", "kind: recommendation", "kind: wish", "'kind' is 'wish'"),
        ("adcs.yaml", "published_on: 2014-09-01", "published_on: 2014-02-30", "'published_on' must be a date"),
        ("jay.yaml", "url: https://", "url: javascript://", "must be an http:// or https:// web address"),
        ("ofsted.yaml", "reference: OFSTED-F2", "reference: OFSTED-F1", "reference 'OFSTED-F1' is used twice"),
        ("jay.yaml", "    provenance: recalled\n", "    provenance: recalled\n    colour: blue\n", "unknown key 'colour'"),
        ("actions.yaml", "JAY-14", "JAY-99", "item 'JAY-99' is not defined"),
        ("themes.yaml", "themes:", "themes: [\n", "is not valid YAML"),
        ("organisations.yaml", "    kind: police\n", "    kind: police\n    lead_contact_email: not-an-address\n",
         "'lead_contact_email' is not an e-mail address: 'not-an-address'"),
        ("jay.yaml", "formal_response: accepted", "formal_response: maybe",
         "item JAY-01: 'formal_response' is 'maybe'; expected one of: accepted, accepted_in_principle"),
        ("adcs.yaml", "    owner: home-office\n", "    owner: home-office\n    formal_response: not_accepted\n",
         "item ADCS-1: give the reasons the item was not accepted ('formal_response_note')"),
        ("adcs.yaml", "    owner: home-office\n", "    owner: home-office\n    formal_response_date: 2015-01-05\n",
         "item ADCS-1: remove the date of the response: no response has been given yet ('formal_response_date')"),
        ("adcs.yaml", "    owner: home-office\n", "    owner: home-office\n    update_cadence_months: 13\n",
         "item ADCS-1: 'update_cadence_months' must be a whole number from 1 to 12, not '13'"),
        ("adcs.yaml", "    owner: home-office\n", "    owner: home-office\n    update_cadence_months: quarterly\n",
         "item ADCS-1: 'update_cadence_months' must be a whole number from 1 to 12, not 'quarterly'"),
        ("jay.yaml", "formal_response_date: 2014-08-26", "formal_response_date: 26/08/2014",
         "item JAY-01: 'formal_response_date' must be a date written as YYYY-MM-DD"),
        ("indicators.yaml", "items: [JAY-11]", "items: [JAY-99]", "indicator missing-return-interviews: item 'JAY-99'"),
        ("indicators.yaml", "items: [JAY-11]", "items: []", "an indicator needs at least one item"),
        ("indicators.yaml", "    better: lower\n", "    better: lower\n    baseline_value: 40\n",
         "give both 'baseline_value' and 'baseline_date', or neither"),
        ("indicators.yaml", "better: lower", "better: sideways", "'better' is 'sideways'"),
        ("indicators.yaml", "    better: lower\n", "    better: lower\n    target_value: lots\n",
         "'target_value'"),
    ],
)
def test_bad_file_is_rejected_with_a_clear_message_and_nothing_written(seed_copy, file, old, new, message):
    break_file(seed_copy / file, old, new)
    with pytest.raises(CommandError) as raised:
        call_command("load_sources", "--dir", str(seed_copy), stdout=StringIO())
    assert file in str(raised.value)
    assert message in str(raised.value)
    assert "nothing was changed" in str(raised.value)
    for model in ALL_MODELS:
        assert not model.objects.exists(), model


@pytest.mark.django_db
def test_a_lead_contact_address_is_optional_and_kept_when_the_file_has_none(seed_copy):
    break_file(seed_copy / "organisations.yaml", "    kind: police\n",
               "    kind: police\n    lead_contact_email: chief-office@police.example\n")
    load_sources(seed_copy)
    police = Organisation.objects.get(slug="south-yorkshire-police")
    assert police.lead_contact_email == "chief-office@police.example"
    assert Organisation.objects.get(slug="rmbc-cyps").lead_contact_email == ""
    # Set in the admin, and not in the file: loading again keeps it.
    Organisation.objects.filter(slug="rmbc-cyps").update(lead_contact_email="director-office@council.example")
    load_sources(seed_copy)
    assert Organisation.objects.get(slug="rmbc-cyps").lead_contact_email == "director-office@council.example"


@pytest.mark.django_db
def test_bad_file_leaves_an_already_loaded_database_untouched(seed_copy):
    load_sources(SEEDS)
    before = tracker_snapshot()
    break_file(seed_copy / "jay.yaml", "title: Current, good-quality", "title: Changed")
    break_file(seed_copy / "ofsted.yaml", "kind: finding", "kind: rumour")
    with pytest.raises(SeedError) as raised:
        load_sources(seed_copy)
    assert any("ofsted.yaml" in problem for problem in raised.value.problems)
    assert tracker_snapshot() == before


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(seed_copy):
    break_file(seed_copy / "jay.yaml", "kind: recommendation", "kind: wish")
    break_file(seed_copy / "adcs.yaml", "kind: proposal", "kind: idea")
    with pytest.raises(SeedError) as raised:
        load_sources(seed_copy)
    assert any(p.startswith("jay.yaml") for p in raised.value.problems)
    assert any(p.startswith("adcs.yaml") for p in raised.value.problems)


@pytest.mark.django_db
def test_a_changed_summary_in_the_file_updates_the_item_and_is_in_history(seed_copy):
    load_sources(SEEDS)
    break_file(seed_copy / "jay.yaml", "title: Current, good-quality", "title: Up-to-date, good-quality")
    load_sources(seed_copy)
    item = Item.objects.get(reference="JAY-01")
    assert item.title.startswith("Up-to-date")
    latest = item.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "Loaded from seed files"


@pytest.mark.django_db
def test_the_files_formal_responses_and_cadences_load(seed_copy):
    load_sources(SEEDS)
    jay = Item.objects.get(reference="JAY-04")
    assert (jay.formal_response, str(jay.formal_response_date), jay.update_cadence_months) == (
        "accepted", "2014-08-26", 3
    )
    assert "accepted the report and all of its recommendations" in jay.formal_response_note
    assert set(Item.objects.filter(source__code="OFSTED").values_list("formal_response", flat=True)) == {"accepted"}
    assert set(Item.objects.filter(source__code="ADCS").values_list("formal_response", flat=True)) == {"awaiting"}
    # Recorded in the app: a reload leaves it. Still awaiting: the file's response is filled in.
    Item.objects.filter(reference="JAY-04").update(formal_response="partly_accepted", update_cadence_months=6)
    break_file(seed_copy / "adcs.yaml", "    owner: home-office\n",
               "    owner: home-office\n    formal_response: accepted_in_principle\n    update_cadence_months: 12\n")
    load_sources(seed_copy)
    jay.refresh_from_db()
    assert (jay.formal_response, jay.update_cadence_months) == ("partly_accepted", 6)
    adcs = Item.objects.get(reference="ADCS-1")
    assert (adcs.formal_response, adcs.update_cadence_months) == ("accepted_in_principle", 3)


@pytest.mark.django_db
def test_a_new_source_file_needs_no_code(seed_copy):
    (seed_copy / "review.yaml").write_text(
        """
source:
  code: REVIEW
  short_title: Example review
  title: An example later review
  kind: review
  author: Example author
  publisher: Example publisher
  published_on: 2015-02-04
  url: https://example.org/review
items:
  - reference: REVIEW-1
    number: 1
    kind: recommendation
    title: Example recommendation
    summary: An example.
    provenance: seed
    owner: rmbc-corporate
    lead_role: Chief Executive
"""
    )
    load_sources(seed_copy)
    assert Item.objects.get(reference="REVIEW-1").source.code == "REVIEW"


@pytest.mark.django_db
def test_history_records_who_changed_what(administrator, client):
    item = Item.objects.get(reference="JAY-07")
    client.force_login(administrator)
    data = {
        "source": item.source_id, "reference": item.reference, "number": item.number, "kind": item.kind,
        "grade": "", "title": item.title, "summary": item.summary,
        "official_wording": "Pasted from the official report.", "provenance": item.provenance,
        "official_reference": "page 12, paragraph 3", "verified": "on",
        "themes": list(item.themes.values_list("pk", flat=True)),
        "owner": item.owner_id, "lead_role": item.lead_role,
        "formal_response": item.formal_response, "formal_response_note": item.formal_response_note,
        "formal_response_date": item.formal_response_date, "update_cadence_months": item.update_cadence_months,
        "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0, "evidence-2-TOTAL_FORMS": 0,
        "evidence-2-INITIAL_FORMS": 0, "change_reason": "Checked against the report.",
    }
    response = client.post(f"/admin/recommendations/item/{item.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    latest = item.history.first()
    assert latest.verified is True
    assert latest.history_user == administrator
    assert latest.official_wording == "Pasted from the official report."
    assert item.history.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "file:///etc/passwd"])
def test_evidence_urls_other_than_http_are_rejected(seeded, url):
    evidence = EvidenceLink(item=Item.objects.first(), title="Bad", url=url, date="2015-01-01")
    with pytest.raises(ValidationError) as raised:
        evidence.full_clean()
    assert "http:// or https://" in str(raised.value)


@pytest.mark.django_db
def test_admin_item_changelist_renders_for_a_superuser(administrator, client):
    client.force_login(administrator)
    response = client.get("/admin/recommendations/item/?q=JAY-04")
    assert response.status_code == 200
    assert b"JAY-04" in response.content
    for model in ["organisation", "source", "item", "progressupdate", "evidencelink", "action", "theme", "user"]:
        assert client.get(f"/admin/recommendations/{model}/").status_code == 200, model
