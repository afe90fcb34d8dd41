"""
The outcome indicators' values: draft -> submitted -> approved (published) or returned ->
submitted again, as progress updates go (services/workflow.py, whose claim, errors and
after-commit e-mails this reuses).

Rules enforced here:
- a value is reported by an officer of an organisation that owns one of the indicator's
  items, and belongs to that organisation: only its officers change, submit or discard it
  (policies.indicators); it has at most one open value per indicator and period;
- a period ends on or after the day it starts, and not after today; a value is a number
  with at most two decimal places; an evidence link is an http(s) address;
- nobody approves or returns a value they created, changed or submitted, nor one from their
  own organisation, even holding both roles (duties.why_not_value_decider);
- returning a value says why; an approved value never changes again (a later value for
  the same period replaces it in public, and both stay in the publication log);
- every publication is appended to the publication log with the indicator's definition;
- two people acting on the same value at once: one wins, the other is told.
"""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recommendations import duties, policies
from recommendations.models import IndicatorValue, http_url_validator
from recommendations.services import notifications, publication_log
from recommendations.services.workflow import (  # noqa: F401 (the errors: for views that catch them)
    EDITABLE_STATES, ConflictError, WorkflowError, _claim, _notify, _require, _save,
)

State = IndicatorValue.State
NOUN = "value"
# The largest value a DecimalField(max_digits=14, decimal_places=2) holds.
LARGEST = Decimal("999999999999.99")


def reportable(user):
    """The indicators the user may report values for, by name."""
    return policies.indicators.reportable_by(user).order_by("name")


def open_value(indicator, organisation, period_start):
    """The organisation's open value (draft, submitted or returned) for this period, or None."""
    return IndicatorValue.objects.filter(indicator=indicator, organisation=organisation, period_start=period_start,
                                         state__in=IndicatorValue.OPEN_STATES).first()


def parse_value(text):
    """A reported number from what was typed ("1,234.5" too), or WorkflowError."""
    try:
        number = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        raise WorkflowError("Enter the value as a number, such as 87 or 12.5.", field="value") from None
    if not number.is_finite() or abs(number) > LARGEST:
        raise WorkflowError("Enter the value as a number, such as 87 or 12.5.", field="value")
    if number != number.quantize(Decimal("0.01")):
        raise WorkflowError("Give the value with at most two decimal places.", field="value")
    return number


def _check_value(period_start, period_end, value, evidence_url):
    if not period_start:
        raise WorkflowError("Enter the first day of the period.", field="period_start")
    if not period_end:
        raise WorkflowError("Enter the last day of the period.", field="period_end")
    if period_end < period_start:
        raise WorkflowError("The period must end on or after the day it starts.", field="period_end")
    if period_end > timezone.localdate():
        raise WorkflowError("Report a value once its period has ended: the last day must be today or earlier.",
                            field="period_end")
    value = parse_value(value)
    if evidence_url:
        try:
            http_url_validator(evidence_url)
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages), field="evidence_url") from error
    return value


def save_value(user, indicator, *, period_start, period_end, value, note="", evidence_url="", existing=None,
               expected_version=None):
    """Create a draft value, or change a draft or returned one. Returns the value.

    Saving a new draft where the organisation already has an open value for the same
    indicator and period changes that one instead (a second click)."""
    _require(policies.indicators, user, "report_value", indicator)
    if existing is not None:
        _require(policies.indicators, user, "edit_value", existing)
        if existing.indicator_id != indicator.pk:
            raise PermissionDenied
    number = _check_value(period_start, period_end, value, evidence_url)
    with transaction.atomic():
        if existing is None:
            existing = open_value(indicator, user.organisation, period_start)
            if existing is not None and existing.state == State.SUBMITTED:
                raise WorkflowError("A value from your organisation for this period is waiting for the board's "
                                    "review. You can report another once it has been approved or returned.")
            if existing is not None:
                expected_version = existing.version
        if existing is None:
            existing = IndicatorValue(indicator=indicator, author=user, organisation=user.organisation)
            reason = "Draft started"
        else:
            _claim(existing, expected_version, EDITABLE_STATES, NOUN)
            reason = "Draft changed" if existing.state == State.DRAFT else "Returned value changed"
        existing.period_start, existing.period_end = period_start, period_end
        existing.value, existing.note, existing.evidence_url = number, note, evidence_url
        try:
            with transaction.atomic():
                _save(existing, user, reason)
        except IntegrityError:
            raise ConflictError("This value was just saved from another window or by a second click. "
                                "Nothing more was saved: open your values to see it.") from None
    return existing


def discard_value(user, value, expected_version):
    _require(policies.indicators, user, "edit_value", value)
    with transaction.atomic():
        _claim(value, expected_version, EDITABLE_STATES, NOUN)
        value._history_user = user
        value._change_reason = "Discarded by its organisation"
        value.delete()


def submit_value(user, value, expected_version):
    _require(policies.indicators, user, "edit_value", value)
    with transaction.atomic():
        _claim(value, expected_version, EDITABLE_STATES, NOUN)
        # Checked again, as an update's proposal is: a value saved by an older version may not pass now.
        _check_value(value.period_start, value.period_end, value.value, value.evidence_url)
        value.state = State.SUBMITTED
        value.submitted_at = timezone.now()
        _save(value, user, "Submitted for review")
    _notify(notifications.value_submitted, value)
    return value


def _in_words(reason):
    """duties' reason, said of a value rather than an update."""
    return reason and reason.replace("update", NOUN).replace("its evidence", "its evidence link")


def _check_may_decide(reviewer, value):
    reason = _in_words(duties.why_not_value_decider(reviewer, value))
    if reason:
        raise WorkflowError(reason)


def approve_value(reviewer, value, expected_version, comment=""):
    """Publish the value, logged with its indicator's definition."""
    _require(policies.indicators, reviewer, "review_value", value)
    _check_may_decide(reviewer, value)
    with transaction.atomic():
        _claim(value, expected_version, (State.SUBMITTED,), NOUN)
        now = timezone.now()
        value.state = State.APPROVED
        value.reviewer, value.reviewed_at, value.published_at = reviewer, now, now
        value.review_comment = comment
        _save(value, reviewer, duties.APPROVED)
        publication_log.record_indicator_value(value)
    _notify(notifications.value_approved, value)
    return value


def return_value(reviewer, value, expected_version, comment):
    _require(policies.indicators, reviewer, "review_value", value)
    _check_may_decide(reviewer, value)
    if not comment.strip():
        raise WorkflowError("Say what the officer needs to change before this value can be approved.",
                            field="comment")
    with transaction.atomic():
        _claim(value, expected_version, (State.SUBMITTED,), NOUN)
        value.state = State.RETURNED
        value.reviewer, value.reviewed_at = reviewer, timezone.now()
        value.review_comment = comment
        _save(value, reviewer, duties.RETURNED)
    _notify(notifications.value_returned, value)
    return value


def waiting_for_review():
    """Submitted values waiting for a reviewer, longest waiting first."""
    return (IndicatorValue.objects.filter(state=State.SUBMITTED)
            .select_related("indicator", "organisation", "author").order_by("submitted_at", "pk"))


def with_reasons(user, values):
    """Mark each value of a list with `not_yours`: why `user` may not decide it, or None. One query."""
    values = list(values)
    worked_on = duties.value_worked_on_by(IndicatorValue.objects.filter(pk__in=[value.pk for value in values]))
    for value in values:
        value.not_yours = _in_words(duties.why_not_value_decider(user, value, worked_on.get(value.pk, set())))
    return values


def values_of_organisation(user):
    """The user's organisation's values on the indicators it reports, newest first."""
    return (policies.indicators.values_visible_to(user).filter(organisation_id=user.organisation_id)
            .select_related("indicator").order_by("-updated_at", "-pk"))


def last_day_of_previous_month(today=None):
    """A default period end for the form: values are reported once a period is over."""
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)
