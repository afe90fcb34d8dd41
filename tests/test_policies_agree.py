"""
Each policy's two answers agree: "may this user do this to this object?" and
"which objects may this user see?" (recommendations/policies.py).

Asked of every demo account, plus the accounts the demo does not have (anonymous,
a superuser in no group, a staff account in no group, an organisation's account in
no group, a person who is both an officer and a reviewer, a deactivated officer),
for every item and every update of the demo data.
"""
import pytest
from django.contrib.auth.models import AnonymousUser, Group

from recommendations import policies, roles
from recommendations.models import BoardMeeting, Feedback, Indicator, IndicatorValue, Item, Organisation, ProgressUpdate, User
from recommendations.services import feedback
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(demo_progress):
    council = Organisation.objects.get(slug="rmbc-cyps")
    two_roles = make_user("officer-and-reviewer", roles.OFFICERS, council)
    two_roles.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    people = {user.username: user for user in User.objects.filter(username__startswith="demo-")}
    assert set(people) == {"demo-admin", "demo-council-officer", "demo-police-officer", "demo-reviewer"}
    people.update({
        "anonymous": AnonymousUser(),
        "superuser-in-no-group": User.objects.create_superuser("superuser", "superuser@example.org", "x" * 20),
        "staff-in-no-group": User.objects.create_user("staff", "staff@example.org", "x" * 20, is_staff=True),
        "organisation-in-no-group": User.objects.create_user("no-group", organisation=council),
        "officer-and-reviewer": two_roles,
        "deactivated-officer": make_user("deactivated", roles.OFFICERS, council, is_active=False),
    })
    return people


def item_disagreements(policy, people, items):
    """(who, item, action) wherever may() and visible_to() part company."""
    found = []
    for who, user in people.items():
        visible = set(policy.visible_to(user).values_list("pk", flat=True))
        for item in items:
            if policy.may(user, "view_workspace", item) != (item.pk in visible):
                found.append((who, item.reference, "view_workspace"))
            # Whatever one may do to an item, one may see it.
            for action in ("write_update", "assure_item", "close_item"):
                if policy.may(user, action, item) and item.pk not in visible:
                    found.append((who, item.reference, action))
    return found


def test_may_view_an_items_workspace_exactly_when_it_is_visible(everyone):
    items = list(Item.objects.select_related("owner"))
    assert item_disagreements(policies.items, everyone, items) == []


def test_the_item_check_can_fail(everyone):
    """A policy whose list forgets the board is caught."""
    class Forgetful(policies.ItemPolicy):
        def visible_to(self, user):
            return self.worked_on_by(user)

    items = list(Item.objects.filter(reference__in=["JAY-03", "JAY-10"]))
    assert ("demo-reviewer", "JAY-03", "view_workspace") in item_disagreements(Forgetful(), everyone, items)


def test_may_view_an_update_exactly_when_its_item_lists_it(everyone):
    updates = list(ProgressUpdate.objects.select_related("item"))
    assert {update.state for update in updates} >= {
        ProgressUpdate.State.DRAFT, ProgressUpdate.State.SUBMITTED, ProgressUpdate.State.APPROVED,
        ProgressUpdate.State.RETURNED,
    }
    items = {update.item for update in updates}
    found = []
    for who, user in everyone.items():
        listed = set()
        for item in items:
            listed.update(policies.updates.visible_to(user, item).values_list("pk", flat=True))
        for update in updates:
            if policies.updates.may(user, "view_update", update) != (update.pk in listed):
                found.append((who, update.pk, update.state, "view_update"))
            # Whoever may change or decide an update may read it.
            for action in ("edit_update", "decide_update"):
                if policies.updates.may(user, action, update) and update.pk not in listed:
                    found.append((who, update.pk, update.state, action))
    assert found == []


def test_dashboards_count_exactly_the_items_their_reader_may_open(everyone):
    scopes = {}
    for who, user in everyone.items():
        counted = set(policies.dashboards.items_counted_for(user).values_list("pk", flat=True))
        assert counted == set(policies.items.visible_to(user).values_list("pk", flat=True)), who
        if policies.dashboards.may(user, "view_board"):
            assert counted == set(Item.objects.values_list("pk", flat=True)), who
        if not policies.dashboards.may(user, "view_own_dashboard"):
            assert counted == set(), who
            assert policies.dashboards.scope(user) == "nobody", who
        # One scope, one set of figures: the kept figures are shared by scope.
        assert scopes.setdefault(policies.dashboards.scope(user), counted) == counted, who


def test_may_moderate_feedback_exactly_when_it_is_listed(everyone, settings):
    """The public's feedback in every state: the queue lists what may be read and decided, the
    safeguarding list what has been passed on; a concern is in one list only, never both."""
    settings.TRACKER_SAFEGUARDING_EMAIL = "safeguarding@rotherham.gov.uk"
    reviewer = everyone["demo-reviewer"]
    pieces = [feedback.receive("JAY-04", f"Feedback {n}", f"reader{n}@example.net", f"198.51.100.{n}")
              for n in range(4)]
    feedback.reply(reviewer, pieces[1], pieces[1].version, "A reply")
    feedback.mark_not_relevant(reviewer, pieces[2], pieces[2].version)
    feedback.mark_safeguarding(reviewer, pieces[3], pieces[3].version)
    pieces = list(Feedback.objects.all())
    assert {piece.state for piece in pieces} == {"new", "replied", "not_relevant", "safeguarding"}
    found = []
    for who, user in everyone.items():
        listed = set(policies.feedback.visible_to(user).values_list("pk", flat=True))
        referred = set(policies.feedback.safeguarding_visible_to(user).values_list("pk", flat=True))
        assert not listed & referred, who
        for piece in pieces:
            if policies.feedback.may(user, "moderate_feedback", piece) != (piece.pk in listed):
                found.append((who, piece.state, "moderate_feedback"))
            if policies.feedback.may(user, "view_safeguarding_referral", piece) != (piece.pk in referred):
                found.append((who, piece.state, "view_safeguarding_referral"))
    assert found == []
    readers = {who for who, user in everyone.items() if policies.feedback.visible_to(user).exists()}
    assert readers == {"demo-reviewer", "officer-and-reviewer"}


def test_the_roles_answer_as_the_access_matrix_expects(everyone):
    """The extra accounts: a superuser is an administrator, a staff account in no group is nobody."""
    board = {who for who, user in everyone.items() if policies.dashboards.may(user, "view_board")}
    assert board == {"demo-admin", "demo-reviewer", "superuser-in-no-group", "officer-and-reviewer"}
    officers = {who for who, user in everyone.items() if policies.items.may(user, "view_my_items")}
    assert officers == {"demo-council-officer", "demo-police-officer", "officer-and-reviewer"}


def test_may_publish_a_meetings_pack_exactly_when_the_meeting_is_listed(everyone):
    """Every demo meeting, every person: only reviewers (the two-role person among them) may publish."""
    meetings = list(BoardMeeting.objects.all())
    assert meetings
    found = []
    for who, user in everyone.items():
        listed = set(policies.meetings.visible_to(user).values_list("pk", flat=True))
        for meeting in meetings:
            if policies.meetings.may(user, "publish_meeting_pack", meeting) != (meeting.pk in listed):
                found.append((who, meeting.date))
    assert found == []
    allowed = {who for who, user in everyone.items() if policies.meetings.may(user, "publish_meeting_pack")}
    assert allowed == {"demo-reviewer", "officer-and-reviewer"}


def test_may_view_an_indicator_value_exactly_when_it_is_listed(everyone):
    values = list(IndicatorValue.objects.select_related("indicator"))
    assert {value.state for value in values} >= {"draft", "submitted", "approved"}
    found = []
    for who, user in everyone.items():
        listed = set(policies.indicators.values_visible_to(user).values_list("pk", flat=True))
        for value in values:
            if policies.indicators.may(user, "view_value", value) != (value.pk in listed):
                found.append((who, value.pk, "view_value"))
            for action in ("edit_value", "decide_value"):
                if policies.indicators.may(user, action, value) and value.pk not in listed:
                    found.append((who, value.pk, action))
        reportable = set(policies.indicators.reportable_by(user).values_list("pk", flat=True))
        for indicator in Indicator.objects.all():
            if policies.indicators.may(user, "report_value", indicator) and indicator.pk not in reportable:
                found.append((who, indicator.slug, "report_value"))
    assert found == []
