"""Signed-in screens for officers and improvement board reviewers."""
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from recommendations.models import ProgressUpdate
from recommendations.rules import items_worked_on_by


@login_required
def my_items(request):
    items = items_worked_on_by(request.user).select_related("source", "owner")
    return render(request, "recommendations/workflow/my_items.html", {"items": items})


@permission_required("recommendations.review_update", raise_exception=True)
def review_queue(request):
    updates = (
        ProgressUpdate.objects.filter(state=ProgressUpdate.State.SUBMITTED)
        .select_related("item", "author")
        .order_by("submitted_at")
    )
    return render(request, "recommendations/workflow/review_queue.html", {"updates": updates})
