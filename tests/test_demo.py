"""Demo accounts and progress: only in demo mode, marked as demo, loaded once."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import ProgressUpdate, User


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
