"""
"Is this right? Tell the board": the public form, and the reviewers' queue.

The rules are in recommendations.services.feedback. The public form has a CSRF
token, so like the e-mail alerts pages it is never cached: the item page (which
is) only links to it. After sending, the browser is redirected to a page that
says what happens next (POST/redirect/GET), so reloading sends nothing twice.
The reviewers' pages ask policies.feedback, as the workflow's ask theirs.
"""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from recommendations import policies
from recommendations.forms import FeedbackDecisionForm, FeedbackForm
from recommendations.models import Feedback
from recommendations.public import records
from recommendations.services import feedback as feedback_service
from recommendations.views.workflow import role_required
from tracker.proxies import client_ip

PUBLIC = "recommendations/public/"
WORK = "recommendations/workflow/"


def _item(reference):
    """The item's public Followed record (its name and page); 404 if there is none."""
    return records.followed("item", reference)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tell_the_board(request, reference):
    item = _item(reference)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_service.receive(reference, data["text"], data["email"], client_ip(request),
                                     honeypot=data["website"])
        except feedback_service.FeedbackError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect("public:feedback-sent", reference)
    return render(request, PUBLIC + "tell_the_board.html", {
        "item": item, "form": form, "days": feedback_service.retention_days(),
    })


@never_cache
@require_safe
def sent(request, reference):
    return render(request, PUBLIC + "feedback_sent.html", {"item": _item(reference)})


# --- Reviewers ----------------------------------------------------------------------


@role_required(policies.feedback, "moderate_feedback")
def queue(request):
    """Feedback waiting, newest first, and the latest decided on."""
    return render(request, WORK + "feedback_queue.html", {
        "waiting": list(feedback_service.queue(request.user)),
        "handled": list(feedback_service.handled(request.user)),
        "counts": feedback_service.counts(),
    })


@role_required(policies.feedback, "moderate_feedback")
def decide(request, feedback_id):
    feedback = get_object_or_404(Feedback.objects.select_related("item", "handled_by"), pk=feedback_id)
    if not policies.feedback.may(request.user, "moderate_feedback", feedback):
        # A safeguarding concern has left the queue: its text is not shown again here.
        raise Http404
    form = FeedbackDecisionForm(request.POST or None, initial={"version": feedback.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision, version = data["decision"], data["version"]
        try:
            if decision == form.REPLY:
                feedback_service.reply(request.user, feedback, version, data["reply"])
                done = "Your reply has been sent."
            elif decision == form.PUBLISH:
                feedback_service.publish(request.user, feedback, version, data["summary"], data["response"])
                done = f"The response is published on {feedback.item.reference}."
            elif decision == form.NOT_RELEVANT:
                feedback_service.mark_not_relevant(request.user, feedback, version)
                done = "The feedback is marked as not relevant."
            else:
                feedback_service.mark_safeguarding(request.user, feedback, version)
                done = "The feedback has been passed to the safeguarding contact and taken out of the queue."
        except feedback_service.FeedbackError as error:
            if isinstance(error, feedback_service.ConflictError):
                status = 409
            form.add_error(error.field if error.field in form.fields else None, str(error))
            feedback.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("workflow:feedback-queue")
    return render(request, WORK + "feedback_decide.html", {
        "feedback": feedback, "form": form, "waiting": feedback.state == Feedback.State.NEW,
        "safeguarding_contact_set": bool(settings.TRACKER_SAFEGUARDING_EMAIL),
    }, status=status)


@role_required(policies.feedback, "moderate_feedback")
@require_http_methods(["GET", "HEAD", "POST"])
def safeguarding(request):
    """Concerns passed to the safeguarding contact: when, by whom, whether the e-mail went (never the text).
    A POST sends one whose e-mail did not go again."""
    if request.method == "POST":
        chosen = request.POST.get("feedback", "")
        feedback = get_object_or_404(Feedback.objects.select_related("item", "handled_by"),
                                     pk=int(chosen) if chosen.isdigit() and len(chosen) < 10 else 0)
        if not policies.feedback.may(request.user, "view_safeguarding_referral", feedback):
            raise PermissionDenied
        try:
            went = feedback_service.notify_again(request.user, feedback)
        except feedback_service.FeedbackError as error:
            messages.error(request, str(error))
        else:
            if went:
                messages.success(request, "The safeguarding contact has been sent the concern.")
            else:
                messages.error(request, "The e-mail could not be sent. Try again, or tell the safeguarding team "
                                        "directly.")
        return redirect("workflow:feedback-safeguarding")
    return render(request, WORK + "feedback_safeguarding.html", {
        "referrals": list(feedback_service.safeguarding_referrals(request.user)),
    })
