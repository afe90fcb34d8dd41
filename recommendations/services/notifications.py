"""E-mails sent when the workflow moves. Each function takes the ProgressUpdate."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from recommendations import roles


def _send(subject, body, recipients):
    recipients = sorted({address for address in recipients if address})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def update_submitted(update):
    reviewers = get_user_model().objects.filter(groups__name=roles.REVIEWERS, is_active=True)
    _send(
        f"Update to review: {update.item.reference}",
        f"An update on {update.item} has been submitted for review.\n"
        "Sign in to the tracker and open the review queue to approve it or return it.",
        reviewers.values_list("email", flat=True),
    )


def update_returned(update):
    _send(
        f"Update returned: {update.item.reference}",
        f"Your update on {update.item} was returned by the improvement board with this comment:\n\n"
        f"{update.review_comment}\n\nSign in to the tracker to change it and submit it again.",
        [update.author.email],
    )


def update_approved(update):
    _send(
        f"Update published: {update.item.reference}",
        f"Your update on {update.item} was approved and is now published.",
        [update.author.email],
    )
