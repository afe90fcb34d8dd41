"""
Signed-in screens for officers and improvement board reviewers.

Every view asks recommendations.policies (items, updates) and changes
things only through recommendations.services.workflow. A user who may not see
an item or update at all gets 404, so other organisations' work stays hidden;
a user who may see it but not do this (a reviewer writing an update, an
officer reviewing) gets 403.
"""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from recommendations.forms import (
    AssureForm,
    CloseForm,
    CorrectionForm,
    EvidenceForm,
    EvidenceFormSet,
    ProgressUpdateForm,
    ReopenForm,
    ReviewForm,
    SubmitForm,
)
from recommendations.models import Item, ProgressUpdate
from recommendations import policies
from recommendations import duties
from recommendations.services import attention, board_meetings, workflow
from recommendations.services.history import item_timeline
from recommendations.public import board
from recommendations.public.records import grades_of
from recommendations.words import cadence_words

TEMPLATES = "recommendations/workflow/"
EVIDENCE_PREFIX = "evidence"


def _allow(policy, user, action, obj, view_action):
    # Someone who may not even see the object is not told it exists.
    if policy.may(user, action, obj):
        return
    if policy.may(user, view_action, obj):
        raise PermissionDenied
    raise Http404


def role_required(policy, action):
    """Like permission_required(raise_exception=True), but by role (see recommendations.policies)."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy.may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return login_required(wrapper)
    return decorator


def _item(request, reference, action, items=Item.objects):
    item = get_object_or_404(items.select_related("source", "owner"), reference=reference)
    _allow(policies.items, request.user, action, item, "view_workspace")
    return item


def _update(request, pk, action):
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("item__source", "item__owner", "author", "reviewer"), pk=pk
    )
    _allow(policies.updates, request.user, action, update, "view_update")
    return update


def _show_error(request, form, error):
    """Put a service's refusal on the form, or in a banner if it is about no one field."""
    if isinstance(error, workflow.ConflictError) or form is None:
        messages.error(request, str(error))
    else:
        form.add_error(error.field if error.field in form.fields else None, str(error))


@login_required
def work_home(request):
    """Where each signed-in role's work starts: an officer's items, or a reviewer's desk."""
    if policies.items.may(request.user, "view_my_items"):
        return _my_items(request)
    if policies.updates.may(request.user, "review_update"):
        return _reviewer_home(request)
    raise PermissionDenied


def _my_items(request):
    # Judgements are grades, not work: nobody reports progress on them, so they are not listed.
    worked_on = policies.items.worked_on_by(request.user).tasks()
    items = attention.attention_sorted(worked_on.select_related("source", "owner"), request.user.organisation)
    return render(request, TEMPLATES + "my_items.html", {
        "items": items,
        # Read only when an item has one (attention_sorted says): most days, no query at all.
        "broken_links": attention.broken_links(worked_on) if any(item.has_broken_link for item in items) else [],
        "attention_count": sum(1 for item in items if item.reasons),
        "organisation": request.user.organisation,
    })


RECENT_DECISIONS = 10


def _reviewer_home(request):
    """The review queue, items ready for assurance, returned updates that came back, and
    the reviewer's own recent decisions; each waiting update says if it is not the reviewer's
    to decide. Five queries."""
    user = request.user
    State = ProgressUpdate.State
    updates = ProgressUpdate.objects.select_related("item", "organisation", "author")
    waiting = workflow.waiting_for_review()
    # The updates that came back are waiting too: one reading of who worked on them covers both lists.
    queue, came_back = duties.with_reasons(
        user, waiting, list(waiting),
        list(updates.filter(state=State.SUBMITTED, reviewer=user).order_by("submitted_at", "pk")),
    )
    return render(request, TEMPLATES + "reviewer_home.html", {
        "queue": queue,
        "came_back": came_back,
        "ready_to_assure": list(workflow.ready_to_assure()),
        "decisions": list(
            updates.filter(reviewer=user, state__in=[State.APPROVED, State.RETURNED])
            .order_by("-reviewed_at", "-pk")[:RECENT_DECISIONS]
        ),
        "now": timezone.now(),
    })


@role_required(policies.updates, "review_update")
def review_queue(request):
    """Updates waiting for review, each saying if it is not this reviewer's to decide, and why."""
    waiting = workflow.waiting_for_review()
    (updates,) = duties.with_reasons(request.user, waiting, list(waiting))
    return render(request, TEMPLATES + "review_queue.html", {"updates": updates, "now": timezone.now()})


@login_required
def item_workspace(request, reference):
    # With the owner's last report, which "update overdue" counts from (models.last_report).
    item = _item(request, reference, "view_workspace", Item.objects.with_last_report())
    user = request.user
    updates = list(policies.updates.visible_to(user, item).select_related("author", "reviewer", "organisation").prefetch_related(
        "evidence"
    ))
    first_grade, later_grades = grades_of(item) if item.is_judgement else (None, ())
    return render(request, TEMPLATES + "item_workspace.html", {
        "item": item,
        # A judgement is shown by its grades, as on its public page (no status, RAG rating or target date).
        "first_grade": first_grade,
        "later_grades": later_grades,
        "updates": updates,
        # Shown apart from the owner's last report: a decision of the board does not reset its clock.
        "board_decision": max((update for update in updates if update.is_board_decision and update.published_at),
                              key=lambda update: update.published_at, default=None),
        "update_overdue": item.is_update_overdue(),
        # The board's comment on an update it returned comes first, above every button, for the officers
        # who change it.
        "returned": [update for update in updates if update.state == ProgressUpdate.State.RETURNED
                     and policies.updates.may(user, "edit_update", update)],
        "cadence": cadence_words(item.update_cadence_months),
        "history": item_timeline(item),
        "can_write": policies.items.may(user, "write_update", item),
        "can_review": policies.updates.may(user, "review_update"),
        "can_assure": policies.items.may(user, "assure_item", item) and item.status == Item.Status.IMPLEMENTED,
        "can_reopen": policies.items.may(user, "assure_item", item) and item.status in Item.CLOSED_STATUSES,
        "can_close": policies.items.may(user, "close_item", item) and item.status not in Item.CLOSED_STATUSES,
        "can_correct": policies.items.may(user, "assure_item", item),
        "editable_states": workflow.EDITABLE_STATES,
        "closed_statuses": Item.CLOSED_STATUSES,
        # The outcome indicators linked to the item that the officer's organisation reports.
        "reportable_indicators": list(policies.indicators.reportable_by(user).filter(items=item).order_by("name")),
    })


@login_required
def update_new(request, reference):
    item = _item(request, reference, "write_update")
    if item.status in Item.CLOSED_STATUSES:
        messages.error(request, workflow.closed_message(item.status))
        return redirect("workflow:item", item.reference)
    existing = workflow.open_update(item, request.user.organisation)
    if existing is not None and request.method != "POST":
        # One open update per organisation and item: carry on with it.
        if existing.state in workflow.EDITABLE_STATES:
            return redirect("workflow:update-edit", existing.pk)
        messages.error(request, "An update from your organisation on this item is waiting for the board's review. "
                                "You can write another once it has been approved or returned.")
        return redirect("workflow:item", item.reference)
    return _edit_update(request, item, None)


@login_required
def update_edit(request, pk):
    update = _update(request, pk, "edit_update")
    if update.state not in workflow.EDITABLE_STATES:
        messages.error(request, "This update can no longer be changed. "
                                "Published updates never change: write a new update instead.")
        return redirect("workflow:item", update.item.reference)
    return _edit_update(request, update.item, update)


def _edit_update(request, item, update):
    evidence = list(update.evidence.all()) if update else []
    initial = ProgressUpdateForm.initial_for(update) if update else {"proposed_status": item.status,
                                                                     "proposed_rag": item.rag}
    status = 200
    if request.method != "POST":
        form = ProgressUpdateForm(initial=initial, evidence=evidence)
        formset = EvidenceFormSet(prefix=EVIDENCE_PREFIX)
    elif "add_link" in request.POST:
        # "Add another link" without JavaScript: show the same answers again, unsaved, with one more row.
        form = ProgressUpdateForm(initial=_answers(request.POST), evidence=evidence)
        formset = EvidenceFormSet(prefix=EVIDENCE_PREFIX, initial=_evidence_rows(request.POST))
    else:
        form = ProgressUpdateForm(request.POST, evidence=evidence)
        form.fields["version"].required = update is not None
        formset = EvidenceFormSet(request.POST, prefix=EVIDENCE_PREFIX)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                update = workflow.save_draft(
                    request.user, item,
                    narrative=data["narrative"],
                    proposed_status=data["proposed_status"],
                    proposed_rag=data["proposed_rag"],
                    proposed_target_date=data["proposed_target_date"],
                    target_date_reason=data["target_date_reason"],
                    evidence=[workflow.EvidenceInput(**row.cleaned_data) for row in formset
                              if row.cleaned_data and not row.is_blank],
                    remove_evidence=data["remove_evidence"],
                    update=update,
                    expected_version=data["version"],
                )
            except workflow.WorkflowError as error:
                if error.field == "evidence":
                    # The error summary links to the first evidence row's web address.
                    formset.forms[0].add_error("url", str(error))
                else:
                    _show_error(request, form, error)
                status = 409 if isinstance(error, workflow.ConflictError) else 200
            else:
                if "continue" in request.POST:
                    return redirect("workflow:update-submit", update.pk)
                messages.success(request, f"Your draft update on {item.reference} has been saved. "
                                          "It has not been sent to the board yet.")
                return redirect("workflow:item", item.reference)
    return render(request, TEMPLATES + "update_form.html", {
        "item": item, "update": update, "form": form, "formset": formset, "evidence": evidence,
    }, status=status)


def _answers(post):
    answers = post.dict()
    answers["remove_evidence"] = post.getlist("remove_evidence")
    answers["proposed_target_date"] = _date_parts(ProgressUpdateForm, "proposed_target_date", post)
    return answers


def _date_parts(form_class, field, post, prefix=""):
    """A date input's three boxes as typed, to show them again unsaved."""
    return form_class.base_fields[field].widget.value_from_datadict(post, None, prefix + field)


def _evidence_rows(post):
    try:
        total = min(int(post.get(f"{EVIDENCE_PREFIX}-TOTAL_FORMS", 0)), EvidenceFormSet.max_num - 1)
    except ValueError:
        total = 0
    return [
        {**{name: post.get(f"{EVIDENCE_PREFIX}-{index}-{name}", "") for name in ("title", "url", "archived_url")},
         "date": _date_parts(EvidenceForm, "date", post, f"{EVIDENCE_PREFIX}-{index}-")}
        for index in range(max(total, 0))
    ]


def one_button(request, record, act):
    """A page with one button acting on an open update or indicator value, carrying the version the
    user saw: (whether it was done, the form, the page's status). A refusal is shown as a banner."""
    form = SubmitForm(request.POST or None, initial={"version": record.version})
    if request.method == "POST" and form.is_valid():
        try:
            act(record, form.cleaned_data["version"])
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
            record.refresh_from_db()
            return False, form, 409 if isinstance(error, workflow.ConflictError) else 200
        return True, form, 200
    return False, form, 200


def _officer_step(request, pk, verb, act, done_message, done_url, template):
    """Submit or discard an open update: a page with one button (one_button), then the service's change."""
    update = _update(request, pk, "edit_update")
    item = update.item
    if update.state not in workflow.EDITABLE_STATES:
        messages.error(request, f"This update is {update.get_state_display().lower()}, so it cannot be {verb}.")
        return redirect("workflow:item", item.reference)
    done, form, status = one_button(request, update, act)
    if done:
        messages.success(request, done_message.format(reference=item.reference))
        return redirect(done_url(item))
    return render(request, TEMPLATES + template, {
        "update": update, "item": item, "form": form, "evidence": update.evidence.all(),
    }, status=status)


@login_required
def update_submit(request, pk):
    """Check your answers, then send the update to the board."""
    return _officer_step(
        request, pk, "submitted", lambda update, version: workflow.submit(request.user, update, version),
        "Your update on {reference} has been sent to the improvement board. "
        "You will get an e-mail when they have reviewed it.",
        lambda item: reverse("workflow:my-items"), "update_submit.html",
    )


@login_required
def update_discard(request, pk):
    """Delete a draft or returned update, after asking."""
    return _officer_step(
        request, pk, "discarded", lambda update, version: workflow.discard(request.user, update, version),
        "Your draft update on {reference} has been discarded.",
        lambda item: reverse("workflow:item", args=[item.reference]), "update_discard.html",
    )


@login_required
def review(request, pk):
    """The item, its history and the proposed change side by side; approve or return."""
    update = _update(request, pk, "review_update")
    form = ReviewForm(request.POST or None, initial={"version": update.version})
    waiting = update.state == ProgressUpdate.State.SUBMITTED
    # Separation of duties: the page says why this reviewer may not decide the update.
    not_yours = duties.why_not_decider(request.user, update) if waiting else None
    decision, status = decide(
        request, form, update, lambda: not waiting or policies.updates.may(request.user, "decide_update", update),
        workflow.approve, workflow.return_update,
    )
    if decision == ReviewForm.APPROVE:
        messages.success(request, f"The update on {update.item.reference} is approved and published.")
    elif decision:
        messages.success(request, f"The update on {update.item.reference} has been returned to the officer.")
    if decision:
        return redirect("workflow:review-queue")
    item = update.item
    new_date = update.proposed_target_date if update.proposed_target_date != item.current_target_date else None
    return render(request, TEMPLATES + "review.html", {
        "update": update, "item": item, "form": form, "evidence": update.evidence.all(),
        "history": item_timeline(item),
        "target_date_changes": bool(new_date),
        "target_date_moves": workflow.target_date_moves(item, new_date) if new_date else [],
        "earlier_than_first_agreed": workflow.earlier_than_first_agreed(item, new_date),
        # Said before the reviewer decides: approving would be refused (the service checks again).
        "green_problem": waiting and workflow.green_problem(item, update.proposed_status, update.proposed_rag,
                                                            update.proposed_target_date),
        "return_for_green": workflow.RETURN_FOR_GREEN,
        "waiting": update.state == ProgressUpdate.State.SUBMITTED,
        "not_yours": not_yours,
    }, status=status)


def decide(request, form, record, may_decide, approve, send_back):
    """A reviewer's decision posted on a review page (an update's or an indicator value's), made by
    the service's `approve` or `send_back`: (the decision made, or None, and the page's status).
    403 when the reviewer may not decide it (`may_decide()`, asked only of a post); a refusal is
    shown on the form."""
    if request.method != "POST":
        return None, 200
    if not may_decide():
        return None, 403
    if not form.is_valid():
        return None, 200
    decision, comment, version = (form.cleaned_data[name] for name in ("decision", "comment", "version"))
    try:
        (approve if decision == ReviewForm.APPROVE else send_back)(request.user, record, version, comment)
    except workflow.WorkflowError as error:
        _show_error(request, form, error)
        record.refresh_from_db()
        return None, 409 if isinstance(error, workflow.ConflictError) else 200
    return decision, 200


def _board_decision(request, reference, form, decide, done_message, template, initial=None, form_kwargs=None,
                    policy_action="assure_item"):
    """A reviewer's decision on an item (assure, reopen, correct): the form, then the
    service's decision, published at once; the service's refusal is shown on the form.
    `initial(item)` gives the form's starting values, `form_kwargs(item)` its other arguments."""
    item = _item(request, reference, policy_action)
    form = form(request.POST or None, initial=initial(item) if initial else None,
                **(form_kwargs(item) if form_kwargs else {}))
    if request.method == "POST" and form.is_valid():
        try:
            decide(item, form.cleaned_data)
        except workflow.WorkflowError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, f"{item.reference} {done_message}")
            return redirect("workflow:item", item.reference)
    return render(request, TEMPLATES + template, {"item": item, "form": form})


@login_required
def assure(request, reference):
    """A reviewer closes an implemented item."""
    return _board_decision(
        request, reference, AssureForm,
        lambda item, data: workflow.assure(
            request.user, item, data["narrative"], strength=data["evidence_strength"],
            checked=data.get("evidence_checked", ()), no_links_confirmed=data.get("no_links_confirmed", False),
        ),
        "is now assured and closed.", "assure.html",
        form_kwargs=lambda item: {"evidence": workflow.published_evidence(item)},
    )


@login_required
def reopen(request, reference):
    """A reviewer reopens an assured item, giving the reason (published)."""
    return _board_decision(
        request, reference, ReopenForm,
        lambda item, data: workflow.reopen(request.user, item, data["reason"], data["status"], rag=data["rag"],
                                           target_date=data["target_date"]),
        "has been reopened. The reason is published with the item.", "reopen.html",
    )


@login_required
def close(request, reference):
    """A reviewer closes an open item without it being implemented: not implemented, or
    superseded by another item or a joint action, with the reasons (published)."""
    return _board_decision(
        request, reference, CloseForm,
        lambda item, data: workflow.close(request.user, item, data["reasons"], data["status"],
                                          superseded_by=data.get("superseded_by"),
                                          superseded_by_action=data.get("superseded_by_action")),
        "is now closed without being implemented. The decision and its reasons are published with the item.",
        "close.html", policy_action="close_item",
    )


@login_required
def correct(request, reference):
    """A reviewer corrects a genuine error in the item's status, RAG rating or target date."""
    return _board_decision(
        request, reference, CorrectionForm,
        lambda item, data: workflow.correct(request.user, item, data["reason"], status=data["status"],
                                            rag=data["rag"], target_date=data["target_date"]),
        "has been corrected. The correction and its reason are published with the item.", "correct.html",
        initial=lambda item: {"status": item.status},
    )


@role_required(policies.meetings, "publish_meeting_pack")
def meetings(request):
    """The board's meetings (entered by administrators), each with its pack's state: a reviewer
    publishes a pack from here once the board agrees."""
    return render(request, TEMPLATES + "meetings.html", {
        "meetings": [(board.PublicMeeting.from_meeting(meeting), meeting.date <= timezone.localdate())
                     for meeting in policies.meetings.visible_to(request.user)],
    })


@role_required(policies.meetings, "publish_meeting_pack")
def publish_meeting_pack(request, day):
    """What the meeting's public pack would hold (only public records), then, on POST, publish it."""
    meeting = get_object_or_404(policies.meetings.visible_to(request.user), date=board.parse_meeting_day(day))
    if meeting.pack_published:
        messages.info(request, "This meeting's pack is already published as its public record.")
        return redirect("public:board-meeting-pack", day=meeting.date.isoformat())
    if request.method == "POST":
        try:
            board_meetings.publish_pack(request.user, meeting)
        except board_meetings.PackNotPublished as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The meeting pack is published as the meeting's public record.")
            return redirect("public:board-meeting-pack", day=meeting.date.isoformat())
    record = board.PublicMeeting.from_meeting(meeting)
    future = meeting.date > timezone.localdate()
    pack = None if future else board.as_published(record, board_meetings.preview(meeting)[1])
    return render(request, TEMPLATES + "publish_meeting_pack.html", {"meeting": record, "pack": pack})
