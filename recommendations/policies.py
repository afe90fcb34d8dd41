"""
Who may do what: the one place permissions are decided.

One policy per subject (items, updates, dashboards, the public's feedback) answers both questions a
page asks: "may this user do this to this object?" (may) and "which objects
may this user see?" (visible_to and friends). tests/test_policies_agree.py
checks that the two answers agree for every role and object in the demo data.

Views and services ask a policy before they show or change anything, so a
rule cannot be skipped by calling a URL directly; templates ask through the
`can` filter (or can() in Jinja2). Never user.has_perm for these: Django lets
a superuser pass every has_perm check, which would make an administrator an
officer of every organisation and a board reviewer at once. Here the
administrator gets only what the rules give the Administrators role.

The role predicates are django-rules predicates, so each action's rule reads
as the roles combined with & and |.
"""
import rules
from django.db.models import Q

from recommendations import roles
from recommendations.models import Action, BoardMeeting, Feedback, Indicator, IndicatorValue, Item, ProgressUpdate
from recommendations.duties import why_not_decider, why_not_value_decider


# --- Roles ----------------------------------------------------------------------


@rules.predicate
def is_officer(user):
    return user.is_authenticated and user.organisation_id is not None and _in_group(user, roles.OFFICERS)


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and _in_group(user, roles.REVIEWERS)


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or _in_group(user, roles.ADMINISTRATORS))


is_board = is_reviewer | is_administrator


def _in_group(user, name):
    # Cached per request-user so a page that checks many rules asks once.
    if not hasattr(user, "_tracker_groups"):
        user._tracker_groups = set(user.groups.values_list("name", flat=True))
    return name in user._tracker_groups


# --- What ties a user to an object ----------------------------------------------


@rules.predicate
def works_on_item(user, item):
    if item is None or not is_officer(user):
        return False
    return items.worked_on_by(user).filter(pk=item.pk).exists()


@rules.predicate
def is_task(user, item):
    """Not a judgement: a grade is given, not delivered, so nobody reports progress on it or
    decides its status (Item.is_judgement)."""
    return item is not None and not item.is_judgement


@rules.predicate
def works_on_update_item(user, update):
    return update is not None and works_on_item(user, update.item)


@rules.predicate
def is_of_update_organisation(user, update):
    """The update was written in the user's organisation: only it sees and changes
    the update before publication, even where a partner works on the same item."""
    return update is not None and user.organisation_id is not None and update.organisation_id == user.organisation_id


@rules.predicate
def is_published(user, update):
    return update is not None and update.state == ProgressUpdate.State.APPROVED


@rules.predicate
def is_safeguarding_concern(user, feedback):
    return feedback is not None and feedback.state == Feedback.State.SAFEGUARDING


@rules.predicate
def may_decide_update(user, update):
    """Separation of duties (recommendations/duties.py): the user did not work on the update, nor is it
    their own organisation's."""
    return update is not None and why_not_decider(user, update) is None


@rules.predicate
def reports_on_indicator(user, indicator):
    """The user's organisation owns one of the indicator's items: its officers report its values."""
    return indicator is not None and is_officer(user) and indicators.reportable_by(user).filter(
        pk=indicator.pk).exists()


@rules.predicate
def reports_on_value_indicator(user, value):
    return value is not None and reports_on_indicator(user, value.indicator)


@rules.predicate
def may_decide_value(user, value):
    """Separation of duties for an indicator value (duties.why_not_value_decider)."""
    return value is not None and why_not_value_decider(user, value) is None


# --- The policies -----------------------------------------------------------------


class Policy:
    """A subject's actions, each a rule over (user, object)."""

    actions = {}

    def may(self, user, action, obj=None):
        """Whether the user's role allows `action` (on `obj`)."""
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} has no action {action!r}.")
        return bool(user.is_active and self.actions[action].test(user, obj))


class ItemPolicy(Policy):
    actions = {
        # The officer's home page ("my items").
        "view_my_items": is_officer,
        # Writing progress: officers, on their organisation's items only.
        "write_update": is_officer & is_task & works_on_item,
        # Reading an item's workspace (history, drafts): its officers and the board.
        "view_workspace": works_on_item | is_board,
        # Assuring, reopening or correcting an item: improvement board members.
        "assure_item": is_reviewer & is_task,
        # Closing an item without it being implemented (not implemented, superseded): the same members.
        "close_item": is_reviewer & is_task,
    }

    def worked_on_by(self, user):
        """Items the user's organisation owns or is a partner on through an Action."""
        if not user.is_authenticated or user.organisation_id is None:
            return Item.objects.none()
        organisation = user.organisation_id
        # A subquery rather than joins, so callers can annotate and count
        # without rows repeated once per action.
        through_actions = Action.items.through.objects.filter(
            Q(action__owner_id=organisation) | Q(action__partners__id=organisation)
        ).values("item_id")
        return Item.objects.filter(Q(owner_id=organisation) | Q(pk__in=through_actions))

    def visible_to(self, user):
        """Items whose signed-in workspace the user may open (may(user, "view_workspace", item))."""
        if not user.is_active:
            return Item.objects.none()
        if is_board(user):
            return Item.objects.all()
        if is_officer(user):
            return self.worked_on_by(user)
        return Item.objects.none()


class UpdatePolicy(Policy):
    actions = {
        # Changing, submitting or discarding an update: the officers of the organisation that wrote it.
        "edit_update": is_officer & works_on_update_item & is_of_update_organisation,
        # Reading an update: the board; an officer on the item, once published or if their organisation wrote it.
        "view_update": (works_on_update_item & (is_published | is_of_update_organisation)) | is_board,
        # Reviewing: improvement board members only. They edit no item themselves.
        "review_update": is_reviewer,
        # Approving or returning an update: a reviewer who did not work on it, from another organisation.
        "decide_update": is_reviewer & may_decide_update,
    }

    def visible_to(self, user, item):
        """An item's updates that the user may read on its workspace (may(user, "view_update", update)):
        all of them for the board; for an officer on the item, the published ones and their own
        organisation's."""
        updates = item.updates.all()
        if not user.is_active:
            return updates.none()
        if is_board(user):
            return updates
        if not is_officer(user):
            return updates.none()
        # The item is checked in the same query: a page has asked may(user, "view_workspace", item) already.
        return updates.filter(
            Q(state=ProgressUpdate.State.APPROVED) | Q(organisation_id=user.organisation_id),
            item__in=items.worked_on_by(user).values("pk"),
        )


class DashboardPolicy(Policy):
    actions = {
        # The whole board's dashboards: its members and administrators.
        "view_board": is_board,
        # A dashboard of one's own: officers see their organisation's slice.
        "view_own_dashboard": is_officer | is_board,
    }

    def items_counted_for(self, user):
        """Items a dashboard counts for the user: everything for the board, the
        organisation's slice for an officer, nothing for anyone else."""
        if self.may(user, "view_board"):
            return Item.objects.all()
        if self.may(user, "view_own_dashboard"):
            return items.worked_on_by(user)
        return Item.objects.none()

    def scope(self, user):
        """A name for the items items_counted_for(user) counts: people with the same scope see the same figures."""
        if self.may(user, "view_board"):
            return "board"
        if self.may(user, "view_own_dashboard"):
            return f"organisation-{user.organisation_id}"
        return "nobody"


class MeetingPolicy(Policy):
    actions = {
        # Publishing a meeting's pack as its public record: a decision of the board, so its reviewers
        # alone (administrators enter the meetings, and take no part in the board's decisions). The pack
        # is built from public records only, so no one's own work is decided: no separation of duties.
        "publish_meeting_pack": is_reviewer,
    }

    def visible_to(self, user):
        """Meetings whose pack the user may publish: all of them for a reviewer, else none."""
        return BoardMeeting.objects.all() if self.may(user, "publish_meeting_pack") else BoardMeeting.objects.none()


class FeedbackPolicy(Policy):
    """The public's feedback on items (services/feedback.py): the improvement board's reviewers only.
    A safeguarding concern leaves the queue: reviewers see only that it was passed on (its referral),
    never its text again; administrators see no feedback at all."""

    actions = {
        # The queue, a piece of feedback with its text, and the decisions on it.
        "moderate_feedback": is_reviewer & ~is_safeguarding_concern,
        # That a concern went to the safeguarding contact, when, by whom, and whether the e-mail went.
        "view_safeguarding_referral": is_reviewer & is_safeguarding_concern,
    }

    def visible_to(self, user):
        """Feedback the user may read and decide on (may(user, "moderate_feedback", feedback))."""
        if not (user.is_active and is_reviewer(user)):
            return Feedback.objects.none()
        return Feedback.objects.exclude(state=Feedback.State.SAFEGUARDING)

    def safeguarding_visible_to(self, user):
        """Safeguarding referrals the user may see listed (may(user, "view_safeguarding_referral", feedback))."""
        if not (user.is_active and is_reviewer(user)):
            return Feedback.objects.none()
        return Feedback.objects.filter(state=Feedback.State.SAFEGUARDING)


class IndicatorPolicy(Policy):
    """Outcome indicators' values: reported by the officers of an organisation that owns one of
    the indicator's items, decided by the board as progress updates are."""

    actions = {
        "report_value": is_officer & reports_on_indicator,
        # Changing, submitting or discarding a value: the officers of the organisation that reported it.
        "edit_value": is_officer & reports_on_value_indicator & is_of_update_organisation,
        "view_value": (reports_on_value_indicator & (is_published | is_of_update_organisation)) | is_board,
        "review_value": is_reviewer,
        "decide_value": is_reviewer & may_decide_value,
    }

    def reportable_by(self, user):
        """Indicators linked to an item the user's organisation owns."""
        if not user.is_authenticated or user.organisation_id is None:
            return Indicator.objects.none()
        owned = Item.objects.filter(owner_id=user.organisation_id).values("pk")
        return Indicator.objects.filter(pk__in=Indicator.items.through.objects.filter(
            item_id__in=owned).values("indicator_id"))

    def values_visible_to(self, user):
        """Indicator values the user may read (may(user, "view_value", value))."""
        values = IndicatorValue.objects.all()
        if not user.is_active:
            return values.none()
        if is_board(user):
            return values
        if not is_officer(user):
            return values.none()
        return values.filter(Q(state=ProgressUpdate.State.APPROVED) | Q(organisation_id=user.organisation_id),
                             indicator__in=self.reportable_by(user).values("pk"))


items = ItemPolicy()
updates = UpdatePolicy()
dashboards = DashboardPolicy()
meetings = MeetingPolicy()
feedback = FeedbackPolicy()
indicators = IndicatorPolicy()


def may(user, action, obj=None):
    """Whichever policy has `action` decides it: for templates' `can`, which name only the action."""
    for policy in (items, updates, dashboards, meetings, feedback, indicators):
        if action in policy.actions:
            return policy.may(user, action, obj)
    raise ValueError(f"No policy has the action {action!r}.")
