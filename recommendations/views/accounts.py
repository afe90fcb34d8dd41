from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from recommendations.rules import allowed


@login_required
def signed_in_home(request):
    """Send each role to the page where its work starts."""
    if allowed(request.user, "recommendations.review_update"):
        return redirect("workflow:review-queue")
    if allowed(request.user, "recommendations.view_board"):
        return redirect("board:overview")
    return redirect("workflow:my-items")
