"""
Judgements are not tasks (#21 point 4): an inspectorate's grade is its own kind of item.

Its page shows the grade given, when, and any later re-inspection grade, never a status,
RAG rating or target date; it is in no "x of N implemented" figure, and every figure says
what it counts; open data carries its kind and grades; nobody is asked for progress on it.
"""
import csv
import datetime
import io
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from recommendations.models import Item
from recommendations import figures
from recommendations.services import escalation, sources, workflow
from recommendations.public import headlines

pytestmark = pytest.mark.django_db

JUDGEMENT = Item.Kind.JUDGEMENT


def _make_every_judgement_late():
    """Judgements as they would be if they were tasks: added a year ago with no update, and a
    target date that has passed (set around the workflow, as a careless import could)."""
    Item.objects.filter(kind=JUDGEMENT).update(
        created_at=timezone.now() - datetime.timedelta(days=365),
        current_target_date=timezone.localdate() - datetime.timedelta(days=30),
    )


def _assert_shows_the_grades_of_j1(page):
    """OFSTED-J1: inadequate when the inspection was published, good at the re-inspection."""
    given = page[page.index('id="grade-given"'):page.index('id="later-grades"')]
    assert "Inadequate" in given and "19 November 2014" in given
    later = page[page.index('id="later-grades"'):]
    later = later[:later.index("</dd>")]
    assert "Good" in later and "29 January 2018" in later


def test_the_judgement_page_shows_the_grade_its_date_and_the_later_grade_not_a_status(seeded, client):
    page = client.get("/items/OFSTED-J1/").content.decode()
    _assert_shows_the_grades_of_j1(page)
    for task_only in ("Not started", ">Status</dt>", ">RAG rating</dt>", ">Target date</dt>", "Next update due",
                      "Status history", "Target date history"):
        assert task_only not in page, task_only

    # The safeguarding board's judgement has had no later grade recorded.
    page = client.get("/items/OFSTED-J5/").content.decode()
    assert "No later grade recorded" in page and "Not started" not in page

    # A finding of the same inspection is a task, as before.
    page = client.get("/items/OFSTED-F1/").content.decode()
    assert re.search(r">\s*Status\s*</dt>", page) and "Not started" in page and 'id="grade-given"' not in page


def test_the_item_list_shows_a_judgements_latest_grade_not_a_status(seeded, client):
    page = client.get("/items/?source=OFSTED").content.decode()
    row = page[page.index('href="/items/OFSTED-J1/"'):]
    row = row[:row.index("</tr>")]
    assert "Judgement:" in row and "Good" in row and "29 Jan 2018" in row
    assert "Not started" not in row and "RAG" not in row


def test_headline_and_board_figures_leave_judgements_out_and_say_what_they_count(seeded, client, reviewer):
    tasks = Item.objects.exclude(kind=JUDGEMENT).count()
    assert Item.objects.filter(kind=JUDGEMENT).count() == 5

    glance = headlines.for_everything()
    assert (glance.total, glance.judgements) == (tasks, 5)
    assert glance.counted == "recommendations, proposals and findings"
    assert sum(row.count for row in glance.by_band) == tasks, "no judgement is 'no target date set'"

    ofsted = client.get("/sources/OFSTED/").content.decode()
    assert "0 of 9 findings implemented or assured" in ofsted
    assert "Not counted in these figures: 5 judgements" in ofsted
    jay = client.get("/sources/JAY/").content.decode()
    assert "of 15 recommendations implemented or assured" in jay and "judgement" not in jay.split("How we count")[0]

    total = figures.counts(Item.objects.all(), figures.live())
    assert total.total == tasks and total.counted == "recommendations, proposals and findings"
    client.force_login(reviewer)
    board = client.get("/board/").content.decode()
    assert f"of all recommendations, proposals and findings implemented or assured (0 of {tasks})" in board
    assert "of the Ofsted inspection 2014’s findings implemented or assured (0 of 9)" in board


def test_open_data_carries_each_items_kind_and_a_judgements_grades(seeded, client):
    records = {record["reference"]: record for record in client.get("/items.json").json()["items"]}
    judgement = records["OFSTED-J1"]
    assert (judgement["kind"], judgement["grade"], judgement["judged_on"]) == ("judgement", "inadequate", "2014-11-19")
    assert judgement["later_grades"] == [{"grade": "good", "judged_on": "2018-01-29"}]
    assert (judgement["status"], judgement["status_label"], judgement["update_overdue"]) == ("", "", False)
    assert records["OFSTED-J5"]["later_grades"] == []
    finding = records["OFSTED-F1"]
    assert (finding["kind"], finding["grade"], finding["judged_on"], finding["status"]) == (
        "finding", "", None, "not_started")

    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(client.get("/items.csv").content.decode()))}
    assert (rows["OFSTED-J3"]["grade"], rows["OFSTED-J3"]["later_grades"]) == (
        "inadequate", "2018-01-29 requires-improvement")


def test_a_judgement_is_never_overdue_nor_update_overdue_and_nobody_is_reminded(
        seeded, council_officer, reviewer, mailoutbox):
    _make_every_judgement_late()
    today, now = timezone.localdate(), timezone.now()
    assert not Item.objects.filter(kind=JUDGEMENT).overdue(today).exists()
    assert not Item.objects.filter(kind=JUDGEMENT).update_overdue(now).exists()
    assert not any(item.is_judgement for item in escalation.items_to_escalate(today, now))
    call_command("send_reminders")
    assert mailoutbox == []

    judgement = Item.objects.get(reference="OFSTED-J1")
    with pytest.raises(PermissionDenied):
        workflow.save_draft(council_officer, judgement, narrative="Progress", proposed_status="in_progress")
    officer = Client()
    officer.force_login(council_officer)
    assert officer.get("/work/items/OFSTED-J1/updates/new/").status_code in (403, 404)


def test_a_later_grade_in_a_source_file_is_checked(seeded):
    text = (settings.BASE_DIR / "seeds" / "ofsted.yaml").read_text(encoding="utf-8")
    bad = text.replace("judged_on: 2018-01-29", "judged_on: 2013-01-29", 1).replace(
        "kind: finding\n", "kind: finding\n    later_grades: [{grade: good, judged_on: 2018-01-29}]\n", 1)
    with pytest.raises(sources.SeedError) as error:
        sources.read_upload("ofsted.yaml", bad.encode())
    problems = "\n".join(error.value.problems)
    assert "item OFSTED-J1: a later grade must be dated after the source was published (2014-11-19)" in problems
    assert "item OFSTED-F1: only a judgement has 'later_grades'" in problems


def test_the_figures_links_to_a_status_or_rag_rating_find_no_judgement(seeded, client):
    glance = headlines.for_source(Item.objects.get(reference="OFSTED-J1").source)
    not_started = next(row for row in glance.by_status if row.value == Item.Status.NOT_STARTED)
    not_rated = next(row for row in glance.by_rag if row.value == "none")
    for row in (not_started, not_rated):
        page = client.get(f"/items/?{row.query}").content.decode()
        assert 'href="/items/OFSTED-F1/"' in page and 'href="/items/OFSTED-J1/"' not in page, row.query
        assert row.count == 9


def test_my_items_lists_the_officers_tasks_but_no_judgement(seeded, client, council_officer):
    client.force_login(council_officer)
    page = client.get("/work/").content.decode()
    assert "OFSTED-F1" in page and "OFSTED-J1" not in page


def test_home_counts_judgements_apart_from_the_statuses(seeded, client):
    rows = {row["source"].code: row for row in client.get("/").context["source_counts"]}
    ofsted = rows["OFSTED"]
    assert dict((value, count) for value, _, count in ofsted["by_status"])["not_started"] == 9
    assert (ofsted["judgements"], ofsted["total"]) == (5, 14)
    assert rows["JAY"]["judgements"] == 0


def test_later_grades_are_read_only_in_the_admin(seeded, client, administrator):
    judgement = Item.objects.get(reference="OFSTED-J1")
    client.force_login(administrator)
    page = client.get(f"/admin/recommendations/item/{judgement.pk}/change/").content.decode()
    assert "2018-01-29" in page and 'name="later_grades"' not in page


@pytest.mark.parametrize("person", ["council_officer", "reviewer"])
def test_the_workspace_of_a_judgement_shows_its_grades_and_no_task_or_button(seeded, client, person, request):
    client.force_login(request.getfixturevalue(person))
    page = client.get("/work/items/OFSTED-J1/").content.decode()
    _assert_shows_the_grades_of_j1(page)
    assert 'id="judgement-not-a-task"' in page
    for task_only in ("Not started", ">Status</dt>", ">RAG rating</dt>", "tracker-rag", ">Target date</dt>",
                      "First agreed target date", "Next update due", "Update overdue", "Last report from the owner",
                      "/updates/new/", "Write a progress update", "/assure/", "/reopen/", "/correct/"):
        assert task_only not in page, task_only
