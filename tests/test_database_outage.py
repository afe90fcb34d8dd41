"""While the database is unreachable, pages answer 503 with a plain page (public pages already in the
page cache are still served); they recover on their own."""
import socket

import pytest
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
