"""
Who may do what: the one place permissions are decided.

Views ask `allowed(user, "recommendations.<rule>", obj)` (or, in templates,
`user|can:"recommendations.<rule>"`); services ask the same before they
change anything, so a rule cannot be skipped by calling a URL directly.
"""
import rules
from django.db.models import Q

from recommendations import roles
from recommendations.models import Action, Item, ProgressUpdate
from recommendations.services.duties import why_not_decider


@rules.predicate
def is_officer(user):
    return user.is_authenticated and user.organisation_id is not None and _in_group(user, roles.OFFICERS)


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and _in_group(user, roles.REVIEWERS)


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or _in_group(user, roles.ADMINISTRATORS))


@rules.predicate
def works_on_item(user, item):
    if item is None or not is_officer(user):
        return False
    return items_worked_on_by(user).filter(pk=item.pk).exists()


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
def may_decide_update(user, update):
    """Separation of duties (services/duties.py): the user did not work on the update, nor is it
    their own organisation's."""
    return update is not None and why_not_decider(user, update) is None


def allowed(user, perm, obj=None):
    """Whether the user's role allows `perm` (on `obj`), as decided by the rules below.

    Use this, not user.has_perm, for workflow permissions: Django lets a
    superuser pass every has_perm check, which would make an administrator
    an officer of every organisation and a board reviewer at once. Here the
    administrator gets only what the rules give the Administrators role.
    """
    return bool(user.is_active and rules.has_perm(perm, user, obj))


def _in_group(user, name):
    # Cached per request-user so a page that checks many rules asks once.
    if not hasattr(user, "_tracker_groups"):
        user._tracker_groups = set(user.groups.values_list("name", flat=True))
    return name in user._tracker_groups


def items_worked_on_by(user):
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


def updates_seen_by(user, item):
    """An item's updates that the user may read on its workspace: all of them for the
    board; for an officer, the published ones and their own organisation's."""
    updates = item.updates.all()
    if is_reviewer(user) or is_administrator(user):
        return updates
    return updates.filter(Q(state=ProgressUpdate.State.APPROVED) | Q(organisation_id=user.organisation_id))


def visible_items(user):
    """Items whose signed-in workspace the user may open."""
    if is_reviewer(user) or is_administrator(user):
        return Item.objects.all()
    return items_worked_on_by(user)


def board_items(user):
    """Items a dashboard counts for the user: everything for the board, the
    organisation's slice for an officer, nothing for anyone else."""
    if is_reviewer(user) or is_administrator(user):
        return Item.objects.all()
    if is_officer(user):
        return items_worked_on_by(user)
    return Item.objects.none()


def board_scope(user):
    """A name for the items board_items(user) counts: people with the same scope see the same figures."""
    if is_reviewer(user) or is_administrator(user):
        return "board"
    if is_officer(user):
        return f"organisation-{user.organisation_id}"
    return "nobody"


# The officer's home page ("my items").
rules.add_perm("recommendations.view_my_items", is_officer)
# Writing progress: officers, on their organisation's items only.
rules.add_perm("recommendations.write_update", is_officer & is_task & works_on_item)
# Changing, submitting or discarding an update: the officers of the organisation that wrote it.
rules.add_perm("recommendations.edit_update", is_officer & works_on_update_item & is_of_update_organisation)
# Reading an item's workspace (history, drafts): its officers and the board.
rules.add_perm("recommendations.view_workspace", works_on_item | is_reviewer | is_administrator)
# Reading an update: the board; an officer on the item, once published or if their organisation wrote it.
rules.add_perm(
    "recommendations.view_update",
    (works_on_update_item & (is_published | is_of_update_organisation)) | is_reviewer | is_administrator,
)
# Reviewing: improvement board members only. They edit no item themselves.
rules.add_perm("recommendations.review_update", is_reviewer)
# Approving or returning an update: a reviewer who did not work on it, from another organisation.
rules.add_perm("recommendations.decide_update", is_reviewer & may_decide_update)
rules.add_perm("recommendations.assure_item", is_reviewer & is_task)
# Dashboards: the board sees everything; officers see their organisation's slice.
rules.add_perm("recommendations.view_board", is_reviewer | is_administrator)
rules.add_perm("recommendations.view_own_dashboard", is_officer | is_reviewer | is_administrator)
