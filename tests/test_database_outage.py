"""While the database is unreachable, pages answer 503 with a plain page (public pages already in the
page cache are still served); they recover on their own."""
import socket
import threading
import time

import pytest
from django.conf import settings
from django.db import connection


def unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_unreachable_database_gives_a_plain_503_then_recovers(seeded, client):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: an SQLite file cannot become unreachable")
    assert client.get("/items/").status_code == 200  # and now in the public page cache

    # A real failed connection: the next request connects to a port where no database listens.
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = unused_port()
    try:
        cached = client.get("/items/")
        response = client.get("/sources/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert cached.status_code == 200  # a public page already in the cache needs no database
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Sorry, the service is unavailable" in html
    assert "Traceback" not in html and "OperationalError" not in html and "connection" not in html.lower()

    assert client.get("/sources/").status_code == 200


def test_only_database_errors_become_a_503(rf, db):
    """Other errors still reach the normal error handling (and the logs) unchanged."""
    from django.db import OperationalError

    from recommendations.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = rf.get("/work/")
    response = middleware.process_exception(request, OperationalError("server closed the connection"))
    assert response.status_code == 503
    assert middleware.process_exception(request, ValueError("not ours")) is None


@pytest.fixture
def silent_database():
    """A listener that accepts connections and never says a word, like a hung database server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection_ in accepted:
        connection_.close()
    listener.close()


def test_the_time_outs_are_below_the_servers():
    """gunicorn kills a worker after 30 s; people get the 503 page well before."""
    assert 2 * settings.DATABASE_CONNECT_TIMEOUT <= 10
    assert settings.DATABASE_STATEMENT_TIMEOUT_MS <= 20_000


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_database_that_never_answers_gives_the_503_page_within_seconds(seeded, client, silent_database):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the time-outs are PostgreSQL connection settings")
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = silent_database
    try:
        started = time.monotonic()
        response = client.get("/sources/")
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    # libpq may try twice (with, then without TLS): within two time-outs and a little.
    assert elapsed < 2 * settings.DATABASE_CONNECT_TIMEOUT + 2, elapsed
    assert client.get("/sources/").status_code == 200


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_every_connection_stops_a_long_statement_with_the_503_page(rf):
    """A query that never finishes is stopped by PostgreSQL after DATABASE_STATEMENT_TIMEOUT_MS, with an
    error the 503 page answers, rather than holding a worker until gunicorn kills it."""
    from django.db import OperationalError, transaction

    from recommendations.middleware import DatabaseUnavailableMiddleware

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the time-out is a PostgreSQL connection setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        assert int(cursor.fetchone()[0]) == settings.DATABASE_STATEMENT_TIMEOUT_MS
        # The same stop, sooner, so the test need not wait the full time-out.
        with pytest.raises(OperationalError) as stopped, transaction.atomic():
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(5)")
    response = DatabaseUnavailableMiddleware(lambda request: None).process_exception(rf.get("/"), stopped.value)
    assert response.status_code == 503
