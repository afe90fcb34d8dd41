"""The improvement board in the open (issue 23, point 3): who the board is, when it met, what it
decided at each meeting (from the publication log), items linking to the meeting of each decision,
and a meeting's pack published as its public record, frozen and holding nothing unpublished.

The hand-made history: the board meets on DAY (ten days ago). That day it approves a council update
(JAY-03), assures an implemented item (JAY-02), reopens it, and corrects another (JAY-06); the day
before it approved an update on JAY-11, which is no decision of that meeting. Each step runs through
the workflow service on its own day (the demo's clock), so the publication log is honest and checks.
"""
import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommendations import policies, roles, versions
from recommendations.models import BoardMeeting, BoardMember, Item, Organisation, PublicationLogEntry, PublicVersion
from recommendations.public import board
from recommendations.services import board_meetings, feedback, publication_log, workflow
from recommendations.services.demo import _clock
from tests.helpers import make_user
from tests.workflow_helpers import EVIDENCE, approved, days_ahead, reopen, submitted

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = TODAY - datetime.timedelta(days=10)
DAY_BEFORE = DAY - datetime.timedelta(days=1)
RETURN_COMMENT = "zqboardreturncommentzq"
SUBMITTED = "zqboardsubmittednarrativezq"
DRAFT = "zqboarddraftnarrativezq"


def at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def history(council_officer, reviewer):
    """The board's decisions of DAY and of the day before (see the module's docstring)."""
    items = {reference: Item.objects.get(reference=reference) for reference in ("JAY-02", "JAY-03", "JAY-06",
                                                                                "JAY-11")}
    with _clock(at(DAY_BEFORE)):
        approved(council_officer, reviewer, items["JAY-11"], narrative="The day before's update.")
    with _clock(at(DAY, 10)):
        approved(council_officer, reviewer, items["JAY-03"], narrative="Approved at the meeting.")
    with _clock(at(DAY, 11)):
        approved(council_officer, reviewer, items["JAY-02"], proposed_status="implemented", evidence=[EVIDENCE])
    with _clock(at(DAY, 12)):
        item = Item.objects.get(reference="JAY-02")
        workflow.assure(reviewer, item, "The board saw the audit.", strength="audited",
                        checked=[link.pk for link in workflow.published_evidence(item)])
    with _clock(at(DAY, 13)):
        reopen(reviewer, Item.objects.get(reference="JAY-02"), target_date=days_ahead(200))
    with _clock(at(DAY, 14)):
        workflow.correct(reviewer, items["JAY-06"], "The status was entered wrongly.", status="in_progress",
                         rag="amber")
    return items


@pytest.fixture
def meeting(seeded):
    return BoardMeeting.objects.create(date=DAY, title="Quarterly meeting", location="Riverside House",
                                       notes="The board met in public.")


@pytest.fixture
def members(seeded):
    BoardMember.objects.create(name="Chair Person", role="Independent chair", organisation="Independent", order=1,
                               serving_from=TODAY - datetime.timedelta(days=400))
    BoardMember.objects.create(name="Former Member", role="Member", organisation="Police",
                               serving_from=TODAY - datetime.timedelta(days=400),
                               serving_until=TODAY - datetime.timedelta(days=30))


@pytest.fixture
def unpublished(council_officer, reviewer):
    """A returned update with a comment, one waiting for review and a draft: in the board's own pack,
    never in the public one."""
    returned = submitted(council_officer, Item.objects.get(reference="JAY-07"), narrative="Sent back.")
    workflow.return_update(reviewer, returned, returned.version, RETURN_COMMENT)
    submitted(council_officer, Item.objects.get(reference="JAY-13"), narrative=SUBMITTED)
    workflow.save_draft(council_officer, Item.objects.get(reference="JAY-14"), narrative=DRAFT,
                        proposed_status="in_progress")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- The board page -------------------------------------------------------------------


def test_the_board_page_names_the_members_and_roles_and_lists_the_meetings(client, members, meeting):
    body = page(client, reverse("public:board"))
    assert "Chair Person" in body and "Independent chair" in body
    # A member who has left is listed apart, with their last day.
    assert body.index("Former members") < body.index("Former Member")
    assert reverse("public:board-meeting", args=[DAY.isoformat()]) in body
    assert "Quarterly meeting" in body and "Riverside House" in body


def test_a_member_not_yet_serving_is_not_listed(client, seeded):
    BoardMember.objects.create(name="Future Member", role="Member", serving_from=TODAY + datetime.timedelta(days=5))
    assert "Future Member" not in page(client, reverse("public:board"))


def test_changing_a_member_refreshes_the_cached_board_page(client, members):
    before = PublicVersion.current()
    assert "Chair Person" in page(client, reverse("public:board"))
    BoardMember.objects.filter(name="Chair Person").get().delete()
    assert PublicVersion.current() != before
    assert "Chair Person" not in page(client, reverse("public:board"))


# --- A meeting's decisions ------------------------------------------------------------


def test_a_meeting_lists_the_decisions_published_that_day_each_linked_to_its_item(client, history, meeting):
    decisions = board.decisions_on(DAY)
    assert [(decision.item_reference, decision.label) for decision in decisions] == [
        ("JAY-03", "Progress update approved and published"),
        ("JAY-02", "Progress update approved and published"),
        ("JAY-02", "Assured and closed"),
        ("JAY-02", "Reopened"),
        ("JAY-06", "Corrected"),
    ]
    body = page(client, reverse("public:board-meeting", args=[DAY.isoformat()]))
    for reference in ("JAY-02", "JAY-03", "JAY-06"):
        assert f'href="{reverse("public:item-detail", args=[reference])}"' in body
    assert "5 decisions published that day" in body
    # The day before's approval was no decision of this meeting.
    assert reverse("public:item-detail", args=["JAY-11"]) not in body
    assert "The board met in public." in body
    assert publication_log.check() == []


def test_a_closure_and_a_published_response_to_feedback_are_decisions_of_the_meeting(client, history, meeting,
                                                                                     reviewer):
    with _clock(at(DAY, 15)):
        workflow.close(reviewer, Item.objects.get(reference="JAY-12"), "Dropped: the service was withdrawn.",
                       Item.Status.CLOSED_NOT_IMPLEMENTED)
    with _clock(at(DAY, 16)):
        received = feedback.receive("JAY-05", "The meetings have stopped.", "", "198.51.100.7")
        feedback.publish(reviewer, received, received.version, "The meetings had stopped.", "We restarted them.")
    decisions = [(decision.item_reference, decision.label) for decision in board.decisions_on(DAY)]
    assert decisions[-2:] == [("JAY-12", "Closed without being implemented"),
                              ("JAY-05", "Answered the public's feedback (you said, we did)")]
    body = page(client, reverse("public:board-meeting", args=[DAY.isoformat()]))
    for reference in ("JAY-12", "JAY-05"):
        assert f'href="{reverse("public:item-detail", args=[reference])}"' in body
    assert "7 decisions published that day" in body
    assert publication_log.check() == []


def test_every_board_decision_kind_reads_on_a_meeting_page():
    """The one list of which log entries are the board's decisions: every kind it names is a kind."""
    assert set(board.log.BOARD_DECISIONS) <= set(PublicationLogEntry.Kind)
    assert PublicationLogEntry.Kind.ADDED not in board.log.BOARD_DECISIONS


def test_no_meeting_that_day_is_not_found(client, history):
    assert client.get(reverse("public:board-meeting", args=[DAY.isoformat()])).status_code == 404
    assert client.get(reverse("public:board-meeting", args=["2015-02-30"])).status_code == 404
    assert client.get(reverse("public:board-meeting", args=["not-a-day"])).status_code == 404


def test_an_items_page_links_each_decision_to_the_meeting_that_made_it(client, history, meeting):
    meeting_url = reverse("public:board-meeting", args=[DAY.isoformat()])
    body = page(client, reverse("public:item-detail", args=["JAY-02"]))
    assert body.count(f'href="{meeting_url}"') == 3  # approved, assured, reopened
    assert "Decided at the" in body and "Approved at the" in body
    # The board did not meet the day before: that approval links to no meeting.
    assert meeting_url not in page(client, reverse("public:item-detail", args=["JAY-11"]))


# --- Publishing the pack --------------------------------------------------------------


def publish_url(day=DAY):
    return reverse("workflow:publish-meeting-pack", args=[day.isoformat()])


def test_a_reviewer_publishes_the_pack_as_the_meetings_public_record(client, history, meeting, reviewer):
    client.force_login(reviewer)
    preview = page(client, publish_url())
    assert "JAY-03" in preview and "Publish the meeting pack" in preview
    version = PublicVersion.current()
    response = client.post(publish_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("public:board-meeting-pack", args=[DAY.isoformat()])
    meeting.refresh_from_db()
    assert meeting.pack_published and meeting.pack_published_by == reviewer
    entry = meeting.pack_entry
    assert entry.kind == PublicationLogEntry.Kind.MEETING_PACK and entry.by == "Decision of the improvement board"
    assert json.loads(entry.content)["meeting"]["date"] == DAY.isoformat()
    assert PublicVersion.current() != version
    assert publication_log.check() == []
    # Its reason is kept in the meeting's history.
    assert meeting.history.first().history_change_reason == board_meetings.REASON

    client.logout()
    body = page(client, reverse("public:board-meeting-pack", args=[DAY.isoformat()]))
    assert f"entry {entry.pk} of the publication log" in body
    for reference in ("JAY-02", "JAY-03", "JAY-06", "JAY-11"):
        assert reverse("public:item-detail", args=[reference]) in body  # JAY-11: published since the last meeting
    assert reverse("public:board-meeting-pack", args=[DAY.isoformat()]) in page(
        client, reverse("public:board-meeting", args=[DAY.isoformat()]))


def test_a_pack_is_published_once(client, history, meeting, reviewer, second_reviewer):
    board_meetings.publish_pack(reviewer, meeting)
    with pytest.raises(board_meetings.PackNotPublished):
        board_meetings.publish_pack(second_reviewer, BoardMeeting.objects.get(pk=meeting.pk))
    client.force_login(second_reviewer)
    assert client.post(publish_url()).status_code == 302
    assert PublicationLogEntry.objects.filter(kind=PublicationLogEntry.Kind.MEETING_PACK).count() == 1


def test_a_meeting_not_yet_held_has_no_pack_to_publish(client, seeded, reviewer):
    later = BoardMeeting.objects.create(date=TODAY + datetime.timedelta(days=7))
    with pytest.raises(board_meetings.PackNotPublished):
        board_meetings.publish_pack(reviewer, later)
    client.force_login(reviewer)
    assert "has not happened yet" in page(client, publish_url(later.date))
    later.refresh_from_db()
    assert not later.pack_published


def test_the_published_pack_is_frozen(client, history, meeting, reviewer):
    board_meetings.publish_pack(reviewer, meeting)
    item = Item.objects.get(reference="JAY-11")
    old_title = item.title
    item.title = "A title given after the pack was published"
    item.save()
    body = page(client, reverse("public:board-meeting-pack", args=[DAY.isoformat()]))
    assert old_title in body and "A title given after the pack was published" not in body


def test_the_published_pack_holds_nothing_unpublished(client, history, unpublished, meeting, reviewer):
    # The board's own pack has the return and the update waiting for review; the public one has not.
    meeting.date = TODAY
    meeting.save()
    board_meetings.publish_pack(reviewer, meeting)
    entry = BoardMeeting.objects.get(pk=meeting.pk).pack_entry
    for url in (reverse("public:board-meeting-pack", args=[TODAY.isoformat()]),
                reverse("public:board-meeting", args=[TODAY.isoformat()]), reverse("public:board")):
        body = page(client, url)
        for hidden in (RETURN_COMMENT, SUBMITTED, DRAFT, "Sent back.", reviewer.username, "council-officer",
                       "@example.org"):
            assert hidden not in body, (hidden, url)
    for hidden in (RETURN_COMMENT, SUBMITTED, DRAFT, "Sent back.", reviewer.username):
        assert hidden not in entry.content
    assert "JAY-07" not in entry.content and "JAY-13" not in entry.content  # returned, waiting for review


# --- Who may publish ------------------------------------------------------------------


@pytest.mark.parametrize("who, expected", [
    ("anonymous", 302), ("council_officer", 403), ("administrator", 403), ("reviewer", 302),
    ("officer_and_reviewer", 302),
])
def test_only_the_boards_reviewers_publish_a_pack(client, meeting, who, expected, request):
    if who == "officer_and_reviewer":
        # Two roles: the pack decides nobody's own work, so the duties allow it.
        user = make_user("two-roles", roles.OFFICERS, Organisation.objects.get(slug="rmbc-cyps"))
        user.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    else:
        user = None if who == "anonymous" else request.getfixturevalue(who)
    if user:
        client.force_login(user)
    response = client.post(publish_url())
    assert response.status_code == expected
    meeting.refresh_from_db()
    published = who in ("reviewer", "officer_and_reviewer")
    assert meeting.pack_published == published
    if who == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_the_service_refuses_an_officer_too(meeting, council_officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        board_meetings.publish_pack(council_officer, meeting)
    assert not BoardMeeting.objects.get(pk=meeting.pk).pack_published


def test_the_meetings_policy_agrees_with_its_list(meeting, reviewer, council_officer, administrator):
    for user in (reviewer, council_officer, administrator):
        may = policies.meetings.may(user, "publish_meeting_pack", meeting)
        assert may == policies.meetings.visible_to(user).filter(pk=meeting.pk).exists()
    assert policies.may(reviewer, "publish_meeting_pack") and not policies.may(administrator, "publish_meeting_pack")


def test_the_reviewers_meetings_list_offers_to_publish(client, meeting, reviewer):
    client.force_login(reviewer)
    body = page(client, reverse("workflow:meetings"))
    assert publish_url() in body


# --- The admin ------------------------------------------------------------------------


def test_the_admin_needs_a_reason_for_a_member_and_keeps_it(client, administrator):
    client.force_login(administrator)
    url = reverse("admin:recommendations_boardmember_add")
    fields = {"name": "New Member", "role": "Member", "organisation": "", "order": "3", "serving_from": "",
              "serving_until": ""}
    response = client.post(url, {**fields, "change_reason": ""})
    assert response.status_code == 200 and not BoardMember.objects.filter(name="New Member").exists()
    assert client.post(url, {**fields, "change_reason": "Appointed by the council."}).status_code == 302
    member = BoardMember.objects.get(name="New Member")
    assert member.history.first().history_change_reason == "Appointed by the council."


# --- Queries --------------------------------------------------------------------------


def anonymous_queries():
    client = Client()
    counts = {}
    for name, url in {"board": reverse("public:board"),
                      "meeting": reverse("public:board-meeting", args=[DAY.isoformat()]),
                      "pack": reverse("public:board-meeting-pack", args=[DAY.isoformat()])}.items():
        versions.changed()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        counts[name] = len(captured)
    return counts


def test_the_board_pages_run_a_fixed_number_of_queries(history, meeting, members, reviewer):
    board_meetings.publish_pack(reviewer, meeting)
    small = anonymous_queries()
    for number in range(30):
        BoardMember.objects.create(name=f"Member {number}", role="Member")
        BoardMeeting.objects.create(date=DAY - datetime.timedelta(days=20 + number))
    assert anonymous_queries() == small
    # A visitor's first page after a change reads the version and the time of the latest change, then:
    # the members and the meetings; the meeting and its decisions (one log query); the meeting with its pack.
    assert small == {"board": 4, "meeting": 4, "pack": 3}
