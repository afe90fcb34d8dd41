"""
The progress-update workflow: draft -> submitted -> approved (published) or
returned -> resubmitted ...

Rules enforced here and nowhere else:
- an item's status, RAG rating and target date change only when a reviewer
  approves an update, or by a recorded decision of the board (assurance,
  reopening, correction of a genuine error), each published with its reason;
- an update belongs to the organisation of the officer who wrote it: only that
  organisation's officers change, submit or discard it (policies.py), and it has
  at most one open update (draft, submitted or returned) per item, so saving
  twice edits the same draft;
- "implemented" needs at least one evidence link;
- "assured and closed" is set only by a reviewer, and closes the item: no
  update is written, submitted or approved on it until a reviewer reopens it;
- the board may also close an item without it being implemented (close()):
  "closed as not implemented" with its reasons, or "closed as superseded" with its
  reasons and what replaced it (another item or a joint action, never the item
  itself); such an item is closed like an assured one, is never counted as
  implemented, and is reopened the same way; nobody closes an item their own
  organisation owns;
- nobody approves or returns an update they created, changed or submitted
  (or whose evidence they changed), nor one from their own organisation
  (duties.py); nobody assures an item whose implementation they or their
  organisation reported;
- an assurance records the strength of the evidence seen and the item's
  published evidence links the reviewer checked (see assure());
- moving a target date keeps the baseline and needs a reason; a reason with no
  new date is refused rather than dropped; a new target date (in an update, a
  correction or a reopening) is never before the day it is written, nor before
  the item's source was published, nor more than ten years ahead
  (Item.target_date_error, the same rule the admin meets);
- a reopening gives the item a new RAG rating and a new target date;
- nothing publishes an item as Green while it would be past its target date and
  not implemented (Item.green_error): checked when an update is saved, submitted
  and approved (the date may pass in between), and on a correction;
- an approved update never changes again (corrections are new updates);
- every publication and board decision is appended to the publication log;
- two people acting on the same update at once: one wins, the other is told.
"""
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator

from recommendations.models import EvidenceLink, Item, ProgressUpdate
from recommendations import policies
from recommendations import duties
from recommendations.services import notifications, publication_log
from recommendations.words import how_long, long_date

State = ProgressUpdate.State
Status = Item.Status


class WorkflowError(Exception):
    """A rule forbids this change; nothing was saved. The message is for the user.

    `field` names the form field the message is about, if any, so a view can
    show it next to that field.
    """

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class ConflictError(WorkflowError):
    """Someone else changed the update first; nothing was saved."""

    def __init__(self, message="Someone else changed this update while you were working on it. "
                               "Nothing was saved: reload the page to see the latest version."):
        super().__init__(message)


@dataclass
class EvidenceInput:
    title: str
    url: str
    date: object
    archived_url: str = ""  # optional: a web archive's copy, shown beside the link


EDITABLE_STATES = (State.DRAFT, State.RETURNED)


def _require(policy, user, action, obj):
    if not policy.may(user, action, obj):
        raise PermissionDenied


def _check_proposal(item, proposed_status, proposed_rag, proposed_target_date, target_date_reason):
    if proposed_status == Status.ASSURED:
        raise WorkflowError("Only an improvement board reviewer can mark an item as assured and closed.",
                            field="proposed_status")
    if proposed_status in Item.UNDELIVERED_CLOSURES:
        raise WorkflowError("Only the improvement board can close an item without it being implemented.",
                            field="proposed_status")
    if proposed_status not in Item.OFFICER_STATUSES:
        raise WorkflowError("Choose a status from the list.", field="proposed_status")
    _check_target_date(item, proposed_target_date, "proposed_target_date", "New target date")
    if target_date_reason.strip() and not proposed_target_date:
        raise WorkflowError("Enter the new target date, or delete the reason if the target date is not changing.",
                            field="proposed_target_date")
    if (
        proposed_target_date
        and item.current_target_date
        and proposed_target_date != item.current_target_date
        and not target_date_reason.strip()
    ):
        raise WorkflowError("Say why the target date is changing.", field="target_date_reason")
    _check_green(item, proposed_status, proposed_rag, proposed_target_date, "proposed_rag",
                 "Choose Amber or Red, or give a new target date.")


def _check_target_date(item, day, field, what, even_if_unchanged=False):
    """The limits of a new target date (Item.target_date_error), as an error on `field`."""
    if day and (even_if_unchanged or day != item.current_target_date):
        message = item.target_date_error(day, what=what)
        if message:
            raise WorkflowError(message, field=field)


def green_problem(item, status, rag, target_date):
    """Why a change would publish the item as Green while past its target date and not
    implemented (Item.green_error), or None. `rag` and `target_date` as proposed: empty
    where they would not change, so the item's own then stand."""
    return item.green_error(status, rag or item.rag, target_date or item.current_target_date)


def _check_green(item, status, rag, target_date, field, advice):
    message = green_problem(item, status, rag, target_date)
    if message:
        raise WorkflowError(f"{message} {advice}", field=field)


# What a reviewer is told when approval would publish Green past the target date.
RETURN_FOR_GREEN = "Return the update to the officer to choose Amber or Red, or a new target date."


@dataclass(frozen=True)
class DateMove:
    """How far a new target date moves from one of the item's dates (the reviewer's page)."""

    against: str  # which date, in words: "the current target date"
    day: datetime.date
    new: datetime.date

    @property
    def days(self):
        """Positive when the new date is later."""
        return (self.new - self.day).days

    def __str__(self):
        than = f"{self.against} ({long_date(self.day)})"
        if not self.days:
            return f"The same day as {than}"
        return f"Moves {how_long(abs(self.days))} {'later' if self.days > 0 else 'earlier'} than {than}"


def target_date_moves(item, new):
    """How far `new` moves from the item's current target date and from its first agreed one
    (each, if it has one)."""
    return [DateMove(against, day, new) for against, day in (
        ("the current target date", item.current_target_date),
        ("the first agreed date", item.baseline_target_date),
    ) if day]


def earlier_than_first_agreed(item, new):
    """Whether `new` is before the item's first agreed target date: the reviewer is warned."""
    return bool(new and item.baseline_target_date and new < item.baseline_target_date)


def closed_message(status):
    """Why no update can be written on an item the board closed (`status`: one of Item.CLOSED_STATUSES)."""
    return (f"This item has been {Status(status).label.lower()} by the improvement board, so no update can be "
            "written, submitted or approved on it. If it needs work again, ask the board to reopen it.")


def _check_open(item):
    status = Item.objects.filter(pk=item.pk, status__in=Item.CLOSED_STATUSES).values_list("status", flat=True).first()
    if status:
        raise WorkflowError(closed_message(status))


def open_update(item, organisation):
    """The organisation's open update (draft, submitted or returned) on the item, or None."""
    return ProgressUpdate.objects.filter(item=item, organisation=organisation, state__in=ProgressUpdate.OPEN_STATES).first()


def save_draft(user, item, *, narrative, proposed_status, proposed_rag="", proposed_target_date=None,
               target_date_reason="", evidence=(), remove_evidence=(), update=None, expected_version=None):
    """Create a draft, or change a draft or returned update, all or nothing. Returns the update.

    `evidence` are new EvidenceInput links; `remove_evidence` are ids of this
    update's links to drop. Both happen under the same version claim as the
    text, so a half-saved form is impossible. Saving a new draft where the
    user's organisation already has one on the item changes that one instead.
    """
    _require(policies.items, user, "write_update", item)
    if update is not None:
        _require(policies.updates, user, "edit_update", update)
        if update.item_id != item.pk:
            raise PermissionDenied
    _check_proposal(item, proposed_status, proposed_rag, proposed_target_date, target_date_reason)
    if not narrative.strip():
        raise WorkflowError("Describe the progress made.", field="narrative")
    if proposed_status == Status.IMPLEMENTED and not _has_evidence(item.pk, update, remove_evidence, len(evidence)):
        # Said now, on the form, rather than only when the draft is submitted.
        raise WorkflowError(NEEDS_EVIDENCE, field="evidence")
    _check_open(item)
    with transaction.atomic():
        if update is None:
            update = _new_or_open_draft(user, item)
        if update.pk is None:
            reason = "Draft started"
        else:
            _claim(update, expected_version, EDITABLE_STATES)
            reason = "Draft changed" if update.state == State.DRAFT else "Returned update changed"
        update.narrative = narrative
        update.proposed_status = proposed_status
        update.proposed_rag = proposed_rag
        update.proposed_target_date = proposed_target_date
        update.target_date_reason = target_date_reason if proposed_target_date else ""
        try:
            with transaction.atomic():
                _save(update, user, reason)
        except IntegrityError:
            # Another request (a double click) created the organisation's draft a moment ago.
            raise ConflictError("This draft was just saved from another window or by a second click. "
                                "Nothing more was saved: open the item to see the draft.") from None
        for evidence_link in EvidenceLink.objects.filter(update=update, pk__in=list(remove_evidence)):
            evidence_link._history_user = user
            evidence_link._change_reason = "Removed from the update"
            evidence_link.delete()
        for link in evidence:
            # The same link saved again (a second click, the same form sent twice) is kept once.
            if not update.evidence.filter(title=link.title, url=link.url, date=link.date,
                                          archived_url=link.archived_url).exists():
                _add_evidence(user, update, link)
    return update


def _new_or_open_draft(user, item):
    existing = open_update(item, user.organisation)
    if existing is None:
        return ProgressUpdate(item=item, author=user, organisation=user.organisation)
    if existing.state == State.SUBMITTED:
        raise WorkflowError("An update from your organisation on this item is waiting for the board's review. "
                            "You can write another once it has been approved or returned.")
    return existing


def discard(user, update, expected_version):
    """Delete a draft or returned update and its evidence (kept in the history)."""
    _require(policies.updates, user, "edit_update", update)
    with transaction.atomic():
        _claim(update, expected_version, EDITABLE_STATES)
        for link in update.evidence.all():
            link._history_user = user
            link._change_reason = "Draft discarded"
            link.delete()
        update._history_user = user
        update._change_reason = "Discarded by its organisation"
        update.delete()


def _add_evidence(user, update, link):
    evidence = EvidenceLink(
        item_id=update.item_id, update=update, title=link.title, url=link.url, date=link.date,
        archived_url=link.archived_url, added_by=user,
    )
    try:
        evidence.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    evidence._history_user = user
    evidence._change_reason = "Added to the update"
    evidence.save()
    return evidence


def submit(user, update, expected_version):
    _require(policies.updates, user, "edit_update", update)
    _check_open(update.item)
    with transaction.atomic():
        _claim(update, expected_version, EDITABLE_STATES)
        _check_proposal(update.item, update.proposed_status, update.proposed_rag, update.proposed_target_date,
                        update.target_date_reason)
        _check_evidence(update)
        update.state = State.SUBMITTED
        update.submitted_at = timezone.now()
        _save(update, user, "Submitted for review")
    _notify(notifications.update_submitted, update)
    return update


def _check_may_decide(reviewer, update):
    reason = duties.why_not_decider(reviewer, update)
    if reason:
        raise WorkflowError(reason)


def approve(reviewer, update, expected_version, comment=""):
    """Publish the update and apply its proposal to the item."""
    _require(policies.updates, reviewer, "review_update", update)
    _check_may_decide(reviewer, update)
    _check_open(update.item)
    with transaction.atomic():
        _claim(update, expected_version, (State.SUBMITTED,))
        _check_evidence(update)
        # The item as it stands now, and today's date: the target date may have passed since the update was written.
        item = Item.objects.select_for_update().get(pk=update.item_id)
        _check_green(item, update.proposed_status, update.proposed_rag, update.proposed_target_date, "decision",
                     RETURN_FOR_GREEN)
        now = timezone.now()
        update.state = State.APPROVED
        update.reviewer = reviewer
        update.reviewed_at = now
        update.published_at = now
        update.review_comment = comment
        _save(update, reviewer, duties.APPROVED)
        _apply_to_item(update, reviewer)
        publication_log.record_update(update)
    _notify(notifications.update_approved, update)
    return update


def return_update(reviewer, update, expected_version, comment):
    _require(policies.updates, reviewer, "review_update", update)
    _check_may_decide(reviewer, update)
    if not comment.strip():
        raise WorkflowError("Say what the officer needs to change before this update can be approved.",
                            field="comment")
    with transaction.atomic():
        _claim(update, expected_version, (State.SUBMITTED,))
        update.state = State.RETURNED
        update.reviewer = reviewer
        update.reviewed_at = timezone.now()
        update.review_comment = comment
        _save(update, reviewer, duties.RETURNED)
    _notify(notifications.update_returned, update)
    return update


def ready_to_assure(items=None):
    """Implemented items waiting for the board to assure and close them, longest waiting first."""
    items = Item.objects.all() if items is None else items
    return items.filter(status=Status.IMPLEMENTED).select_related("owner").order_by("updated_at", "pk")


def waiting_for_review(items=None):
    """Submitted updates waiting for a reviewer, longest waiting first."""
    updates = ProgressUpdate.objects.filter(state=State.SUBMITTED)
    if items is not None:
        updates = updates.filter(item__in=items)
    return updates.select_related("item", "organisation", "author").order_by("submitted_at", "pk")


def implementation_report(item):
    """The published update that reported the item implemented (the latest), or None."""
    return (
        item.updates.published().filter(proposed_status=Status.IMPLEMENTED).order_by("-published_at").first()
    )


def published_evidence(item):
    """The item's published evidence links: those a reviewer may tick as checked when assuring it."""
    return list(EvidenceLink.objects.public().filter(item=item).order_by("-date", "title", "pk"))


def assure(reviewer, item, narrative, *, strength, checked=(), no_links_confirmed=False):
    """A reviewer closes an implemented item. Recorded as a published decision of the board.

    The reviewer records what the assurance rests on:
    - `strength`, how strong the evidence seen was (ProgressUpdate.EvidenceStrength): required;
    - `checked`, the ids of the item's published evidence links they checked: each must be
      one of those links, and at least one is needed when the item has any;
    - an item with no published evidence link at all is assured only if the reviewer
      says so explicitly (`no_links_confirmed`), the narrative then saying what was seen;
      otherwise the assurance is refused, so "no links checked" is never an oversight.
    Nobody assures an item whose implementation they or their organisation reported.
    """
    _require(policies.items, reviewer, "assure_item", item)
    if not narrative.strip():
        raise WorkflowError("Say how the board assured itself that this item is done.", field="narrative")
    report = implementation_report(item)
    if report and (
        report.author_id == reviewer.pk
        or (reviewer.organisation_id is not None and report.organisation_id == reviewer.organisation_id)
    ):
        raise WorkflowError("You or your organisation reported this item implemented, so another member of the "
                            "board must assure it.")
    if strength not in ProgressUpdate.EvidenceStrength.values:
        raise WorkflowError("Choose how strong the evidence the board saw is.", field="evidence_strength")
    published = {link.pk for link in published_evidence(item)}
    checked = set(checked)
    if not checked <= published:
        raise WorkflowError("Only this item's published evidence links can be ticked as checked.",
                            field="evidence_checked")
    if published and not checked:
        raise WorkflowError("Tick the evidence links you checked.", field="evidence_checked")
    if not published and not no_links_confirmed:
        raise WorkflowError("This item has no published evidence links: confirm that the board assured it from "
                            "other evidence, described above.", field="no_links_confirmed")
    with transaction.atomic():
        # The conditional UPDATE is the claim: of two reviewers closing the
        # same item at once, only one still finds it implemented.
        if not Item.objects.filter(pk=item.pk, status=Status.IMPLEMENTED).update(updated_at=timezone.now()):
            raise WorkflowError("Only an implemented item can be assured and closed. "
                                "It may have changed since you opened it: reload the page.")
        now = timezone.now()
        update = _board_decision(reviewer, item, ProgressUpdate.Kind.ASSURANCE, narrative, Status.ASSURED,
                                 Item.Rag.GREEN, now)
        update.evidence_strength = strength
        _save(update, reviewer, "Assured and closed by the board")
        update.evidence_checked.set(checked)
        _apply_to_item(update, reviewer)
        publication_log.record_update(update)
    return update


OWN_ITEM = ("Your organisation owns this item, so a member of the board from another organisation must "
            "close it.")


def close(reviewer, item, reasons, status, *, superseded_by=None, superseded_by_action=None):
    """A reviewer closes an open item without it being implemented: `status` is
    Status.CLOSED_NOT_IMPLEMENTED (dropped) or Status.SUPERSEDED (replaced by the item
    `superseded_by` or the joint action `superseded_by_action`: exactly one of the two,
    never the item itself). Published at once as the board's decision with its reasons,
    and logged. The item is then closed (like an assured one) but never counted as
    implemented; reopen() opens it again. Nobody closes an item their organisation owns."""
    _require(policies.items, reviewer, "close_item", item)
    if status not in Item.UNDELIVERED_CLOSURES:
        raise WorkflowError("Choose how the item is being closed.", field="status")
    if not reasons.strip():
        raise WorkflowError("Give the reasons the item is being closed. They are published.", field="reasons")
    if reviewer.organisation_id is not None and reviewer.organisation_id == item.owner_id:
        raise WorkflowError(OWN_ITEM)
    if status == Status.SUPERSEDED:
        if (superseded_by is None) == (superseded_by_action is None):
            raise WorkflowError("Say what replaced this item: choose either another item or a joint action.",
                                field="superseded_by")
        if superseded_by is not None and superseded_by.pk == item.pk:
            raise WorkflowError("An item cannot be superseded by itself: choose the item that replaced it.",
                                field="superseded_by")
        if superseded_by is not None and superseded_by.is_judgement:
            raise WorkflowError("A judgement is a grade, not work to do: choose the item that replaced this one.",
                                field="superseded_by")
    elif superseded_by is not None or superseded_by_action is not None:
        raise WorkflowError("Only a superseded item says what replaced it: remove the replacement, or choose "
                            "“superseded”.", field="superseded_by")
    with transaction.atomic():
        # The conditional UPDATE is the claim: of two reviewers closing the same item at once,
        # only one still finds it open.
        if not Item.objects.filter(pk=item.pk).exclude(status__in=Item.CLOSED_STATUSES).update(
                updated_at=timezone.now()):
            raise WorkflowError("This item is already closed. It may have changed since you opened it: "
                                "reload the page.")
        update = _board_decision(reviewer, item, ProgressUpdate.Kind.CLOSURE, reasons, status, "", timezone.now())
        _save(update, reviewer, f"{Status(status).label} by the board")
        _apply_to_item(update, reviewer, superseded_by=superseded_by, superseded_by_action=superseded_by_action)
        publication_log.record_update(update)
    return update


def reopen(reviewer, item, reason, status=Status.IN_PROGRESS, *, rag, target_date):
    """A reviewer reopens a closed item (assured, closed not implemented or superseded),
    with the reason, published as the board's decision.

    Work starts again, so the item gets a new RAG rating and a new target date (not
    before today, Item.target_date_error; the first agreed date is kept)."""
    _require(policies.items, reviewer, "assure_item", item)
    if not reason.strip():
        raise WorkflowError("Say why the item is being reopened. This is published.", field="reason")
    if status not in (Status.IN_PROGRESS, Status.IMPLEMENTED):
        raise WorkflowError("Choose the status the item goes back to.", field="status")
    if rag not in (Item.Rag.RED, Item.Rag.AMBER, Item.Rag.GREEN):
        raise WorkflowError("Choose the item's new RAG rating.", field="rag")
    if not target_date:
        raise WorkflowError("Enter the item's new target date.", field="target_date")
    _check_target_date(item, target_date, "target_date", "New target date", even_if_unchanged=True)
    with transaction.atomic():
        if not Item.objects.filter(pk=item.pk, status__in=Item.CLOSED_STATUSES).update(updated_at=timezone.now()):
            raise WorkflowError("Only a closed item can be reopened. "
                                "It may have changed since you opened it: reload the page.")
        update = _board_decision(reviewer, item, ProgressUpdate.Kind.REOPENING, reason, status, rag,
                                 timezone.now())
        update.proposed_target_date = target_date
        update.target_date_reason = reason
        _save(update, reviewer, "Reopened by the board")
        _apply_to_item(update, reviewer)
        publication_log.record_update(update)
    return update


def correct(reviewer, item, reason, *, status, rag="", target_date=None):
    """A reviewer corrects a genuine error in the item's status, RAG rating or target date.

    Published at once as the board's decision, with the reason, so the public
    sees what was corrected and why. A closed item's status changes only by
    reopening it; "assured" is set only by assuring, the other closures only by close().
    """
    _require(policies.items, reviewer, "assure_item", item)
    if not reason.strip():
        raise WorkflowError("Say what was wrong and why it is being corrected. This is published.", field="reason")
    item = Item.objects.get(pk=item.pk)
    if status == Status.ASSURED and item.status != Status.ASSURED:
        raise WorkflowError("Use “Assure and close this item” to assure an item.", field="status")
    if status in Item.UNDELIVERED_CLOSURES and item.status != status:
        raise WorkflowError("Use “Close this item without it being implemented” to close an item.", field="status")
    if item.status in Item.CLOSED_STATUSES and status != item.status:
        raise WorkflowError("This item is closed: reopen it to change its status.", field="status")
    changes = (
        status != item.status
        or (rag and rag != item.rag)
        or (target_date and target_date != item.current_target_date)
    )
    _check_target_date(item, target_date, "target_date", "Corrected target date")
    _check_green(item, status, rag, target_date, "rag", "Choose Amber or Red, or correct the target date too.")
    if not changes:
        raise WorkflowError("Nothing would change: choose the corrected status, RAG rating or target date.")
    with transaction.atomic():
        update = _board_decision(reviewer, item, ProgressUpdate.Kind.CORRECTION, reason, status, rag,
                                 timezone.now())
        update.proposed_target_date = target_date
        update.target_date_reason = reason if target_date else ""
        _save(update, reviewer, "Corrected by the board")
        _apply_to_item(update, reviewer)
        publication_log.record_update(update)
    return update


def _board_decision(reviewer, item, kind, narrative, status, rag, now):
    """A decision of the board, published as it is made (no organisation: the board's own)."""
    return ProgressUpdate(
        item=item, author=reviewer, organisation=None, kind=kind, narrative=narrative, proposed_status=status,
        proposed_rag=rag, state=State.APPROVED, submitted_at=now, reviewer=reviewer, reviewed_at=now,
        published_at=now,
    )


def _claim(update, expected_version, allowed_states, noun="update"):
    """Take the update (or another record with a state and a version, such as an indicator
    value, named `noun` in messages) for this change, or fail if it moved on since it was read.

    A conditional UPDATE is atomic in every database: of two requests naming
    the same version, exactly one matches a row. The version comes from the
    form the user saw; it decides only "is this still what you saw", never
    who may act.
    """
    if expected_version is None:
        expected_version = update.version
    model = type(update)
    claimed = model.objects.filter(
        pk=update.pk, version=expected_version, state__in=allowed_states
    ).update(version=F("version") + 1)
    if not claimed:
        current = model.objects.filter(pk=update.pk).values("state", "version").first()
        if current is None or current["version"] != expected_version:
            state = State(current["state"]).label.lower() if current else "deleted"
            raise ConflictError(
                f"Someone else changed this {noun} while you were working on it (it is now {state}). "
                "Nothing you entered was saved: reload the page to see the latest version."
            )
        if current["state"] == State.APPROVED:
            raise WorkflowError(f"This {noun} has been published and can no longer change. "
                                f"Write a new {noun} instead.")
        raise WorkflowError(f"This {noun} is {State(current['state']).label.lower()}, so this cannot be done now.")
    update.version = expected_version + 1


def _save(update, user, reason):
    update._history_user = user
    update._change_reason = reason
    update.save()


NEEDS_EVIDENCE = "Add at least one evidence link before marking an item as implemented."


def _has_evidence(item_id, update=None, removing=(), adding=0):
    """Whether an update would have evidence: its own links (less those being removed, plus
    those being added), or links already public for the item."""
    if adding:
        return True
    own = Q(update=update) & ~Q(pk__in=list(removing)) if update is not None and update.pk else Q(pk__in=[])
    public = Q(update__isnull=True) | Q(update__state=State.APPROVED)
    return EvidenceLink.objects.filter(own | public, item_id=item_id).exists()


def _check_evidence(update):
    if update.proposed_status == Status.IMPLEMENTED and not _has_evidence(update.item_id, update):
        raise WorkflowError(NEEDS_EVIDENCE, field="evidence")


def _apply_to_item(update, user, superseded_by=None, superseded_by_action=None):
    """Apply a published update or board decision to its item. Only a superseded item
    says what replaced it: any other status clears it (a reopening, say)."""
    item = Item.objects.select_for_update().get(pk=update.item_id)
    if update.kind == ProgressUpdate.Kind.CLOSURE:
        item.superseded_by, item.superseded_by_action = superseded_by, superseded_by_action
    elif update.proposed_status != Status.SUPERSEDED:
        item.superseded_by = item.superseded_by_action = None
    item.status = update.proposed_status
    if update.proposed_rag:
        item.rag = update.proposed_rag
    reason = f"Update {update.pk} approved"
    if update.proposed_target_date and update.proposed_target_date != item.current_target_date:
        # The baseline never moves once agreed; the reason is kept in the item's history.
        if item.baseline_target_date is None:
            item.baseline_target_date = update.proposed_target_date
        reason += f"; target date moved to {long_date(update.proposed_target_date)}"
        if update.target_date_reason:
            reason += f": {update.target_date_reason}"
        item.current_target_date = update.proposed_target_date
    item._history_user = user
    # The history's change reason holds at most 100 characters; the full
    # reason stays on the update itself.
    item._change_reason = Truncator(reason).chars(100)
    item.save()


def _notify(handler, update):
    # After commit, so nobody is told of a change that was rolled back.
    transaction.on_commit(lambda: handler(update))
