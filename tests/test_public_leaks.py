"""
Nothing unpublished reaches a public page, download or feed.

Every kind of unpublished content is created through the real workflow, each
carrying a distinctive marker; then every public URL is fetched and searched
for every marker.
"""
import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from recommendations import roles
from recommendations.models import BoardMeeting, EvidenceLink, Item, Organisation
from recommendations.services import board_meetings, feedback, indicators, workflow
from tests.helpers import make_user
from tests.indicator_helpers import draft_value
from tests.public_urls import every_public_url, readable_text
from tests.workflow_helpers import edit

MARKERS = []


def marker(name):
    text = f"zqleak{name}zq"
    MARKERS.append(text)
    return text


def evidence(state):
    return workflow.EvidenceInput(
        title=marker(f"{state}evidencetitle"),
        url=f"https://example.org/{marker(f'{state}evidenceurl')}.pdf",
        date=datetime.date(2015, 3, 1),
    )


def write(officer, item, state, **extra):
    return workflow.save_draft(
        officer, item,
        narrative=marker(f"{state}narrative"),
        proposed_status=Item.Status.IN_PROGRESS,
        proposed_rag=Item.Rag.RED,
        proposed_target_date=datetime.date(2031, 1, 31),
        target_date_reason=marker(f"{state}reason"),
        evidence=[evidence(state)],
        **extra,
    )


@pytest.fixture
def unpublished_content(demo_progress):
    MARKERS.clear()
    council = Organisation.objects.get(slug="rmbc-cyps")
    officer = make_user(
        marker("officerusername"), roles.OFFICERS, council,
        first_name=marker("officerfirst"), last_name=marker("officerlast"),
    )
    officer.email = f"{marker('officeremail')}@example.org"
    officer.save()
    reviewer = make_user(
        marker("reviewerusername"), roles.REVIEWERS,
        first_name=marker("reviewerfirst"), last_name=marker("reviewerlast"),
    )
    reviewer.email = f"{marker('revieweremail')}@example.org"
    reviewer.save()
    item = Item.objects.get(reference="JAY-03")
    # An organisation has one open update per item, so each state is on an item of its own.
    other_items = {state: Item.objects.get(reference=reference)
                   for state, reference in (("submitted", "JAY-07"), ("returned", "JAY-11"))}

    # A published update is public, but not who wrote or approved it, nor the review comment.
    published = workflow.save_draft(
        officer, item, narrative="Published progress on joint case meetings.", proposed_status="in_progress",
    )
    workflow.submit(officer, published, published.version)
    workflow.approve(reviewer, published, published.version, comment=marker("approvalcomment"))

    write(officer, item, "draft")

    submitted = write(officer, other_items["submitted"], "submitted")
    workflow.submit(officer, submitted, submitted.version)

    returned = write(officer, other_items["returned"], "returned")
    workflow.submit(officer, returned, returned.version)
    workflow.return_update(reviewer, returned, returned.version, marker("returncomment"))

    # A returned update that the officer is reworking: its new evidence is not public either.
    returned.refresh_from_db()
    edit(officer, returned, evidence=[evidence("rework")])

    # The board's closures (not implemented; superseded by another item): the decision and its
    # reasons are public, but not who made it, nor a draft left on the item when it was closed.
    dropped, replaced = (Item.objects.get(reference=reference) for reference in ("JAY-12", "JAY-06"))
    write(officer, dropped, "closeddraft")
    workflow.close(reviewer, dropped, "Dropped: the service it concerned was withdrawn.",
                   Item.Status.CLOSED_NOT_IMPLEMENTED)
    workflow.close(reviewer, replaced, "Folded into JAY-04.", Item.Status.SUPERSEDED,
                   superseded_by=Item.objects.get(reference="JAY-04"))
    # The public's feedback in every state: only a published response's summary and response are public,
    # never the sender's words or address, nor a private reply.
    plant_feedback(reviewer)
    # Outcome indicator values: one published (not its review comment), and one in each unpublished state.
    def value(state, period, number):
        return draft_value(officer, period=period, value=number, note=marker(f"{state}valuenote"),
                           evidence_url=f"https://example.org/{marker(f'{state}valueurl')}.pdf")
    shown = draft_value(officer, period=(2025, 1), value="50")
    indicators.submit_value(officer, shown, shown.version)
    indicators.approve_value(reviewer, shown, shown.version, comment=marker("valueapprovalcomment"))
    value("draft", (2025, 2), "4242.17")
    submitted_value = value("submitted", (2025, 3), "4343.17")
    indicators.submit_value(officer, submitted_value, submitted_value.version)
    returned_value = value("returned", (2025, 4), "4444.17")
    indicators.submit_value(officer, returned_value, returned_value.version)
    indicators.return_value(reviewer, returned_value, returned_value.version, marker("valuereturncomment"))
    MARKERS.extend(["4242.17", "4343.17", "4444.17"])
    # A meeting today whose pack the board publishes now, with all of the above in the board's own pack
    # (returned, waiting for review, a draft): the public pack, frozen, holds none of it.
    meeting = BoardMeeting.objects.create(date=timezone.localdate(), title="Meeting with everything unpublished")
    board_meetings.publish_pack(reviewer, meeting)
    return item


def plant_feedback(reviewer):
    def sent(state, address):
        return feedback.receive("JAY-03", marker(f"feedback{state}text"), f"{marker(f'feedback{state}email')}@example.net",
                                address)

    sent("waiting", "198.51.100.1")
    replied = sent("replied", "198.51.100.2")
    feedback.reply(reviewer, replied, replied.version, marker("feedbackreply"))
    not_relevant = sent("notrelevant", "198.51.100.3")
    feedback.mark_not_relevant(reviewer, not_relevant, not_relevant.version)
    concern = sent("safeguarding", "198.51.100.4")
    with override_settings(TRACKER_SAFEGUARDING_EMAIL="safeguarding@rotherham.gov.uk"):
        feedback.mark_safeguarding(reviewer, concern, concern.version)
    published = sent("published", "198.51.100.5")
    feedback.publish(reviewer, published, published.version, "Published summary of what was said.",
                     "Published response of the board.")
    published_later = sent("replythenpublish", "198.51.100.6")
    feedback.reply(reviewer, published_later, published_later.version, marker("feedbacklaterreply"))
    feedback.publish(reviewer, published_later, published_later.version, "Another published summary.",
                     "Another published response.")


@pytest.mark.django_db
def test_no_unpublished_content_on_any_public_url(unpublished_content, client):
    urls = every_public_url()
    assert len(urls) > 60
    assert len(MARKERS) > 15
    leaks = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = readable_text(response).lower()
        leaks.extend(f"{marker} on {url}" for marker in MARKERS if marker in body)
    assert not leaks, leaks


@pytest.mark.django_db
def test_the_leak_test_can_see_published_content(unpublished_content, client):
    """The same requests do show published content, so the test above is looking in the right place."""
    response = client.get(unpublished_content.get_absolute_url())
    assert b"Published progress on joint case meetings." in response.content
    assert "Published progress on joint case meetings." in client.get("/updates.json").content.decode()
    # And the board's closures, with their reasons and what replaced an item.
    assert "Dropped: the service it concerned was withdrawn." in client.get("/items/JAY-12/").content.decode()
    superseded = client.get("/items/JAY-06/").content.decode()
    assert "Folded into JAY-04." in superseded and 'href="/items/JAY-04/"' in superseded
    assert "Closed as superseded" in client.get("/items/?status=superseded").content.decode()
    # The source's progress report and its OpenDocument download quote it too (the latest update on JAY-03).
    for url in ("/sources/JAY/report/", "/sources/JAY/report.odt"):
        assert "Published progress on joint case meetings." in readable_text(client.get(url)), url
    # The board's published responses to feedback are shown where the crawl looks.
    assert b"Published response of the board." in response.content
    assert b"Another published summary." in client.get("/items/JAY-03/feed/").content
    assert "Published summary of what was said." in client.get("/publication-log.json").content.decode()
    # The published indicator value too (its note, from tests/indicator_helpers.py).
    assert b"From the monthly report." in client.get("/items/OFSTED-F9/").content
    assert "From the monthly report." in client.get("/indicator-values.csv").content.decode()


@pytest.mark.django_db
def test_demo_submitted_returned_and_draft_updates_stay_private(demo_progress, client):
    hidden = [
        "Placements out of the area are now reviewed monthly",  # submitted
        "Agreement with neighbouring councils",  # its target date reason
        "Cross-team CSE case meetings now happen weekly",  # returned
        "Please add evidence that the meetings change case outcomes",  # review comment
        "Case meeting schedule",  # returned update's evidence
        "First quarterly audit of CSE cases",  # draft
        "demo-council-officer", "demo-police-officer", "demo-reviewer", "@example.org",
    ]
    for url in every_public_url():
        body = readable_text(client.get(url))
        for text in hidden:
            assert text not in body, f"{text!r} on {url}"


@pytest.mark.django_db
def test_unpublished_updates_do_not_change_the_public_item(unpublished_content, client):
    """Only an approved update moves the item; the unpublished target date is not shown."""
    for reference in ("JAY-03", "JAY-07", "JAY-11", "JAY-12"):
        assert "31 January 2031" not in client.get(f"/items/{reference}/").content.decode(), reference
    assert EvidenceLink.objects.filter(title__startswith="zqleak").count() == 5
