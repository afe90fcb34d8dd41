"""
Separation of duties: who may decide (approve or return) a submitted update.

Decided by what people did, not by who started the draft. A reviewer may not
decide an update if they
- created, changed or submitted any version of it, or added, changed or
  removed any of its evidence links: the update's and its links' change
  history (django-simple-history) say who, whatever their role is now; or
- belong to the organisation whose update it is.

The same rule decides who may decide an outcome indicator's value
(why_not_value_decider: who created, changed or submitted any version of it).

why_not_decider() is the rule; the rules predicate, the workflow service's
approve and return, the review queue and the board's overview all ask it.
"""
from recommendations import roles
from recommendations.models import EvidenceLink, IndicatorValue, ProgressUpdate, User

# The change reasons the workflow writes when a reviewer decides an update:
# deciding is not working on it, so a reviewer who returned an update decides
# it again when it comes back.
APPROVED = "Approved and published"
RETURNED = "Returned to the officer"
DECISIONS = (APPROVED, RETURNED)

WORKED_ON = ("You created, changed or submitted this update or its evidence, "
             "so another member of the board must decide it.")
OWN_ORGANISATION = ("This update comes from your own organisation, "
                    "so a member of the board from another organisation must decide it.")


def worked_on_by(updates):
    """{update id: ids of the people who created, changed or submitted it or its evidence}, for the
    updates of a query, in one query (the updates' ids are a subquery, however many there are)."""
    ids = updates.order_by().values("pk")
    update_history = ProgressUpdate.history.model.objects.filter(id__in=ids).exclude(
        history_change_reason__in=DECISIONS
    )
    evidence_history = EvidenceLink.history.model.objects.filter(update_id__in=ids)
    rows = (
        update_history.filter(history_user__isnull=False).order_by().values_list("id", "history_user_id")
        .union(
            update_history.order_by().values_list("id", "author_id"),
            evidence_history.filter(history_user__isnull=False).order_by().values_list("update_id", "history_user_id"),
            evidence_history.filter(added_by__isnull=False).order_by().values_list("update_id", "added_by_id"),
        )
    )
    people = {}
    for update_id, user_id in rows:
        people.setdefault(update_id, set()).add(user_id)
    return people


def why_not_decider(user, update, worked_on=None):
    """None if `user` may approve or return `update`, else why not, in plain English.

    `worked_on` is who worked on the update (one entry of worked_on_by()); it is
    read from the history when not given.
    """
    if worked_on is None:
        worked_on = worked_on_by(ProgressUpdate.objects.filter(pk=update.pk)).get(update.pk, set())
    if user.pk == update.author_id or user.pk in worked_on:
        return WORKED_ON
    if user.organisation_id is not None and user.organisation_id == update.organisation_id:
        return OWN_ORGANISATION
    return None


def value_worked_on_by(values):
    """{value id: ids of the people who created, changed or submitted it}, for the indicator values
    of a query, in one query."""
    history = IndicatorValue.history.model.objects.filter(id__in=values.order_by().values("pk")).exclude(
        history_change_reason__in=DECISIONS
    )
    rows = (history.filter(history_user__isnull=False).order_by().values_list("id", "history_user_id")
            .union(history.order_by().values_list("id", "author_id")))
    people = {}
    for value_id, user_id in rows:
        people.setdefault(value_id, set()).add(user_id)
    return people


def why_not_value_decider(user, value, worked_on=None):
    """None if `user` may approve or return the indicator value `value`, else why not: the rule of
    why_not_decider, from the value's own history."""
    if worked_on is None:
        worked_on = value_worked_on_by(IndicatorValue.objects.filter(pk=value.pk)).get(value.pk, set())
    return why_not_decider(user, value, worked_on)


def with_reasons(user, updates, *lists):
    """Mark each update in `lists` with `not_yours`: why `user` may not decide it, or None.

    `updates` is a query holding every listed update. One query.
    """
    worked_on = worked_on_by(updates)
    for update in (update for listed in lists for update in listed):
        update.not_yours = why_not_decider(user, update, worked_on.get(update.pk, set()))
    return lists


def waiting_for_another_organisation(waiting):
    """The updates of the query `waiting` (submitted ones) that no current reviewer may decide: each
    active reviewer belongs to the organisation whose update it is, or worked on it. Three queries.

    Each is marked with `ruled_out`, e.g. "2 reviewers of South Yorkshire Police; 1 who worked on it".
    """
    updates = list(waiting)
    if not updates:
        return []
    reviewers = list(User.objects.filter(is_active=True, groups__name=roles.REVIEWERS).only("pk", "organisation_id"))
    worked_on = worked_on_by(waiting)
    stuck = []
    for update in updates:
        reasons = [why_not_decider(reviewer, update, worked_on.get(update.pk, set())) for reviewer in reviewers]
        if any(reason is None for reason in reasons):
            continue
        own, worked = reasons.count(OWN_ORGANISATION), reasons.count(WORKED_ON)
        parts = []
        if own:
            parts.append(f"{own} reviewer{'s' if own != 1 else ''} of {update.organisation.short_name}")
        if worked:
            parts.append(f"{worked} who worked on it")
        update.ruled_out = "; ".join(parts) or "There is no reviewer"
        stuck.append(update)
    return stuck
