"""Outcome indicators: the seeds' definitions and every rule of their values' workflow
(recommendations.services.indicators), with the publication log."""
import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied

from recommendations import roles
from recommendations.models import Indicator, IndicatorValue, Organisation, PublicationLogEntry
from recommendations.public import records
from recommendations.services import indicators, publication_log
from recommendations.services.workflow import ConflictError, WorkflowError
from tests.helpers import make_user
from tests.indicator_helpers import approved_value, council_indicator, draft_value, month, submitted_value

pytestmark = pytest.mark.django_db
State = IndicatorValue.State


def test_the_seeds_define_indicators_linked_to_jay_and_ofsted_items_without_values(seeded):
    loaded = {indicator.slug: indicator for indicator in Indicator.objects.prefetch_related("items", "themes")}
    assert {"lac-visits-on-time", "missing-return-interviews", "cse-team-referrals",
            "survivor-support-wait"} <= set(loaded)
    for indicator in loaded.values():
        assert indicator.definition and indicator.unit and indicator.data_source and indicator.better
        assert {item.source.code for item in indicator.items.all()} <= {"JAY", "OFSTED"}
        assert indicator.items.exists() and indicator.themes.exists()
    # Definitions only: no values, and no baseline or target invented.
    assert not IndicatorValue.objects.exists()
    assert all(indicator.baseline_value is None and indicator.target_value is None for indicator in loaded.values())
    # And the definitions are in the publication log, which holds.
    assert publication_log.check() == []


def test_a_value_goes_from_draft_to_submitted_to_published(council_officer, reviewer,
                                                         django_capture_on_commit_callbacks):
    value = draft_value(council_officer)
    assert value.state == State.DRAFT and value.value == Decimal("87.5")
    assert records.public_indicators(Indicator.objects.filter(pk=value.indicator_id))[0].values == ()
    with django_capture_on_commit_callbacks(execute=True):
        value = indicators.submit_value(council_officer, value, value.version)
    assert value.state == State.SUBMITTED and value.submitted_at
    assert mail.outbox and "review" in mail.outbox[-1].subject.lower()
    value = indicators.approve_value(reviewer, value, value.version)
    assert value.state == State.APPROVED and value.published_at and value.reviewer == reviewer
    public = records.public_indicators(Indicator.objects.filter(pk=value.indicator_id))[0]
    assert [(shown.value, shown.organisation_name) for shown in public.values] == [
        (Decimal("87.50"), council_officer.organisation.name)]
    entry = PublicationLogEntry.objects.order_by("-id").first()
    assert entry.kind == PublicationLogEntry.Kind.INDICATOR_VALUE and "council-officer" not in entry.content
    assert publication_log.check() == []


def test_saving_again_changes_the_same_draft(council_officer):
    first = draft_value(council_officer)
    second = draft_value(council_officer, value="90")
    assert first.pk == second.pk and IndicatorValue.objects.count() == 1
    second.refresh_from_db()
    assert second.value == Decimal("90")


def test_a_returned_value_is_changed_and_submitted_again(council_officer, reviewer):
    value = submitted_value(council_officer)
    with pytest.raises(WorkflowError, match="Say what"):
        indicators.return_value(reviewer, value, value.version, "  ")
    value = indicators.return_value(reviewer, value, value.version, "Which month's report is this?")
    assert value.state == State.RETURNED
    value = indicators.save_value(council_officer, value.indicator, period_start=value.period_start,
                                  period_end=value.period_end, value="88", existing=value,
                                  expected_version=value.version)
    value = indicators.submit_value(council_officer, value, value.version)
    assert value.state == State.SUBMITTED
    value = indicators.approve_value(reviewer, value, value.version)
    assert value.value == Decimal("88")


def test_a_draft_can_be_discarded(council_officer):
    value = draft_value(council_officer)
    indicators.discard_value(council_officer, value, value.version)
    assert not IndicatorValue.objects.exists()


def test_only_an_organisation_that_owns_one_of_its_items_reports_it(council_officer, police_officer):
    # The police own none of the items linked to the looked-after children indicator.
    with pytest.raises(PermissionDenied):
        draft_value(police_officer)
    assert council_indicator() in indicators.reportable(council_officer)
    assert council_indicator() not in indicators.reportable(police_officer)


def test_another_organisations_officer_cannot_touch_a_value(council_officer, seeded):
    value = draft_value(council_officer)
    # An officer of another organisation, even one that reports on the same indicator, cannot change it.
    other = Organisation.objects.exclude(pk=council_officer.organisation_id).first()
    stranger = make_user("stranger", roles.OFFICERS, other)
    with pytest.raises(PermissionDenied):
        indicators.submit_value(stranger, value, value.version)


def test_an_officer_cannot_approve(council_officer):
    value = submitted_value(council_officer)
    with pytest.raises(PermissionDenied):
        indicators.approve_value(council_officer, value, value.version)


def test_a_person_with_both_roles_cannot_approve_their_own_value(council_officer, seeded):
    both = make_user("officer-and-reviewer", roles.OFFICERS, council_officer.organisation)
    both.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    value = submitted_value(both)
    with pytest.raises(WorkflowError, match="another member of the board"):
        indicators.approve_value(both, value, value.version)
    with pytest.raises(WorkflowError):
        indicators.return_value(both, value, value.version, "No")
    value.refresh_from_db()
    assert value.state == State.SUBMITTED


def test_a_reviewer_who_changed_a_value_cannot_decide_it(council_officer, seeded):
    """Someone who worked on it (here: a council reviewer) is refused, whatever their role now."""
    reviewer = make_user("council-reviewer", roles.REVIEWERS, council_officer.organisation)
    value = submitted_value(council_officer)
    with pytest.raises(WorkflowError, match="own organisation"):
        indicators.approve_value(reviewer, value, value.version)


def test_two_reviewers_at_once_one_wins(council_officer, reviewer, second_reviewer):
    value = submitted_value(council_officer)
    seen_version = value.version
    indicators.approve_value(reviewer, value, seen_version)
    stale = IndicatorValue.objects.get(pk=value.pk)
    with pytest.raises(ConflictError):
        indicators.return_value(second_reviewer, stale, seen_version, "Wrong")
    assert PublicationLogEntry.objects.filter(kind=PublicationLogEntry.Kind.INDICATOR_VALUE).count() == 1


def test_a_published_value_never_changes(council_officer, reviewer):
    value = approved_value(council_officer, reviewer)
    with pytest.raises(WorkflowError, match="published"):
        indicators.save_value(council_officer, value.indicator, period_start=value.period_start,
                              period_end=value.period_end, value="1", existing=value,
                              expected_version=value.version)


@pytest.mark.parametrize("changes, field", [
    ({"value": "lots"}, "value"),
    ({"value": "1.234"}, "value"),
    ({"value": "1e400"}, "value"),
    ({"value": "NaN"}, "value"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ({"period_end": datetime.date(2024, 12, 1)}, "period_end"),
    ({"period_end": datetime.date.today() + datetime.timedelta(days=1)}, "period_end"),
])
def test_bad_values_are_refused_with_a_message_and_nothing_saved(council_officer, changes, field):
    with pytest.raises(WorkflowError) as refused:
        draft_value(council_officer, **changes)
    assert refused.value.field == field
    assert not IndicatorValue.objects.exists()


def test_a_value_forged_in_the_database_is_found_by_the_log_check(council_officer, reviewer):
    approved_value(council_officer, reviewer)
    assert publication_log.check() == []
    start, end = month(2025, 2)
    IndicatorValue.objects.create(
        indicator=council_indicator(), author=council_officer, organisation=council_officer.organisation,
        period_start=start, period_end=end, value=Decimal("99"), state=State.APPROVED,
        published_at=datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc))
    problems = [str(problem) for problem in publication_log.check()]
    assert any("indicator value" in problem and "no entry" in problem for problem in problems)


def test_a_published_value_changed_in_the_database_is_found(council_officer, reviewer):
    value = approved_value(council_officer, reviewer)
    IndicatorValue.objects.filter(pk=value.pk).update(value=Decimal("12"))
    problems = [str(problem) for problem in publication_log.check()]
    assert any(f"indicator value {value.pk}" in problem and "value" in problem for problem in problems)


def test_a_definition_changed_around_the_seeds_is_found(seeded):
    Indicator.objects.filter(slug="cse-team-referrals").update(unit="cases")
    problems = [str(problem) for problem in publication_log.check()]
    assert any("indicator cse-team-referrals" in problem and "unit" in problem for problem in problems)


def test_a_later_value_for_the_same_period_replaces_the_earlier_in_public(council_officer, reviewer):
    approved_value(council_officer, reviewer, value="80")
    approved_value(council_officer, reviewer, value="81")
    public = records.public_indicators(Indicator.objects.filter(slug=council_indicator().slug))[0]
    assert [value.value for value in public.values] == [Decimal("81")]
    assert publication_log.check() == []
