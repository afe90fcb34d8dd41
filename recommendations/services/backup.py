"""
Backups of everything people have entered, as one JSON file.

The file holds, in Django's serialisation format (the same as `dumpdata`),
every row of the tracker's own tables, including the change history kept by
django-simple-history, plus the user accounts' groups and the admin's log.
Users and groups are referred to by name rather than number, so a backup
loads into any freshly migrated database. Left out on purpose: sessions
(signed-in users sign in again), sign-in throttling records (django-axes) and
the tables Django fills itself on `migrate` (content types, permissions).

A backup is only restored into an empty database, and all-or-nothing: any
problem leaves the database as it was.
"""
import datetime

from django.apps import apps
from django.core import serializers
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.management.color import no_style
from django.db import connection, transaction

from recommendations.database import analyse_tables
from recommendations.models import number_items_in_list_order

BACKED_UP_APPS = ["recommendations"]
BACKED_UP_MODELS = ["auth.Group", "admin.LogEntry"]


class BackupRefused(Exception):
    pass


def backed_up_models():
    """The models in a backup, each after the models it refers to."""
    models = [apps.get_model(label) for label in BACKED_UP_MODELS]
    for app_label in BACKED_UP_APPS:
        models.extend(apps.get_app_config(app_label).get_models())
    app_list = [(apps.get_app_config(model._meta.app_label), [model]) for model in models]
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def export_backup(stream):
    """Write the backup as JSON to an open text stream; return the number of rows written."""
    counter = _Counter()
    serializers.serialize(
        "json",
        counter.count(_all_rows(backed_up_models())),
        stream=stream,
        indent=1,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=False,
        cls=ExactJSONEncoder,
    )
    return counter.rows


def import_backup(stream):
    """Load a backup from an open text stream into an empty database; return the number of rows loaded."""
    rows = _restore(stream)
    analyse_tables()
    return rows


@transaction.atomic
def _restore(stream):
    models = backed_up_models()
    not_empty = [model._meta.verbose_name_plural for model in models if model._default_manager.exists()]
    if not_empty:
        raise BackupRefused(
            "A backup can only be restored into an empty database, and this one already holds "
            + ", ".join(str(name) for name in not_empty[:5])
            + (" and more" if len(not_empty) > 5 else "")
            + ". Create a new database, run `manage.py migrate`, then restore. Nothing was changed."
        )
    allowed = set(models)
    rows = 0
    deferred = []
    try:
        for record in serializers.deserialize("json", stream, handle_forward_references=True):
            if type(record.object) not in allowed:
                raise BackupRefused(f"The backup holds {record.object._meta.label} rows, which backups never contain.")
            # The rows already include their history; restoring must not add more.
            record.object.skip_history_when_saving = True
            record.save()
            if record.deferred_fields:
                deferred.append(record)
            rows += 1
        for record in deferred:
            record.save_deferred_fields()
    except DeserializationError as error:
        raise BackupRefused(f"The file is not a readable backup: {error}. Nothing was changed.") from error
    # New rows made after the restore must not reuse the restored rows' numbers.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    number_items_in_list_order()  # a backup made before items had places in the list has none
    return rows


class ExactJSONEncoder(DjangoJSONEncoder):
    """Keep times to the microsecond: Django's encoder (and so `dumpdata`) cuts them to milliseconds."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def _all_rows(models):
    for model in models:
        yield from model._default_manager.order_by(model._meta.pk.name).iterator()


class _Counter:
    def __init__(self):
        self.rows = 0

    def count(self, objects):
        for obj in objects:
            self.rows += 1
            yield obj
