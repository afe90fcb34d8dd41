"""Every bulk load leaves PostgreSQL's planner with fresh statistics: straight after the synthetic data was
loaded, before autovacuum had analysed the tables, the item list served a fifth of its usual throughput."""
import io

import pytest
from django.core.management import call_command
from django.db import connection

from recommendations.models import Item
from recommendations.services import synthetic
from recommendations.services.backup import export_backup, import_backup
from recommendations.services.sources import load_sources
from tests.helpers import SEEDS, empty_database

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's statistics")]


def times_analysed(what="analyze_count"):
    """How often the items table was analysed (or vacuumed) by hand; autovacuum's are counted apart."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # this connection's view of the counters is kept
        cursor.execute(f"SELECT {what} FROM pg_stat_user_tables WHERE relname = 'recommendations_item'")
        return cursor.fetchone()[0]


def items_the_planner_expects():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'recommendations_item'")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_synthetic_data_is_analysed():
    empty_database()
    before = times_analysed()
    synthetic.generate(items=300, updates=600, seed=3)
    assert times_analysed() > before
    assert items_the_planner_expects() == Item.objects.count() == 300


@pytest.mark.django_db
def test_loaded_sources_are_analysed():
    empty_database()
    before = times_analysed()
    load_sources(SEEDS)
    assert times_analysed() > before
    assert items_the_planner_expects() == Item.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_analysed(seeded):
    backup = io.StringIO()
    export_backup(backup)
    call_command("flush", interactive=False, verbosity=0)
    before, vacuumed_before = times_analysed(), times_analysed("vacuum_count")
    import_backup(io.StringIO(backup.getvalue()))
    assert times_analysed() > before
    # Outside a transaction (as here) the tables are vacuumed too, so index-only scans need no table reads.
    assert times_analysed("vacuum_count") > vacuumed_before
    assert items_the_planner_expects() == Item.objects.count() > 0
