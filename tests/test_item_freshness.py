"""Formal response and update cadence: the model's rules, the one meaning of update overdue
(no update published for longer than the item's cadence) at its boundaries, and
what the public item page, list filters and open data say about them."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recommendations import roles
from recommendations import versions
from recommendations.models import Item, ProgressUpdate, cadence_delta
from recommendations.words import ago
from tests import board_data
from tests.helpers import govuk_tags, long_date, make_user, references
from tests.workflow_helpers import approved

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)
Response = Item.FormalResponse


# --- The model -----------------------------------------------------------------


def test_a_month_of_cadence_is_a_twelfth_of_a_year_in_whole_days():
    assert [cadence_delta(months).days for months in (1, 2, 3, 6, 12)] == [30, 61, 91, 183, 365]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"formal_response": Response.NOT_ACCEPTED, "formal_response_note": "  "}, "formal_response_note",
         "Give the reasons the item was not accepted."),
        ({"formal_response": Response.AWAITING, "formal_response_date": datetime.date(2015, 1, 5)},
         "formal_response_date", "Remove the date of the response"),
        ({"update_cadence_months": 0}, "update_cadence_months", "greater than or equal to 1"),
        ({"update_cadence_months": 13}, "update_cadence_months", "less than or equal to 12"),
        ({"formal_response": "maybe"}, "formal_response", "is not a valid choice"),
    ],
)
def test_an_impossible_response_or_cadence_is_refused_with_a_clear_message(council_item, changes, field, message):
    for name, value in changes.items():
        setattr(council_item, name, value)
    with pytest.raises(ValidationError) as raised:
        council_item.full_clean()
    assert message in " ".join(raised.value.message_dict[field])


@pytest.mark.django_db
def test_not_accepted_with_its_reasons_is_valid(council_item):
    council_item.formal_response = Response.NOT_ACCEPTED
    council_item.formal_response_note = "Already covered by the national review."
    council_item.full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_cadence_the_update_overdue_query_does_not_know(council_item):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=council_item.pk).update(update_cadence_months=13)


# --- Update overdue: no update published for longer than the cadence ------------


@pytest.fixture
def history(db):
    """Items with hand-made publication dates around their cadence's boundary, seen at `now`."""
    now = timezone.now()
    source = board_data.make_source("fresh")
    owner = board_data.make_organisation("org-f", "Org F")
    author = make_user("fresh-author", roles.OFFICERS, owner)
    State, S = ProgressUpdate.State, Item.Status
    made = {}

    def item(reference, cadence=3, status=S.IN_PROGRESS, published=(), created=None):
        made[reference] = board_data.make_item(
            source, reference, len(made) + 1, owner, "Director", status, cadence=cadence, when=created
        )
        for age in published:
            board_data.make_update(made[reference], author, State.APPROVED, published_at=now - age)
        return made[reference]

    quarter = cadence_delta(3)
    item("Q-FRESH", published=[quarter - MINUTE])
    item("Q-EXACT", published=[quarter])  # due this very moment: not yet overdue
    item("Q-OVERDUE", published=[quarter + MINUTE])
    item("Q-40", published=[40 * DAY])
    item("M-40", cadence=1, published=[40 * DAY])
    item("Y-NEVER", cadence=12, created=now - 366 * DAY)
    item("Y-YOUNG", cadence=12, created=now - 364 * DAY)
    waiting = item("WAITING", published=[100 * DAY])
    board_data.make_update(waiting, author, State.SUBMITTED, submitted_at=now - DAY)
    item("DONE", status=S.IMPLEMENTED, created=now - 400 * DAY)
    item("LATER", published=[120 * DAY, 10 * DAY])
    return {"now": now, "items": made}


UPDATE_OVERDUE_NOW = {"Q-OVERDUE", "M-40", "Y-NEVER", "WAITING"}


@pytest.mark.empty_database
def test_update_overdue_is_no_update_published_for_longer_than_the_cadence(history):
    assert references(Item.objects.update_overdue(history["now"])) == UPDATE_OVERDUE_NOW


@pytest.mark.empty_database
def test_the_python_mirror_and_the_due_date_use_the_same_span(history):
    now = history["now"]
    items = {item.reference: item for item in Item.objects.with_last_report()}
    assert {reference for reference, item in items.items() if item.is_update_overdue(now)} == UPDATE_OVERDUE_NOW
    assert items["Q-EXACT"].next_update_due() == now
    assert items["Q-FRESH"].next_update_due() == now + MINUTE
    assert items["M-40"].next_update_due() == now - 10 * DAY
    assert items["Y-NEVER"].next_update_due() == items["Y-NEVER"].created_at + 365 * DAY
    assert items["DONE"].next_update_due() is None


@pytest.mark.empty_database
def test_an_earlier_moment_does_not_see_later_publications(history):
    # Twenty days ago LATER's last publication (its later one not yet made) was 100 days old; the
    # others now update overdue were fresh then (Q-OVERDUE 71 days, M-40 20 days, Y-NEVER added 346 days before).
    earlier = history["now"] - 20 * DAY
    assert references(Item.objects.update_overdue(earlier)) == {"LATER"}


@pytest.mark.empty_database
def test_a_longer_cadence_makes_an_item_fresh_again(history):
    Item.objects.filter(reference="M-40").update(update_cadence_months=2)
    assert "M-40" not in references(Item.objects.update_overdue(history["now"]))


# --- The public item page ---------------------------------------------------------


def age_publications(item, days):
    ProgressUpdate.objects.filter(item=item).update(published_at=timezone.now() - days * DAY)
    versions.changed()


def test_an_item_with_no_published_update_says_so_and_when_one_is_due(client, council_item):
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert "No update published yet" in page
    due = timezone.localdate(council_item.created_at + cadence_delta(3))
    assert f"{long_date(due)} (updates are expected quarterly)" in page
    assert "Update overdue" not in page
    assert "Accepted on 26 August 2014" in page
    assert "The council accepted the report and all of its recommendations in full" in page


def test_an_item_without_an_update_for_longer_than_its_cadence_is_flagged(client, council_officer, reviewer,
                                                                          council_item):
    approved(council_officer, reviewer, council_item)
    age_publications(council_item, 100)
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert "3 months ago" in page
    published = ProgressUpdate.objects.get(item=council_item).published_at
    assert long_date(timezone.localdate(published + cadence_delta(3))) in page
    assert "Update overdue" in page and "No update has been published for longer than planned." in page
    listed = client.get("/items/?source=JAY").content.decode()
    assert govuk_tags(listed).count(("govuk-tag--yellow", "Update overdue")) == 1  # the list marks it too


def test_the_list_flags_an_item_whose_update_falls_overdue_later_the_same_day(
        client, council_officer, reviewer, council_item, settings, monkeypatch):
    # The list's rows are kept until the next public change or day (page_cache.remembered, with the
    # page cache off): an owner's report falling due in between, with nothing published, must
    # still show at once.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    approved(council_officer, reviewer, council_item)
    now = timezone.now()
    ProgressUpdate.objects.filter(item=council_item).update(published_at=now - cadence_delta(3) + 30 * SECOND)
    versions.changed()
    before = client.get("/items/?source=JAY").content.decode()
    assert ("govuk-tag--yellow", "Update overdue") not in govuk_tags(before)
    monkeypatch.setattr(timezone, "now", lambda: now + 60 * SECOND)
    after = client.get("/items/?source=JAY").content.decode()
    assert govuk_tags(after).count(("govuk-tag--yellow", "Update overdue")) == 1


def test_a_recent_update_is_not_flagged(client, council_officer, reviewer, council_item):
    approved(council_officer, reviewer, council_item)
    age_publications(council_item, 45)
    page = client.get(council_item.get_absolute_url()).content.decode()
    assert "45 days ago" in page and "Update overdue" not in page


def test_an_implemented_item_needs_no_further_update(client, implemented_item):
    age_publications(implemented_item, 400)
    page = client.get(implemented_item.get_absolute_url()).content.decode()
    assert "No further updates are due: this item is implemented." in page
    assert "Update overdue" not in page


def test_the_wording_of_how_long_ago():
    now = timezone.now()
    assert [ago(now - days * DAY, now) for days in (0, 1, 45, 100, 800)] == [
        "today", "1 day ago", "45 days ago", "3 months ago", "2 years ago",
    ]


def test_a_recorded_response_is_public_at_once_with_its_reasons(client, seeded):
    item = Item.objects.get(reference="ADCS-6")
    assert "Awaiting response" in client.get(item.get_absolute_url()).content.decode()  # and now cached
    item.formal_response = Response.NOT_ACCEPTED
    item.formal_response_note = "Campaigns are for each national government to decide."
    item.formal_response_date = datetime.date(2015, 3, 2)
    item.full_clean()
    item.save()
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Not accepted on 2 March 2015" in page
    assert "Reasons: Campaigns are for each national government to decide." in page


# --- Filters and open data ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("response, sources", [("awaiting", {"ADCS"}), ("accepted", {"JAY", "OFSTED"})])
def test_the_item_list_filters_by_formal_response(client, seeded, response, sources):
    items = client.get(f"/items/?formal_response={response}").context["items"]
    assert {item.source.code for item in items} == sources
    assert {item.formal_response for item in items} == {response}
    assert references(Item.objects.filter(source__code__in=sources)) == {item.reference for item in items}


def test_an_unknown_response_in_a_shared_link_is_left_out(client, seeded):
    response = client.get("/items/?formal_response=maybe&source=ADCS")
    assert "Formal response: maybe" in response.content.decode()
    assert len(response.context["items"]) == 6


def test_open_data_carries_the_response_and_freshness(client, council_officer, reviewer, council_item):
    approved(council_officer, reviewer, council_item)
    age_publications(council_item, 100)
    published = ProgressUpdate.objects.get(item=council_item).published_at
    records = {record["reference"]: record for record in client.get("/items.json").json()["items"]}
    assert {key: records["JAY-03"][key] for key in (
        "formal_response", "formal_response_label", "formal_response_date", "update_cadence_months",
        "last_published_update", "next_update_due", "update_overdue",
    )} == {
        "formal_response": "accepted", "formal_response_label": "Accepted", "formal_response_date": "2014-08-26",
        "update_cadence_months": 3, "last_published_update": published.isoformat(),
        "next_update_due": timezone.localdate(published + cadence_delta(3)).isoformat(), "update_overdue": True,
    }
    adcs = records["ADCS-1"]
    assert (adcs["formal_response"], adcs["formal_response_note"], adcs["last_published_update"]) == (
        "awaiting", "", None
    )
