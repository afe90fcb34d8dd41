"""Overdue, slipping and update overdue have one definition (models.py), and every screen agrees on it.

On the crafted data set (tests/board_data.py): the queryset filters, their
Python mirrors, the board's lists, "My items", the reminder e-mails, the
public item list, the item pages and open data all name the same items.
"""
import csv
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item, User
from recommendations import policies
from tests import board_data
from tests.helpers import make_user, references

pytestmark = pytest.mark.empty_database


def csv_references(client, url):
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))[1:]
    return {row[0] for row in rows}


@pytest.fixture
def crafted(db):
    return board_data.crafted()


@pytest.fixture
def expected(crafted):
    today, now = timezone.localdate(), timezone.now()
    return {
        "overdue": references(Item.objects.overdue(today)),
        "slipping": references(Item.objects.slipping()),
        "update_overdue": references(Item.objects.update_overdue(now)),
    }


def test_the_definitions_give_the_hand_worked_answers(expected):
    # See the table in board_data.crafted(): A3 and B2 have updates waiting, which
    # do not make the public record any fresher.
    assert expected == {
        "overdue": {"A1", "B2"},
        "slipping": {"A1", "B1"},
        "update_overdue": {"A3", "B1", "B2"},
    }


def test_the_python_mirrors_agree_with_the_queries(expected):
    today, now = timezone.localdate(), timezone.now()
    items = list(Item.objects.with_last_report())
    assert {item.reference for item in items if item.is_overdue(today)} == expected["overdue"]
    assert {item.reference for item in items if item.is_slipping} == expected["slipping"]
    assert {item.reference for item in items if item.is_update_overdue(now)} == expected["update_overdue"]


def test_the_board_lists_and_counts_agree(client, expected):
    client.force_login(make_user("board-reviewer", roles.REVIEWERS))
    for name in ("overdue", "slipping", "update_overdue"):
        assert csv_references(client, f"/board/{name.replace('_', '-')}.csv") == expected[name], name
    total = client.get("/board/").context["total"]
    assert (total.overdue, total.slipping, total.update_overdue) == tuple(len(expected[name]) for name in expected)


def test_my_items_agrees(client, expected):
    officer = User.objects.get(username="crafted-author")
    theirs = references(policies.items.worked_on_by(officer))
    client.force_login(officer)
    items = client.get("/work/").context["items"]
    for key in ("overdue", "update_overdue"):
        shown = {item.reference for item in items if any(reason.key == key for reason in item.reasons)}
        assert shown == expected[key] & theirs, key


def test_reminders_agree_except_where_an_update_is_waiting(expected, mailoutbox):
    """The reminder names every overdue or update overdue item of the organisation, except those
    with an update waiting for review (A3 and B2): the officers have done their part."""
    call_command("send_reminders")
    named = {}
    for message in mailoutbox:
        owner = User.objects.get(email=message.to[0]).organisation
        named[owner.slug] = {line[2:].split(":")[0] for line in message.body.splitlines() if line.startswith("- ")}
    waiting = {"A3", "B2"}
    for slug in ("org-x", "org-y"):
        owned = references(Item.objects.filter(owner__slug=slug))
        assert named.get(slug, set()) == (expected["overdue"] | expected["update_overdue"]) & owned - waiting, slug


def test_the_public_list_and_open_data_agree(client, expected):
    listed = {item.reference for item in client.get("/items/?overdue=on").context["items"]}
    assert listed == expected["overdue"]
    rows = list(csv.DictReader(io.StringIO(client.get("/items.csv").content.decode())))
    assert {row["reference"] for row in rows if row["overdue"] == "yes"} == expected["overdue"]
    listed = {item.reference for item in client.get("/items/?update_overdue=on").context["items"]}
    assert listed == expected["update_overdue"]
    assert {row["reference"] for row in rows if row["update_overdue"] == "yes"} == expected["update_overdue"]
    marked = {item.reference for item in client.get("/items/").context["items"] if item.update_overdue}
    assert marked == expected["update_overdue"]


def test_the_item_pages_agree(client, expected):
    flagged = {
        item.reference for item in Item.objects.all()
        if "Update overdue" in client.get(item.get_absolute_url()).content.decode()
    }
    assert flagged == expected["update_overdue"]
