"""The outcome indicators' signed-in screens for every role, and a value's way through them to the public pages."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Indicator, IndicatorValue, User
from tests.hostile import SCRIPT_PAYLOADS, assert_escaped
from tests.indicator_helpers import COUNCIL_INDICATOR, approved_value, draft_value, submitted_value
from tests.workflow_helpers import with_date_inputs

pytestmark = pytest.mark.django_db
State = IndicatorValue.State

ROLES = ["anonymous", "council_officer", "police_officer", "reviewer", "administrator", "no_role"]

# url name -> expected GET status per role, in ROLES order (as tests/test_workflow_views.py).
EXPECTED = {
    "indicator-values": [302, 200, 200, 200, 403, 403],
    "value-new":        [302, 200, 403, 403, 403, 403],
    "value-edit":       [302, 200, 404, 403, 403, 404],
    "value-submit":     [302, 200, 404, 403, 403, 404],
    "value-discard":    [302, 200, 404, 403, 403, 404],
    "review-value":     [302, 403, 404, 200, 403, 404],
}


@pytest.fixture
def no_role(seeded):
    return User.objects.create_user("no-role", password="correct-horse-battery")


@pytest.fixture
def council_value_draft(council_officer):
    return draft_value(council_officer, period=(2025, 1))


@pytest.fixture
def council_value_submitted(council_officer):
    return submitted_value(council_officer, period=(2025, 2))


@pytest.fixture
def urls(council_value_draft, council_value_submitted):
    return {
        "indicator-values": reverse("workflow:indicator-values"),
        "value-new": reverse("workflow:value-new", args=[COUNCIL_INDICATOR]),
        "value-edit": reverse("workflow:value-edit", args=[council_value_draft.pk]),
        "value-submit": reverse("workflow:value-submit", args=[council_value_draft.pk]),
        "value-discard": reverse("workflow:value-discard", args=[council_value_draft.pk]),
        "review-value": reverse("workflow:review-value", args=[council_value_submitted.pk]),
    }


def _client_for(role, request, client):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _snapshot():
    return sorted(IndicatorValue.objects.values_list("pk", "state", "version", "value"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", EXPECTED)
def test_every_role_gets_the_right_answer_on_every_url(request, client, urls, role, name):
    client = _client_for(role, request, client)
    response = client.get(urls[name])
    expected = EXPECTED[name][ROLES.index(role)]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


FORBIDDEN_POSTS = [(name, role) for name, codes in EXPECTED.items() for role, code in zip(ROLES, codes)
                   if code != 200]


@pytest.mark.parametrize("name,role", FORBIDDEN_POSTS)
def test_a_forbidden_post_changes_nothing(request, client, urls, name, role, council_value_submitted):
    client = _client_for(role, request, client)
    before = _snapshot()
    data = with_date_inputs({"period_start": "2025-03-01", "period_end": "2025-03-31", "value": "1",
                             "version": council_value_submitted.version, "decision": "approve",
                             "comment": "Forged"})
    response = client.post(urls[name], data)
    assert response.status_code == EXPECTED[name][ROLES.index(role)]
    assert _snapshot() == before


def test_an_officer_reports_a_value_and_a_reviewer_publishes_it(client, council_officer, reviewer,
                                                                django_capture_on_commit_callbacks):
    client.force_login(council_officer)
    page = client.get(reverse("workflow:item", args=["OFSTED-F9"])).content.decode()
    assert reverse("workflow:value-new", args=[COUNCIL_INDICATOR]) in page
    response = client.post(reverse("workflow:value-new", args=[COUNCIL_INDICATOR]), with_date_inputs(
        {"period_start": "2025-04-01", "period_end": "2025-04-30", "value": "91.5", "note": "Better than March.",
         "evidence_url": "https://example.org/april.pdf", "continue": "1"}))
    value = IndicatorValue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workflow:value-submit", args=[value.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workflow:value-submit", args=[value.pk]), {"version": value.version})
    value.refresh_from_db()
    assert value.state == State.SUBMITTED
    client.force_login(reviewer)
    queue = client.get(reverse("workflow:indicator-values")).content.decode()
    assert reverse("workflow:review-value", args=[value.pk]) in queue
    response = client.post(reverse("workflow:review-value", args=[value.pk]),
                           {"version": value.version, "decision": "approve", "comment": ""})
    assert response.status_code == 302
    client.logout()
    public = client.get(reverse("public:item-detail", args=["OFSTED-F9"])).content.decode()
    assert "91.5" in public and "Better than March." in public and "tracker-svg-chart" in public
    theme = client.get(reverse("public:theme-detail", args=["looked-after-children"])).content.decode()
    assert "91.5" in theme


def test_a_bad_value_is_shown_on_the_form_and_nothing_saved(client, council_officer):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:value-new", args=[COUNCIL_INDICATOR]), with_date_inputs(
        {"period_start": "2025-04-01", "period_end": "2025-04-30", "value": "about ninety", "save": "1"}))
    assert response.status_code == 200 and "Enter the value as a number" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_an_item_with_an_indicator_but_no_values_says_so(client, seeded):
    page = client.get(reverse("public:item-detail", args=["JAY-11"])).content.decode()
    assert "Children reported missing who were offered and had a return interview" in page
    assert "No values have been published for this indicator yet." in page


def test_a_published_value_is_in_the_feeds_and_the_open_data(client, council_officer, reviewer):
    value = approved_value(council_officer, reviewer, note="Visits recorded in the new case system.")
    for url in ("/feed/", "/items/OFSTED-F9/feed/", "/themes/looked-after-children/feed/", "/sources/OFSTED/feed/"):
        body = client.get(url).content.decode()
        assert "Visits recorded in the new case system." in body, url
        assert f"#indicator-value-{value.pk}" in body, url
    assert f'id="indicator-value-{value.pk}"' in client.get("/items/OFSTED-F9/").content.decode()
    assert "Visits recorded" in client.get("/indicator-values.csv").content.decode()
    definitions = client.get("/indicators.json").json()["indicators"]
    shown = next(record for record in definitions if record["slug"] == value.indicator.slug)
    assert shown["published_values"] == 1 and shown["definition"].startswith("Of the children")
    values = client.get("/indicator-values.json").json()["indicator-values"]
    assert [(record["value"], record["organisation"]) for record in values] == [
        (87.5, council_officer.organisation.name)]


def test_the_record_as_at_a_date_shows_only_the_values_published_by_then(client, council_officer, reviewer):
    value = approved_value(council_officer, reviewer, note="Published today.")
    today = timezone.localdate()
    assert "Published today." in client.get(f"/as-at/{today.isoformat()}/").content.decode()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    page = client.get(f"/as-at/{yesterday}/").content.decode()
    assert "Looked-after children visited on time" in page and "Published today." not in page
    assert IndicatorValue.objects.get(pk=value.pk).published_at.date() >= today - datetime.timedelta(days=1)


@pytest.mark.parametrize("payload, core", SCRIPT_PAYLOADS)
def test_a_hostile_note_or_definition_is_shown_as_text(client, council_officer, reviewer, payload, core):
    approved_value(council_officer, reviewer, note=payload)
    Indicator.objects.filter(slug=COUNCIL_INDICATOR).update(name=f"Visits {payload}", unit=payload)
    assert_escaped(client.get("/items/OFSTED-F9/"), payload, core)
    assert_escaped(client.get("/themes/looked-after-children/"), payload, core)
    feed = client.get("/items/OFSTED-F9/feed/").content.decode()
    assert core not in feed
