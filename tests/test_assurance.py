"""Assurance that means something: the strength of the evidence seen and the links checked,
recorded by the service, shown apart from the implementation report on the public item page,
published in open data and the publication log, and counted on the board's dashboard."""
import datetime
import html
import json
import re

import markupsafe
import pytest
from django.urls import reverse

from recommendations import roles
from recommendations import versions
from recommendations.models import EvidenceLink, Item, ProgressUpdate, PublicationLogEntry
from recommendations.services import publication_log, workflow
from tests.helpers import make_user, summary_links
from tests.hostile import snapshot
from tests.workflow_helpers import EVIDENCE, assure, assure_form, draft, reopen

pytestmark = pytest.mark.django_db
Strength = ProgressUpdate.EvidenceStrength


def links_of(item):
    return [link.pk for link in workflow.published_evidence(item)]


# --- The service's rules --------------------------------------------------------


def test_strengths_are_ordered_weakest_first():
    assert Strength.labels == ["Policy or plan agreed", "In place and operating", "Audited or inspected",
                               "Outcomes improved"]


@pytest.mark.parametrize("strength", ["", "excellent"])
def test_the_strength_is_required(reviewer, implemented_item, strength):
    before = snapshot()
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.assure(reviewer, implemented_item, "Read it.", strength=strength, checked=links_of(implemented_item))
    assert refused.value.field == "evidence_strength"
    assert snapshot() == before


def test_checked_links_must_be_the_items_own_published_links(reviewer, implemented_item, demo_progress):
    another_items = EvidenceLink.objects.public().exclude(item=implemented_item).first()
    for forged in (another_items.pk, 999_999):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.assure(reviewer, implemented_item, "Read it.", strength="audited",
                            checked=links_of(implemented_item) + [forged])
        assert refused.value.field == "evidence_checked"
    assert Item.objects.get(pk=implemented_item.pk).status == Item.Status.IMPLEMENTED


def test_an_unpublished_link_on_the_same_item_cannot_be_ticked(council_officer, reviewer, implemented_item):
    # A new draft on the implemented item carries a link that is not public yet.
    pending = draft(council_officer, implemented_item, evidence=[workflow.EvidenceInput(
        title="Not yet published", url="https://example.org/pending.pdf", date=datetime.date(2015, 6, 1))])
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.assure(reviewer, implemented_item, "Read it.", strength="audited",
                        checked=[pending.evidence.get().pk])
    assert refused.value.field == "evidence_checked"


def test_an_item_with_evidence_needs_at_least_one_link_ticked(reviewer, implemented_item):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.assure(reviewer, implemented_item, "Read it.", strength="audited", checked=[],
                        no_links_confirmed=True)
    assert refused.value.field == "evidence_checked"


def test_an_item_without_evidence_needs_an_explicit_confirmation(reviewer, council_item):
    Item.objects.filter(pk=council_item.pk).update(status=Item.Status.IMPLEMENTED)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.assure(reviewer, council_item, "Visited the team.", strength="operating")
    assert refused.value.field == "no_links_confirmed"
    update = workflow.assure(reviewer, council_item, "Visited the team.", strength="operating",
                             no_links_confirmed=True)
    assert (update.evidence_strength, list(update.evidence_checked.all())) == ("operating", [])


def test_separation_of_duties_still_holds(council_officer, implemented_item):
    council_reviewer = make_user("council-reviewer-2", roles.REVIEWERS, council_officer.organisation)
    with pytest.raises(workflow.WorkflowError, match="another member of the board"):
        assure(council_reviewer, implemented_item)


def test_the_assurance_records_strength_and_links_and_logs_them(reviewer, implemented_item):
    update = assure(reviewer, implemented_item, strength="audited")
    assert update.evidence_strength == "audited"
    assert [link.title for link in update.evidence_checked.all()] == [EVIDENCE.title]
    entry = PublicationLogEntry.objects.get(kind=PublicationLogEntry.Kind.ASSURANCE)
    content = json.loads(entry.content)["update"]
    assert content["evidence_strength"] == "audited"
    assert [link["url"] for link in content["evidence_checked"]] == [EVIDENCE.url]
    # A progress update's record is as it always was: no assurance fields.
    publication = PublicationLogEntry.objects.get(kind=PublicationLogEntry.Kind.PUBLICATION)
    publication = json.loads(publication.content)["update"]
    assert "evidence_strength" not in publication
    assert publication_log.verify() is None


# --- The form -----------------------------------------------------------------------


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.mark.parametrize("change, link, message", [
    ({"evidence_strength": ""}, "#id_evidence_strength_0", "Choose how strong the evidence the board saw is"),
    ({"evidence_checked": []}, "#id_evidence_checked_0", "Tick the evidence links you checked."),
    ({"evidence_checked": [999_999]}, "#id_evidence_checked_0",
     "Only this item's published evidence links can be ticked. The page was incomplete or out of date: reload it "
     "and try again."),
])
def test_the_assurance_form_explains_each_refusal(reviewer_client, implemented_item, change, link, message):
    before = snapshot()
    page = reviewer_client.post(reverse("workflow:assure", args=[implemented_item.reference]),
                                assure_form(implemented_item, **change)).content.decode()
    assert (link, message) in summary_links(page)
    assert snapshot() == before


def test_the_assurance_form_lists_the_items_published_links(reviewer_client, implemented_item):
    page = reviewer_client.get(reverse("workflow:assure", args=[implemented_item.reference])).content.decode()
    assert "How strong is the evidence the board saw?" in page
    assert all(label in page for label in Strength.labels)
    assert f"{EVIDENCE.title} (example.org, 1 May 2015)" in page
    assert 'name="no_links_confirmed"' not in page


def test_an_item_without_links_asks_for_the_confirmation(reviewer_client, council_item):
    Item.objects.filter(pk=council_item.pk).update(status=Item.Status.IMPLEMENTED)
    url = reverse("workflow:assure", args=[council_item.reference])
    assert 'name="evidence_checked"' not in reviewer_client.get(url).content.decode()
    data = assure_form(council_item)
    del data["no_links_confirmed"]
    page = reviewer_client.post(url, data).content.decode()
    assert ("#id_no_links_confirmed", "This item has no published evidence links: confirm that the board assured "
            "it from other evidence, described above.") in summary_links(page)
    reviewer_client.post(url, assure_form(council_item))
    assert Item.objects.get(pk=council_item.pk).status == Item.Status.ASSURED


# --- The public item page, open data ---------------------------------------------------


def test_the_public_page_shows_the_report_and_the_assurance_apart(client, council_officer, reviewer,
                                                                  implemented_item):
    organisation = markupsafe.escape(council_officer.organisation.name)  # as the page's Jinja2 escapes it
    page = client.get(implemented_item.get_absolute_url()).content.decode()
    reported = implemented_item.updates.published().get().published_at
    assert f"Reported implemented by {organisation} on {reported.day} {reported:%B %Y}." in page
    assert "Not yet assured by the improvement board." in page

    assurance = assure(reviewer, implemented_item, strength="outcomes")
    page = client.get(implemented_item.get_absolute_url()).content.decode()
    block = page.split('id="assurance"')[1].split("</div>")[0]
    assert f"Reported implemented by {organisation} on" in block
    assert (f"Assured by the improvement board on {assurance.published_at.day} {assurance.published_at:%B %Y}, "
            "evidence: outcomes improved.") in block
    assert EVIDENCE.title in block and EVIDENCE.url in block
    # Nobody's name, and nothing of the review, reaches the public page.
    for private in (reviewer.username, council_officer.username, reviewer.email):
        assert private not in page


def test_a_reopened_item_no_longer_shows_an_assurance(client, reviewer, implemented_item):
    assure(reviewer, implemented_item)
    reopen(reviewer, implemented_item, "The audit found gaps.")
    page = client.get(implemented_item.get_absolute_url()).content.decode()
    assert 'id="assurance"' not in page


def test_open_data_carries_the_strength_and_the_links_checked(client, reviewer, implemented_item):
    assure(reviewer, implemented_item, strength="audited")
    versions.changed()
    records = {record["status"]: record for record in client.get("/updates.json").json()["updates"]
               if record["item_reference"] == implemented_item.reference}
    assert records["assured"]["evidence_strength"] == "audited"
    assert records["assured"]["evidence_checked"] == [
        {"title": EVIDENCE.title, "url": EVIDENCE.url, "date": "2015-05-01"}]
    assert records["implemented"]["evidence_strength"] == "" and records["implemented"]["evidence_checked"] == []
    csv_text = client.get("/updates.csv").content.decode()
    assert "evidence_strength" in csv_text.splitlines()[0] and ",audited," in csv_text


# --- The board's dashboard --------------------------------------------------------------


def test_the_board_lists_assured_items_by_strength(reviewer_client, reviewer, implemented_item, council_item):
    assure(reviewer, implemented_item, strength="audited")
    Item.objects.filter(pk=council_item.pk).update(status=Item.Status.IMPLEMENTED)
    assure(reviewer, council_item, strength="policy")
    page = reviewer_client.get("/board/assurance/").content.decode()
    counts = dict(re.findall(r'>([A-Z][a-z ]+)</a>\s*</th>\s*<td class="govuk-table__cell govuk-table__cell--numeric"[^>]*>'
                             r'\s*(\d+)', page))
    assert counts["Audited or inspected"] == "1" and counts["Policy or plan agreed"] == "1"
    assert counts["Outcomes improved"] == "0"
    assert 'href="/board/assurance/?strength=audited"' in page

    audited = reviewer_client.get("/board/assurance/?strength=audited").content.decode()
    caption = audited.index(">Assured items: evidence audited or inspected</caption>")
    listed = audited[caption:audited.index("</table>", caption)]
    assert implemented_item.reference in listed and council_item.reference not in listed
    csv_text = reviewer_client.get("/board/assurance/assured-items.csv?strength=audited").content.decode()
    assert implemented_item.reference in csv_text and council_item.reference not in csv_text
    none = reviewer_client.get("/board/assurance/?strength=outcomes").content.decode()
    assert "No items are assured with this strength of evidence." in none


def test_an_unknown_strength_gets_a_clear_message(reviewer_client):
    page = reviewer_client.get("/board/assurance/?strength=<b>best</b>").content.decode()
    assert "<title>Error: " in page and "Choose an evidence strength from the list" in page
    assert "<b>best</b>" not in page


def test_an_officer_sees_only_their_organisations_assured_items(client, police_officer, reviewer, implemented_item):
    assure(reviewer, implemented_item)
    client.force_login(police_officer)
    page = client.get("/board/assurance/").content.decode()
    assert implemented_item.reference not in page
