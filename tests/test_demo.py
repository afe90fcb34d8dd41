"""Demo accounts and progress: only in demo mode, marked as demo, loaded once."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import Indicator, IndicatorValue, ProgressUpdate, User
from recommendations.public import records
from recommendations.services import publication_log


@pytest.mark.django_db
def test_demo_data_is_refused_outside_demo_mode(seeded, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only loaded where demo mode is on"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_demo_accounts_are_marked_and_a_second_load_adds_nothing(seeded):
    call_command("load_demo", stdout=StringIO())
    users = User.objects.all()
    assert users.count() == 4 and all(user.is_demo for user in users)
    updates = ProgressUpdate.objects.count()
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == {"draft", "submitted", "returned", "approved"}
    assert all(narrative.startswith("[Demo]") for narrative in ProgressUpdate.objects.values_list("narrative", flat=True))
    call_command("load_demo", stdout=StringIO())
    assert ProgressUpdate.objects.count() == updates
    assert User.objects.count() == 4


def test_production_settings_turn_demo_mode_off():
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TRACKER_"))}
    env["DJANGO_SECRET_KEY"] = "x" * 60
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tracker.settings'; "
         "django.setup(); from django.conf import settings; print(settings.DEMO_MODE)"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_the_demo_tells_its_story_up_to_the_day_it_is_loaded(demo_progress):
    import datetime

    from django.utils import timezone

    from recommendations.models import Item, PublicationLogEntry

    today = timezone.localdate()
    now = timezone.now()
    demo_items = Item.objects.filter(updates__isnull=False).distinct()
    statuses = list(demo_items.values_list("status", flat=True))
    # Many done and assured, some in progress, one returned, one waiting for review.
    assert statuses.count("assured") >= 6
    assert statuses.count("implemented") >= 3
    assert statuses.count("in_progress") >= 5
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == {"draft", "submitted", "returned", "approved"}
    assert ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.ASSURANCE).count() == statuses.count("assured")
    # Some items in progress have recent updates; a few are slipping or overdue, not nearly all.
    recent = now - datetime.timedelta(days=30)
    assert ProgressUpdate.objects.published().filter(published_at__gte=recent, item__status="in_progress").count() >= 3
    fresh = Item.objects.filter(updates__published_at__gte=recent, status="in_progress")
    assert fresh.exists() and not fresh.filter(pk__in=Item.objects.update_overdue(now)).exists()
    overdue = set(Item.objects.overdue(today).values_list("reference", flat=True))
    assert {"JAY-05", "JAY-06"} <= overdue and len(overdue) <= 6
    assert {"JAY-05", "OFSTED-F8"} <= set(Item.objects.slipping().values_list("reference", flat=True))
    assert not ProgressUpdate.objects.filter(created_at__gt=now).exists()
    assert not Item.objects.filter(current_target_date__lt=today - datetime.timedelta(days=600)).exists()
    # The publication log tells the same story, in date order, and its checks pass.
    times = list(PublicationLogEntry.objects.filter(update_id__isnull=False).order_by("id")
                 .values_list("recorded_at", flat=True))
    assert times == sorted(times) and times[0] < now - datetime.timedelta(days=365)
    assert not publication_log.unlogged_publications().exists()
    assert publication_log.verify() is None
    call_command("verify_publication_log", stdout=StringIO())


@pytest.mark.django_db
def test_the_demo_adds_indicator_values_marked_as_demo_with_a_missing_month(demo_progress, client):
    values = IndicatorValue.objects.all()
    assert values.exists() and all(note.startswith("[Demo]") for note in values.values_list("note", flat=True))
    assert set(values.values_list("state", flat=True)) == {"draft", "submitted", "approved"}
    shown = {indicator.slug: indicator for indicator in records.public_indicators()}
    assert any(gap for _, gap in shown["lac-visits-on-time"].periods())
    assert shown["survivor-support-wait"].values == ()
    assert IndicatorValue.objects.count() == values.count()
    # The seeds' definitions are untouched: the demo adds values only.
    assert not Indicator.objects.exclude(baseline_value=None).exists()
    assert publication_log.verify() is None
    page = client.get("/items/OFSTED-F9/").content.decode()
    assert "[Demo] Illustrative figure" in page and "Missing period" in page
