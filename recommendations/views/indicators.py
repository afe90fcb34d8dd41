"""
Signed-in screens for outcome indicators' values (/work/indicators/, /work/values/...):
officers report a value for an indicator linked to their organisation's items; reviewers
approve or return it. Every view asks policies.indicators and changes things only through
services.indicators; a value the user may not see answers 404, one they may see but not act
on 403, as the progress updates' screens do (views/workflow.py).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from recommendations import policies
from recommendations.forms import IndicatorValueForm, ReviewForm
from recommendations.models import Indicator, IndicatorValue
from recommendations.public.records import public_indicators
from recommendations.services import indicators
from recommendations.views.workflow import TEMPLATES, _allow, _show_error, decide, one_button


@login_required
def indicator_values(request):
    """An officer's indicators and their organisation's values; a reviewer's values to review."""
    user = request.user
    if policies.indicators.may(user, "review_value"):
        return render(request, TEMPLATES + "value_queue.html", {
            "values": indicators.with_reasons(user, indicators.waiting_for_review()),
        })
    if not policies.items.may(user, "view_my_items"):
        raise PermissionDenied
    return render(request, TEMPLATES + "indicator_values.html", {
        "indicators": list(indicators.reportable(user)),
        "values": list(indicators.values_of_organisation(user)),
        "organisation": user.organisation,
    })


def _value(request, pk, action):
    value = get_object_or_404(IndicatorValue.objects.select_related("indicator", "organisation", "author"), pk=pk)
    _allow(policies.indicators, request.user, action, value, "view_value")
    return value


@login_required
def value_new(request, slug):
    indicator = get_object_or_404(Indicator, slug=slug)
    if not policies.indicators.may(request.user, "report_value", indicator):
        # Definitions are public: there is nothing to hide, so a refusal is a refusal.
        raise PermissionDenied
    return _edit_value(request, indicator, None)


@login_required
def value_edit(request, pk):
    value = _value(request, pk, "edit_value")
    if value.state not in indicators.EDITABLE_STATES:
        messages.error(request, f"This value is {value.get_state_display().lower()}, so it cannot be changed.")
        return redirect("workflow:indicator-values")
    return _edit_value(request, value.indicator, value)


def _edit_value(request, indicator, value):
    initial = IndicatorValueForm.initial_for(value) if value else {}
    form = IndicatorValueForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = indicators.save_value(
                request.user, indicator, period_start=data["period_start"], period_end=data["period_end"],
                value=data["value"], note=data["note"], evidence_url=data["evidence_url"], existing=value,
                expected_version=data["version"] if value else None,
            )
        except indicators.WorkflowError as error:
            _show_error(request, form, error)
            status = 409 if isinstance(error, indicators.ConflictError) else 200
        else:
            if "continue" in request.POST:
                return redirect("workflow:value-submit", value.pk)
            messages.success(request, f"Your value of “{indicator.name}” is saved as a draft.")
            return redirect("workflow:indicator-values")
    return render(request, TEMPLATES + "value_form.html", {
        "indicator": indicator, "value": value, "form": form,
        "public": public_indicators(Indicator.objects.filter(pk=indicator.pk))[0],
    }, status=status)


def _officer_step(request, pk, verb, act, done_message):
    """Submit or discard an open value: a page with one button (views.workflow.one_button)."""
    value = _value(request, pk, "edit_value")
    if value.state not in indicators.EDITABLE_STATES:
        messages.error(request, f"This value is {value.get_state_display().lower()}, so it cannot be {verb}.")
        return redirect("workflow:indicator-values")
    done, form, status = one_button(request, value, act)
    if done:
        messages.success(request, done_message.format(name=value.indicator.name))
        return redirect("workflow:indicator-values")
    return render(request, TEMPLATES + "value_step.html", {"value": value, "form": form, "verb": verb},
                  status=status)


@login_required
def value_submit(request, pk):
    return _officer_step(
        request, pk, "submitted", lambda value, version: indicators.submit_value(request.user, value, version),
        "Your value of “{name}” has been sent to the improvement board.",
    )


@login_required
def value_discard(request, pk):
    return _officer_step(
        request, pk, "discarded", lambda value, version: indicators.discard_value(request.user, value, version),
        "Your draft value of “{name}” has been discarded.",
    )


@login_required
def value_review(request, pk):
    value = _value(request, pk, "review_value")
    form = ReviewForm(request.POST or None, initial={"version": value.version})
    waiting = value.state == IndicatorValue.State.SUBMITTED
    not_yours = indicators.with_reasons(request.user, [value])[0].not_yours if waiting else None
    decision, status = decide(
        request, form, value, lambda: not waiting or policies.indicators.may(request.user, "decide_value", value),
        indicators.approve_value, indicators.return_value,
    )
    if decision:
        done = "approved and published" if decision == ReviewForm.APPROVE else "returned to the officer"
        messages.success(request, f"The value of “{value.indicator.name}” is {done}.")
        return redirect("workflow:indicator-values")
    return render(request, TEMPLATES + "value_review.html", {
        "value": value, "form": form, "waiting": waiting, "not_yours": not_yours,
        "public": public_indicators(Indicator.objects.filter(pk=value.indicator_id))[0],
    }, status=status)
