"""
Demo accounts and demo progress from fixtures/demo.yaml.

Progress goes through the real workflow service, so demo data obeys the same
rules as real data; only its dates are moved back afterwards, so the trend
and "as at" views have some history to show.
"""
import datetime

import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from recommendations import roles
from recommendations.models import Item, Organisation, ProgressUpdate, User
from recommendations.services import workflow

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
    groups = ensure_groups()
    users = {spec["username"]: _account(spec, groups) for spec in data["accounts"]}
    _target_dates(data.get("target_dates", {}))
    created = 0
    reviewer = next(user for user in users.values() if user.groups.filter(name=roles.REVIEWERS).exists())
    for spec in data.get("updates", []):
        if _progress(spec, users, reviewer):
            created += 1
    return created


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


def _target_dates(target_dates):
    for reference, day in target_dates.items():
        item = Item.objects.get(reference=reference)
        if item.baseline_target_date is None:
            item.baseline_target_date = item.current_target_date = day
            item._change_reason = "Demo: first agreed target date"
            item._history_date = _at(datetime.date(2014, 12, 1))
            item.save()


def _progress(spec, users, reviewer):
    item = Item.objects.get(reference=spec["item"])
    if ProgressUpdate.objects.filter(item=item, narrative=spec["narrative"]).exists():
        return False
    author = users[spec["author"]]
    update = workflow.save_draft(
        author,
        item,
        narrative=spec["narrative"],
        proposed_status=spec["proposed_status"],
        proposed_rag=spec.get("proposed_rag", ""),
        proposed_target_date=spec.get("proposed_target_date"),
        target_date_reason=spec.get("target_date_reason", ""),
        evidence=[workflow.EvidenceInput(**link) for link in spec.get("evidence", [])],
    )
    state = spec["state"]
    if state != "draft":
        workflow.submit(author, update, update.version)
    if state == "approved":
        workflow.approve(reviewer, update, update.version)
    elif state == "returned":
        workflow.return_update(reviewer, update, update.version, spec["review_comment"])
    _backdate(update, item, _at(spec["date"]))
    return True


def _backdate(update, item, when):
    started = update.history.earliest().history_date
    fields = {"created_at": when}
    if update.submitted_at:
        fields["submitted_at"] = when
    if update.reviewed_at:
        fields["reviewed_at"] = when
    if update.published_at:
        fields["published_at"] = when
    ProgressUpdate.objects.filter(pk=update.pk).update(**fields)
    update.history.update(history_date=when)
    update.evidence.update(created_at=when)
    item.history.filter(history_date__gte=started).update(history_date=when)
