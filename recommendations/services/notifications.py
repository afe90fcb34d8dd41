"""E-mails sent when the workflow moves. Each function takes the ProgressUpdate.

Every e-mail links to the page where the reader acts, as a full address
built from SITE_URL (an e-mail has no page to be relative to).
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from recommendations import roles
from recommendations.services import outgoing_mail


def link(view_name, *args):
    """The full web address of a page, for e-mails."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args)


def _send(subject, body, recipients):
    recipients = sorted({address for address in recipients if address})
    if recipients:
        outgoing_mail.send(subject, body, recipients)


def update_submitted(update):
    reviewers = get_user_model().objects.filter(groups__name=roles.REVIEWERS, is_active=True)
    _send(
        f"Update to review: {update.item.reference}",
        f"An update on {update.item} has been submitted for review.\n\n"
        f"Review it (approve it or return it): {link('workflow:review-update', update.pk)}",
        reviewers.exclude(pk=update.author_id).values_list("email", flat=True),
    )


def update_returned(update):
    _send(
        f"Update returned: {update.item.reference}",
        f"Your update on {update.item} was returned by the improvement board with this comment:\n\n"
        f"{update.review_comment}\n\nChange it and submit it again: {link('workflow:update-edit', update.pk)}",
        [update.author.email],
    )


def update_approved(update):
    _send(
        f"Update published: {update.item.reference}",
        f"Your update on {update.item} was approved and is now published: "
        f"{link('public:item-detail', update.item.reference)}",
        [update.author.email],
    )


# Outcome indicators' values (services/indicators.py): the same moments as an update's.


def value_submitted(value):
    reviewers = get_user_model().objects.filter(groups__name=roles.REVIEWERS, is_active=True)
    _send(
        f"Indicator value to review: {value.indicator.name}",
        f"A value of “{value.indicator.name}” for {value.period_start} to {value.period_end} has been submitted "
        f"for review.\n\nReview it (approve it or return it): {link('workflow:review-value', value.pk)}",
        reviewers.exclude(pk=value.author_id).values_list("email", flat=True),
    )


def value_returned(value):
    _send(
        f"Indicator value returned: {value.indicator.name}",
        f"Your value of “{value.indicator.name}” for {value.period_start} to {value.period_end} was returned by "
        f"the improvement board with this comment:\n\n{value.review_comment}\n\n"
        f"Change it and submit it again: {link('workflow:value-edit', value.pk)}",
        [value.author.email],
    )


def value_approved(value):
    _send(
        f"Indicator value published: {value.indicator.name}",
        f"Your value of “{value.indicator.name}” for {value.period_start} to {value.period_end} was approved and "
        f"is now published: {link('public:item-detail', value.indicator.items.order_by('reference')[0].reference)}"
        f"#indicator-{value.indicator.slug}",
        [value.author.email],
    )
