"""export_backup and import_backup round-trip every row, history included."""
import io
import json

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.conf import settings

from recommendations.models import HistoricalItem, Item, ProgressUpdate, User
from recommendations.services.backup import BackupRefused, backed_up_models, export_backup, import_backup
from recommendations.services.demo import load_demo
from tests import workflow_helpers

pytestmark = pytest.mark.django_db(transaction=True)


def all_tables():
    """Every backed-up table, row by row, and every many-to-many link."""
    tables = {
        model._meta.db_table: [comparable(row) for row in model._default_manager.order_by("pk").values()]
        for model in backed_up_models()
    }
    for model in backed_up_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            # A link row's own number means nothing (Django renumbers links when it
            # restores them), so links are compared as pairs.
            columns = [f.attname for f in through._meta.concrete_fields if not f.primary_key]
            tables[through._meta.db_table] = sorted(through._default_manager.values_list(*columns))
    return tables


def comparable(row):
    """Content types are made afresh by `migrate`, so compare them by name rather than number."""
    if "content_type_id" in row:
        row["content_type_id"] = ContentType.objects.get_for_id(row["content_type_id"]).natural_key()
    return row


@pytest.fixture
def demo_progress(seeded):
    load_demo(settings.BASE_DIR / "fixtures" / "demo.yaml")
    admin = User.objects.get(username="demo-admin")
    item = Item.objects.get(reference="JAY-04")
    LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(Item), object_id=str(item.pk),
        object_repr=str(item), action_flag=ADDITION, change_message="Checked the wording",
    )
    # An assurance, with the evidence links it checked (a many-to-many to restore after the links).
    workflow_helpers.assure(User.objects.get(username="demo-reviewer"),
                            Item.objects.filter(status=Item.Status.IMPLEMENTED).first())


def flush():
    call_command("flush", interactive=False, verbosity=0)


def test_round_trip_keeps_every_row(demo_progress, tmp_path):
    before = all_tables()
    # The demo really made progress and history, so the comparison means something.
    assert ProgressUpdate.objects.published().exists()
    assert len(before["recommendations_historicalprogressupdate"]) > len(before["recommendations_progressupdate"])
    assert before["recommendations_historicalaction_items"]
    assert before["recommendations_user_groups"]
    assert before["recommendations_progressupdate_evidence_checked"]

    backup = tmp_path / "backup.json"
    call_command("export_backup", str(backup), stdout=io.StringIO())
    flush()
    assert not Item.objects.exists() and not HistoricalItem.objects.exists()

    output = io.StringIO()
    call_command("import_backup", str(backup), stdout=output)
    assert "Restored" in output.getvalue()
    after = all_tables()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table

    # New rows after a restore get new numbers (the id sequences were moved on).
    officer = User.objects.get(username="demo-council-officer")
    update = ProgressUpdate.objects.create(item=Item.objects.get(reference="JAY-03"), author=officer,
                                           narrative="After the restore", proposed_status=Item.Status.IN_PROGRESS)
    assert update.pk > max(row["id"] for row in before["recommendations_progressupdate"])


def test_backup_leaves_out_sessions_and_throttling_records(demo_progress, client):
    client.force_login(User.objects.get(username="demo-reviewer"))
    stream = io.StringIO()
    export_backup(stream)
    labels = {row["model"] for row in json.loads(stream.getvalue())}
    assert "recommendations.historicalitem" in labels and "auth.group" in labels
    assert not labels & {"sessions.session", "axes.accessattempt", "contenttypes.contenttype", "auth.permission"}


def test_restore_refuses_a_database_that_is_not_empty(demo_progress, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("export_backup", str(backup), stdout=io.StringIO())
    before = all_tables()
    with pytest.raises(CommandError, match="only be restored into an empty database"):
        call_command("import_backup", str(backup))
    assert all_tables() == before


def test_restore_is_all_or_nothing(demo_progress, tmp_path):
    stream = io.StringIO()
    export_backup(stream)
    rows = json.loads(stream.getvalue())
    # A damaged last row: an update whose item does not exist.
    broken = next(row for row in rows if row["model"] == "recommendations.progressupdate")
    rows.append({**broken, "pk": 999999, "fields": {**broken["fields"], "item": 999999}})
    flush()
    empty = all_tables()
    with pytest.raises(Exception):
        import_backup(io.StringIO(json.dumps(rows)))
    assert all_tables() == empty

    with pytest.raises(BackupRefused, match="not a readable backup"):
        import_backup(io.StringIO('[{"model": "recommendations.item", "pk": 1, "fields": {"nonsense": '))
    assert all_tables() == empty
