from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def signed_in_home(request):
    """Send each role to the page where its work starts."""
    if request.user.has_perm("recommendations.review_update"):
        return redirect("workflow:review-queue")
    if request.user.has_perm("recommendations.view_board"):
        return redirect("board:overview")
    return redirect("workflow:my-items")
