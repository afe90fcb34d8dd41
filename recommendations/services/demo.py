"""
Demo accounts and demo progress from fixtures/demo.yaml.

The demo tells its story up to the day it is loaded: every date in the file
is counted back (or forward) from that day, so the screens show a plausible
mix of done, assured, in progress, returned, slipping and overdue items
whenever the demo is tried.

Progress goes through the real workflow service, so demo data obeys the same
rules as real data. Each step runs as if on its own day (the workflow's clock
is set to it), so the publication log, the item histories and the public
record agree, and the log's checks pass.
"""
import datetime
from contextlib import contextmanager

import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from recommendations import roles
from recommendations.models import BoardMeeting, BoardMember, Indicator, IndicatorValue, Item, Organisation, ProgressUpdate, User
from recommendations.services import board_meetings, indicators, publication_log, workflow

ROLE_GROUPS = {"officer": roles.OFFICERS, "reviewer": roles.REVIEWERS, "administrator": roles.ADMINISTRATORS}


class DemoRefused(Exception):
    pass


def ensure_groups():
    return {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL}


@transaction.atomic
def load_demo(path):
    if not settings.DEMO_MODE:
        raise DemoRefused("Demo data is only loaded where demo mode is on (TRACKER_DEMO_MODE=1). Nothing was changed.")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    today = timezone.localdate()
    groups = ensure_groups()
    users = {spec["username"]: _account(spec, groups) for spec in data["accounts"]}
    _target_dates(data.get("target_dates", {}), today, _day(today, data["story_starts_days_ago"]))
    publication_log.record_item_changes(Item.objects.filter(reference__in=data.get("target_dates", {})),
                                        publication_log.ADMINISTRATOR, "Demo: first agreed target dates")
    created = 0
    reviewer = next(user for user in users.values() if user.groups.filter(name=roles.REVIEWERS).exists())
    # In date order, so the publication log reads forwards in time.
    for spec in sorted(data.get("updates", []), key=lambda spec: -spec["days_ago"]):
        if _step(spec, users, reviewer, today):
            created += 1
    for spec in sorted(data.get("indicator_values", []), key=lambda spec: -spec["months_ago"]):
        _indicator_value(spec, users, reviewer, today)
    _board(data, reviewer, today)
    return created


def _months(today, months_ago, months):
    """(first day, last day) of the `months` calendar months ending `months_ago` months before today's."""
    def month_start(back):
        index = today.year * 12 + today.month - 1 - back
        return datetime.date(index // 12, index % 12 + 1, 1)
    following = month_start(months_ago - 1)
    return month_start(months_ago + months - 1), following - datetime.timedelta(days=1)


def _indicator_value(spec, users, reviewer, today):
    """An outcome indicator's demo value, through the real workflow, reported ten days after its period."""
    if not spec["note"].startswith("[Demo]"):
        raise DemoRefused(f"Demo indicator values must be marked: the note of {spec} must start with [Demo].")
    indicator = Indicator.objects.get(slug=spec["indicator"])
    author = users[spec["author"]]
    start, end = _months(today, spec["months_ago"], spec.get("months", 1))
    if IndicatorValue.objects.filter(indicator=indicator, organisation=author.organisation,
                                     period_start=start).exists():
        return
    when = _at(min(end + datetime.timedelta(days=10), today))
    with _clock(when):
        value = indicators.save_value(author, indicator, period_start=start, period_end=end, value=str(spec["value"]),
                                      note=spec["note"])
        if spec["state"] != "draft":
            indicators.submit_value(author, value, value.version)
        if spec["state"] == "approved":
            indicators.approve_value(reviewer, value, value.version)
    IndicatorValue.objects.filter(pk=value.pk).update(created_at=when)


def _board(data, reviewer, today):
    """The board's members and meetings; the packs marked publish_pack are published now, by the
    demo reviewer, after every step (so the publication log still reads forwards in time)."""
    for spec in data.get("board_members", []):
        until = spec.get("serving_until_days_ago")
        BoardMember.objects.get_or_create(name=spec["name"], defaults={
            "role": spec["role"], "organisation": spec.get("organisation", ""), "order": spec.get("order", 0),
            "serving_from": _day(today, spec["serving_from_days_ago"]),
            "serving_until": None if until is None else _day(today, until),
        })
    for spec in data.get("board_meetings", []):
        meeting, _ = BoardMeeting.objects.get_or_create(date=_day(today, spec["days_ago"]), defaults={
            "title": spec.get("title", ""), "location": spec.get("location", ""), "notes": spec.get("notes", ""),
        })
        if spec.get("publish_pack") and not meeting.pack_published:
            board_meetings.publish_pack(reviewer, meeting)


def _day(today, days_ago):
    return today - datetime.timedelta(days=days_ago)


def _in_days(today, days):
    return None if days is None else today + datetime.timedelta(days=days)


@contextmanager
def _clock(moment):
    """Run the workflow as if it were `moment`: every time it records (the update's
    dates, the item's history, the publication log) is that moment's. The log
    is hash-chained, so its times cannot honestly be moved afterwards."""
    real_now = timezone.now
    moment = moment.astimezone(datetime.timezone.utc)  # as timezone.now() gives it
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real_now


def _account(spec, groups):
    user, created = User.objects.get_or_create(
        username=spec["username"],
        defaults={"is_demo": True, "email": f"{spec['username']}@example.org"},
    )
    if created:
        user.set_password(spec["password"])
        if spec.get("organisation"):
            user.organisation = Organisation.objects.get(slug=spec["organisation"])
        if spec["role"] == "administrator":
            user.is_staff = user.is_superuser = True
        user.save()
        user.groups.add(groups[ROLE_GROUPS[spec["role"]]])
    return user


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _target_dates(target_dates, today, agreed_on):
    for reference, days in target_dates.items():
        item = Item.objects.get(reference=reference)
        if item.baseline_target_date is None:
            item.baseline_target_date = item.current_target_date = _in_days(today, days)
            item._change_reason = "Demo: first agreed target date"
            item._history_date = _at(agreed_on)
            item.save()


def _step(spec, users, reviewer, today):
    item = Item.objects.get(reference=spec["item"])
    narrative = spec.get("assurance") or spec["narrative"]
    if ProgressUpdate.objects.filter(item=item, narrative=narrative).exists():
        return False
    when = _at(_day(today, spec["days_ago"]))
    with _clock(when):
        if "assurance" in spec:
            # The board checked every published link; the strength is the story's.
            checked = [link.pk for link in workflow.published_evidence(item)]
            update = workflow.assure(reviewer, item, narrative, strength=spec["strength"], checked=checked,
                                     no_links_confirmed=not checked)
        else:
            update = _progress(spec, item, users[spec["author"]], reviewer, today)
    # Model defaults read the clock when the models are defined, not through it.
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=when)
    update.evidence.update(created_at=when)
    return True


def _progress(spec, item, author, reviewer, today):
    update = workflow.save_draft(
        author,
        item,
        narrative=spec["narrative"],
        proposed_status=spec["proposed_status"],
        proposed_rag=spec.get("proposed_rag", ""),
        proposed_target_date=_in_days(today, spec.get("proposed_target_in_days")),
        target_date_reason=spec.get("target_date_reason", ""),
        evidence=[
            workflow.EvidenceInput(link["title"], link["url"], _day(today, link["days_ago"]).isoformat())
            for link in spec.get("evidence", [])
        ],
    )
    state = spec["state"]
    if state != "draft":
        workflow.submit(author, update, update.version)
    if state == "approved":
        workflow.approve(reviewer, update, update.version)
    elif state == "returned":
        workflow.return_update(reviewer, update, update.version, spec["review_comment"])
    return update
