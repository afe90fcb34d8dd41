"""Housekeeping the database needs from the tracker itself."""
from django.db import connection


def analyse_tables():
    """Give the database's query planner fresh statistics: run after every bulk load.

    A table loaded in bulk is not analysed until PostgreSQL's autovacuum gets to it; until then the planner
    works from the table's old size (or a guess) and can pick plans many times slower (the item list served a
    fifth of its usual throughput straight after the synthetic data was loaded). SQLite's planner, too, uses
    the statistics its ANALYZE keeps."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
