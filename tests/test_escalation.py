"""Escalation of items past their target date or with an update overdue over time, with fixed moments (tests/board_data.py crafted items)."""
import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recommendations import roles, words
from recommendations.models import EscalationStep, Item, ProgressUpdate
from recommendations.services import escalation
from tests import board_data
from tests.helpers import make_user

pytestmark = pytest.mark.empty_database

DAY = datetime.timedelta(days=1)
LEAD_CONTACT = "director-office@org-x.example"


@pytest.fixture
def crafted(db):
    """Escalating at the start: A1 past its target date, A3 and B1 with an update overdue. B2 is past its target
    too, but has an update waiting for review (as for the reminders, the officers have done their part).
    Org X has a lead contact address; Org Y has none."""
    data = board_data.crafted()
    ProgressUpdate.objects.filter(item=data["items"]["A3"], state=ProgressUpdate.State.SUBMITTED).delete()
    data["x"].lead_contact_email = LEAD_CONTACT
    data["x"].save()
    make_user("esc-officer-y", roles.OFFICERS, data["y"])
    no_mail = make_user("esc-officer-y-no-mail", roles.OFFICERS, data["y"])
    no_mail.email = ""
    no_mail.save()
    return data


def steps(reference):
    """The item's steps, oldest first: (step, reason, open?)."""
    return [
        (step.step, step.reason, step.resolved_at is None)
        for step in EscalationStep.objects.filter(item__reference=reference).order_by("recorded_at", "step")
    ]


def test_each_step_follows_the_schedule_and_is_recorded_once(crafted, mailoutbox):
    # B3 (last published 20 days ago) expects an update monthly here, so its update falls overdue during the schedule.
    Item.objects.filter(reference="B3").update(update_cadence_months=1)
    start = timezone.now()
    first = escalation.run(now=start)
    assert (first.recorded, first.emails) == (3, 3)
    assert steps("A1") == [(1, "past_target", True)]
    assert steps("A3") == [(1, "update_overdue", True)]
    assert steps("B1") == [(1, "update_overdue", True)]
    assert steps("A2") == steps("A4") == steps("B2") == steps("B3") == []

    # To the owner's officers who have an address, with absolute links to where they act.
    by_subject = {message.subject: message for message in mailoutbox}
    a1 = by_subject["Escalation step 1: A1 (past target date)"]
    assert a1.to == ["crafted-author@example.org"]
    assert f"{settings.SITE_URL.rstrip('/')}/work/items/A1/" in a1.body
    assert settings.SITE_URL.rstrip("/") + reverse("public:item-detail", args=["A1"]) in a1.body
    assert f"Why it is escalated: past target date. {words.PAST_TARGET.definition}" in a1.body
    assert by_subject["Escalation step 1: A3 (update overdue)"].to == ["esc-officer-y@example.org"]
    recorded = EscalationStep.objects.get(item__reference="A3")
    assert recorded.sent_to == "Officers of Org Y"
    assert "@" not in "".join(EscalationStep.objects.values_list("sent_to", flat=True))

    # Running again, the same moment or later the same day: nothing recorded, nothing sent.
    for moment in (start, start + datetime.timedelta(hours=6)):
        again = escalation.run(now=moment)
        assert (again.recorded, again.emails) == (0, 0)
    assert len(mailoutbox) == 3 and EscalationStep.objects.count() == 3

    # Thirteen days on, still step 1 (B3's last update is now 33 days old: it starts at step 1).
    escalation.run(now=start + 13 * DAY)
    assert steps("A1") == [(1, "past_target", True)]
    assert steps("B3") == [(1, "update_overdue", True)]

    # Fourteen days after step 1: the lead role's contact.
    mailoutbox.clear()
    escalation.run(now=start + 14 * DAY)
    assert steps("A1") == [(1, "past_target", True), (2, "past_target", True)]
    assert steps("A3") == [(1, "update_overdue", True), (2, "update_overdue", True)]
    step_two = {message.subject: message for message in mailoutbox}
    assert step_two["Escalation step 2: A1 (past target date)"].to == [LEAD_CONTACT]
    assert f"{settings.SITE_URL.rstrip('/')}/work/items/A1/" in step_two["Escalation step 2: A1 (past target date)"].body
    # Org Y has no lead contact address: the step is recorded, and says so; no e-mail.
    assert "Escalation step 2: A3 (update overdue)" not in step_two
    assert EscalationStep.objects.get(item__reference="A3", step=2).sent_to == (
        "Lead role's contact at Org Y (no contact address recorded)"
    )
    assert escalation.run(now=start + 14 * DAY).recorded == 0

    # Fourteen more days: listed for the board, without an e-mail.
    mailoutbox.clear()
    escalation.run(now=start + 28 * DAY)
    assert steps("A3")[-1] == (3, "update_overdue", True)
    assert mailoutbox == [] or all("step 3" not in message.subject for message in mailoutbox)
    listed = [step.item.reference for step in escalation.for_board(Item.objects.all())]
    assert listed == ["A1", "A3", "B1"]
    # Step 3 is the last: later runs add nothing for these items.
    escalation.run(now=start + 60 * DAY)
    assert [step for step, _, _ in steps("A3")] == [1, 2, 3]


def test_an_update_submitted_for_review_ends_the_spell(crafted):
    start = timezone.now()
    escalation.run(now=start)
    author = make_user("esc-author-y", roles.OFFICERS, crafted["y"])
    board_data.make_update(crafted["items"]["A3"], author, ProgressUpdate.State.SUBMITTED, submitted_at=start + DAY)
    assert escalation.run(now=start + 14 * DAY).resolved == 1
    assert steps("A3") == [(1, "update_overdue", False)]


def test_a_published_update_or_closing_stops_the_escalation(crafted, mailoutbox):
    start = timezone.now()
    escalation.run(now=start)
    escalation.run(now=start + 14 * DAY)
    assert steps("B1") == [(1, "update_overdue", True), (2, "update_overdue", True)]

    # B1 gets a published update: no longer escalating, so its spell ends.
    author = make_user("esc-author-x", roles.OFFICERS, crafted["x"])
    board_data.make_update(crafted["items"]["B1"], author, ProgressUpdate.State.APPROVED,
                           published_at=start + 15 * DAY)
    # A3 is closed (assured): not escalating either.
    board_data.change(crafted["items"]["A3"], start, status=Item.Status.ASSURED)
    # A1 gets a published update but is still past its target date: the spell ends and the next starts at 1.
    board_data.make_update(crafted["items"]["A1"], author, ProgressUpdate.State.APPROVED,
                           published_at=start + 15 * DAY)
    mailoutbox.clear()
    result = escalation.run(now=start + 16 * DAY)
    assert steps("B1") == [(1, "update_overdue", False), (2, "update_overdue", False)]
    assert steps("A3") == [(1, "update_overdue", False), (2, "update_overdue", False)]
    assert steps("A1") == [(1, "past_target", False), (2, "past_target", False), (1, "past_target", True)]
    assert result.resolved == 6
    assert [message.subject for message in mailoutbox] == ["Escalation step 1: A1 (past target date)"]

    # B1 overdue again, 31 days after its update: from step 1.
    escalation.run(now=start + 46 * DAY)
    assert steps("B1")[-1] == (1, "update_overdue", True)


def test_the_board_overview_and_the_meeting_pack_show_escalations(crafted, client):
    start = timezone.now() - 30 * DAY
    for days in (0, 14, 28):
        EscalationStep.objects.create(
            item=crafted["items"]["A3"], step=days // 14 + 1, reason="update_overdue", recorded_at=start + days * DAY,
            sent_to="The improvement board" if days == 28 else "Officers of Org Y",
        )
    EscalationStep.objects.create(item=crafted["items"]["A1"], step=1, reason="past_target",
                                  recorded_at=start + 20 * DAY, sent_to="Officers of Org X")
    client.force_login(make_user("esc-reviewer", roles.REVIEWERS))
    page = client.get("/board/").content.decode()
    assert "Escalations" in page
    rows = [row for row in client.get("/board/escalations.csv").content.decode().splitlines()]
    assert rows[0] == "Item,Title,Owner,Step,Escalating since,Why,Last told"
    assert rows[1].startswith(f"A3,Item A3,Org Y,3: Listed for the board,{start.isoformat()[:10]}")
    assert rows[2].startswith("A1,Item A1,Org X,1: Reminder to the owner's officers,")
    decisions = client.get("/board/pack/decisions.csv").content.decode()
    assert "A3,Escalated to the board" in decisions and "A1,Escalated" not in decisions


def test_the_command_is_safe_to_run_twice(crafted, mailoutbox, capsys):
    call_command("escalate")
    call_command("escalate")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Recorded 3 escalation steps, sent 3 e-mails, ended 0 spells of escalation."
    assert out[1] == "Recorded 0 escalation steps, sent 0 e-mails, ended 0 spells of escalation."
    assert len(mailoutbox) == 3
