from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from recommendations.forms import ThrottledPasswordChangeForm
from recommendations.rules import allowed


@login_required
def signed_in_home(request):
    """Send each role to the page where its work starts."""
    if allowed(request.user, "recommendations.review_update"):
        return redirect("workflow:review-queue")
    if allowed(request.user, "recommendations.view_board"):
        return redirect("board:overview")
    return redirect("workflow:my-items")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with GOV.UK inputs and throttled like signing in.

    Django keeps this session signed in and, through the session auth hash,
    signs out every other session of the user.
    """

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "govuk-input govuk-!-width-two-thirds"
        return form
