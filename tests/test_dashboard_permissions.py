"""Who can reach the board dashboards, and whose items they count."""
import datetime

import pytest
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item
from recommendations import policies
from tests.helpers import make_user

PAGES = ["/board/", "/board/owners/", "/board/trend/", "/board/overlap/", "/board/as-at/?day=1&month=3&year=2015"]
CSVS = ["/board/overdue.csv", "/board/owners/status-by-organisation.csv", "/board/trend/trend-jay.csv",
        "/board/overlap/uncovered-items.csv", "/board/as-at/update-overdue.csv?day=1&month=3&year=2015"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + CSVS)
def test_the_public_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + CSVS)
def test_a_signed_in_user_without_a_role_is_refused(client, url):
    client.force_login(make_user("no-role", "Some other group"))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + CSVS)
def test_an_officer_without_an_organisation_is_refused(client, url):
    client.force_login(make_user("orphan-officer", roles.OFFICERS))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["reviewer", "administrator", "council_officer", "police_officer"])
def test_the_board_and_officers_can_open_every_dashboard(request, client, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    # The seeded items have no target dates or history yet, so there is no trend table to download.
    for url in PAGES + [url for url in CSVS if "/trend/" not in url]:
        assert client.get(url).status_code == 200, url


def _overview(client, user):
    client.force_login(user)
    return client.get("/board/").context


@pytest.mark.django_db
def test_the_board_counts_every_item(client, reviewer, administrator):
    assert _overview(client, reviewer)["total"].total == 30  # the 35 items but the 5 judgements
    assert _overview(client, administrator)["total"].total == 30


@pytest.mark.django_db
def test_officers_see_only_their_organisations_items(client, council_officer, police_officer):
    # Their tasks: judgements are in no figure.
    police_items = set(policies.items.worked_on_by(police_officer).tasks().values_list("reference", flat=True))
    council_items = set(policies.items.worked_on_by(council_officer).tasks().values_list("reference", flat=True))
    assert police_items != council_items
    assert _overview(client, police_officer)["total"].total == len(police_items) < 35
    assert _overview(client, council_officer)["total"].total == len(council_items) < 35


@pytest.mark.django_db
def test_an_officer_cannot_read_another_organisations_items_in_any_table(client, police_officer):
    # Every item was added long ago and none has a published update: all have an update overdue.
    Item.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    theirs = set(policies.items.worked_on_by(police_officer).values_list("reference", flat=True))
    assert "OFSTED-J1" not in theirs  # a council judgement the police do not work on
    client.force_login(police_officer)
    listed = set()
    for url in ["/board/overdue.csv", "/board/update-overdue.csv", "/board/overlap/uncovered-items.csv",
                "/board/as-at/update-overdue.csv?day=1&month=3&year=2015"]:
        rows = client.get(url).content.decode().splitlines()[1:]
        assert {row.split(",")[0] for row in rows} <= theirs, url
        listed.update(row.split(",")[0] for row in rows)
    assert listed  # the tables did list the police's own items
    assert "OFSTED-J1" not in client.get("/board/overlap/").content.decode()
