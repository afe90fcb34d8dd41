"""Hostile posts to every workflow form: each gets a clear message and changes nothing.

"Nothing" is checked with tests.hostile.snapshot(): every update, evidence
link and item field, and the history of all three.
"""
import datetime
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.forms import PAGE_TAMPERED
from recommendations.models import EvidenceLink, Item
from recommendations.services.sources import SeedError, load_sources
from tests.helpers import SEEDS
from tests.hostile import new_update_url, snapshot, update_form, with_evidence
from tests.workflow_helpers import EVIDENCE, assure_form, draft

pytestmark = pytest.mark.django_db


def refused(client, url, data, status=200):
    """Post, check nothing changed, and return the page."""
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == status
    assert snapshot() == before
    content = response.content.decode()
    assert "There is a problem" in content or status == 409
    return content


@pytest.fixture
def officer_client(client, council_officer):
    client.force_login(council_officer)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# --- Evidence addresses ------------------------------------------------------

BAD_ADDRESSES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example",
    "\\\\evil.example",
    "ftp://example.org/report",
    "https:evil.example",
]


@pytest.mark.parametrize("url", BAD_ADDRESSES)
def test_evidence_address_that_is_not_http_is_refused(officer_client, council_item, url):
    page = refused(officer_client, new_update_url(council_item), with_evidence(url=url))
    message = "Enter a web address that starts with http:// or https://"
    assert f"Evidence link 1: {message}" in page
    assert page.count(message) == 2  # once in the summary, once by the field: not repeated


@pytest.mark.parametrize("url", BAD_ADDRESSES[:3])
def test_evidence_address_is_refused_when_changing_a_draft_too(officer_client, council_draft, url):
    page = refused(officer_client, reverse("workflow:update-edit", args=[council_draft.pk]),
                   with_evidence(url=url, version=council_draft.version))
    assert "Enter a web address that starts with http:// or https://" in page


# --- Over-long text ----------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({"narrative": "x" * 1_000_000}, "The progress description must be 10,000 characters or fewer"),
    ({"narrative": "x" * 10_001}, "The progress description must be 10,000 characters or fewer"),
    ({"proposed_target_date": "2016-01-31", "target_date_reason": "x" * 2_001},
     "The reason must be 2,000 characters or fewer"),
    ({"evidence-0-title": "x" * 201, "evidence-0-url": "https://example.org/a", "evidence-0-date": "2015-05-01"},
     "Evidence link 1: The title must be 200 characters or fewer"),
    ({"evidence-0-title": "Audit", "evidence-0-url": "https://example.org/" + "a" * 490,
      "evidence-0-date": "2015-05-01"}, "Evidence link 1: The web address must be 500 characters or fewer"),
])
def test_over_long_update_text_is_refused(officer_client, council_item, fields, message):
    page = refused(officer_client, new_update_url(council_item), update_form(**fields))
    assert message in page


def test_a_narrative_at_the_limit_is_saved(officer_client, council_item):
    officer_client.post(new_update_url(council_item), update_form(narrative="x" * 10_000))
    assert len(council_item.updates.get().narrative) == 10_000


def test_over_long_review_comment_is_refused(reviewer_client, council_submitted):
    page = refused(reviewer_client, reverse("workflow:review-update", args=[council_submitted.pk]),
                   {"decision": "return", "comment": "x" * 5_001, "version": council_submitted.version})
    assert "The comment must be 5,000 characters or fewer" in page


def test_over_long_assurance_is_refused(reviewer_client, implemented_item):
    page = refused(reviewer_client, reverse("workflow:assure", args=[implemented_item.reference]),
                   assure_form(implemented_item, narrative="x" * 1_000_000))
    assert "The description must be 10,000 characters or fewer" in page


def test_over_long_lead_role_in_a_seed_file_is_refused(tmp_path, seeded):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    jay = seeds / "jay.yaml"
    old = "lead_role: Strategic Director of Children and Young People's Services"
    jay.write_text(jay.read_text().replace(old, "lead_role: " + "x" * 201, 1))
    before = snapshot()
    with pytest.raises(SeedError) as raised:
        load_sources(seeds)
    assert any("jay.yaml" in problem and "'lead_role' is longer than 200 characters" in problem
               for problem in raised.value.problems)
    assert snapshot() == before


# --- Dates -------------------------------------------------------------------

# Far enough ahead to stay in the future if the run goes past midnight.
NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=30)


@pytest.mark.parametrize("value, message", [
    (("30", "2", "2015"), "New target date must be a real date"),
    (("not", "a", "date"), "New target date must be a real date"),
    (("1", "1", "99999"), "Year must include 4 numbers"),
    (("1", "13", "2015"), "New target date must be a real date"),
    (("14", "10", "1066"), "New target date must be in 2000 or later"),
    (("1", "1", "2100"), "New target date must be before 2100"),
])
def test_impossible_target_dates_are_refused(officer_client, council_item, value, message):
    page = refused(officer_client, new_update_url(council_item),
                   update_form(proposed_target_date=value, target_date_reason="Moved"))
    assert message in page


@pytest.mark.parametrize("value, message", [
    (("30", "2", "2015"), "Date of the document must be a real date"),
    (("x", "1", "2015"), "Date of the document must be a real date"),
    (("1", "1", "99999"), "Year must include 4 numbers"),
    (("14", "10", "1066"), "Date of the document must be in 2000 or later"),
    (NEXT_MONTH, "Date of the document must be today or in the past"),
])
def test_impossible_evidence_dates_are_refused(officer_client, council_item, value, message):
    page = refused(officer_client, new_update_url(council_item), with_evidence(date=value))
    assert f"Evidence link 1: {message}" in page


# --- Unknown choices ---------------------------------------------------------

@pytest.mark.parametrize("status", ["assured", "closed", "<script>alert(1)</script>", ""])
def test_unknown_or_reviewer_only_status_is_refused(officer_client, council_item, status):
    page = refused(officer_client, new_update_url(council_item), update_form(proposed_status=status))
    assert "Choose a status from the list" in page or (status == "" and "Choose the status" in page)
    assert "<script>alert(1)" not in page


def test_unknown_rag_rating_is_refused(officer_client, council_item):
    page = refused(officer_client, new_update_url(council_item), update_form(proposed_rag="purple"))
    assert "Choose a RAG rating from the list" in page


@pytest.mark.parametrize("decision", ["delete", "assure", "<b>approve</b>"])
def test_unknown_review_decision_is_refused(reviewer_client, council_submitted, decision):
    page = refused(reviewer_client, reverse("workflow:review-update", args=[council_submitted.pk]),
                   {"decision": decision, "comment": "x", "version": council_submitted.version})
    assert "Choose whether to approve the update or return it" in page
    assert "<b>approve" not in page


def test_assuring_an_item_that_is_not_implemented_is_refused(reviewer_client, council_item):
    page = refused(reviewer_client, reverse("workflow:assure", args=[council_item.reference]),
                   assure_form(council_item, narrative="Forged closure"))
    assert "Only an implemented item can be assured and closed" in page


# --- Tampered hidden fields --------------------------------------------------

FORGED_VERSIONS = ["abc", "-1", "0", "1.5", "99999999999999999999", ""]


@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_forged_version_on_edit_is_refused(officer_client, council_draft, version):
    page = refused(officer_client, reverse("workflow:update-edit", args=[council_draft.pk]),
                   update_form(version=version, narrative="Forged"))
    assert PAGE_TAMPERED in page


@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_forged_version_on_submit_is_refused(officer_client, council_draft, version):
    page = refused(officer_client, reverse("workflow:update-submit", args=[council_draft.pk]), {"version": version})
    assert PAGE_TAMPERED in page


@pytest.mark.parametrize("version", FORGED_VERSIONS)
def test_forged_version_on_review_is_refused(reviewer_client, council_submitted, version):
    page = refused(reviewer_client, reverse("workflow:review-update", args=[council_submitted.pk]),
                   {"decision": "approve", "version": version})
    assert PAGE_TAMPERED in page


def test_an_older_version_on_submit_is_a_conflict(officer_client, council_draft):
    # (Editing with an older version: tests/test_workflow_views.py.)
    page = refused(officer_client, reverse("workflow:update-submit", args=[council_draft.pk]),
                   {"version": council_draft.version + 5}, status=409)
    assert "Someone else changed this update" in page


def test_an_older_version_on_review_is_a_conflict(reviewer_client, council_submitted):
    page = refused(reviewer_client, reverse("workflow:review-update", args=[council_submitted.pk]),
                   {"decision": "approve", "version": council_submitted.version - 1}, status=409)
    assert "Someone else changed this update" in page


@pytest.mark.parametrize("total, message", [
    ("1000", "You can add up to 20 evidence links at a time"),
    ("99999999999999999999", "You can add up to 20 evidence links at a time"),
    ("-1", PAGE_TAMPERED),
    ("abc", PAGE_TAMPERED),
    (None, PAGE_TAMPERED),
])
def test_forged_evidence_row_count_is_refused(officer_client, council_item, total, message):
    data = with_evidence(**{"evidence-TOTAL_FORMS": total})
    if total is None:
        del data["evidence-TOTAL_FORMS"]
    page = refused(officer_client, new_update_url(council_item), data)
    assert message in page


@pytest.fixture
def police_update_and_council_link(police_officer, council_officer, council_item):
    police_update = draft(police_officer, Item.objects.get(reference="JAY-04"), evidence=[EVIDENCE])
    council_update = draft(council_officer, council_item, evidence=[EVIDENCE])
    return police_update, council_update.evidence.get()


@pytest.mark.parametrize("forged", ["council", "999999", "abc"])
def test_removing_evidence_of_another_update_is_refused(client, police_officer, police_update_and_council_link,
                                                          forged):
    police_update, council_link = police_update_and_council_link
    client.force_login(police_officer)
    page = refused(client, reverse("workflow:update-edit", args=[police_update.pk]), update_form(
        version=police_update.version, remove_evidence=[council_link.pk if forged == "council" else forged],
    ))
    assert "Only evidence links on this update can be removed" in page
    assert EvidenceLink.objects.filter(pk=council_link.pk).exists()


# --- Other organisations' items and updates -----------------------------------
# Every forbidden URL for every role is in tests/test_workflow_views.py
# (test_a_forbidden_post_changes_nothing); these add forged bodies.

def test_police_officer_cannot_touch_council_work_through_any_url(client, police_officer, council_officer,
                                                                   council_item, reviewer):
    council_update = draft(council_officer, council_item, evidence=[EVIDENCE])
    link = council_update.evidence.get()
    client.force_login(police_officer)
    posts = [
        (new_update_url(council_item), with_evidence(narrative="Forged")),
        (reverse("workflow:update-edit", args=[council_update.pk]),
         update_form(version=council_update.version, narrative="Forged", remove_evidence=[link.pk])),
        (reverse("workflow:update-submit", args=[council_update.pk]), {"version": council_update.version}),
        (reverse("workflow:review-update", args=[council_update.pk]),
         {"decision": "approve", "version": council_update.version}),
        (reverse("workflow:assure", args=[council_item.reference]), {"narrative": "Forged"}),
    ]
    for url, data in posts:
        before = snapshot()
        assert client.post(url, data).status_code == 404, url
        assert snapshot() == before, url
