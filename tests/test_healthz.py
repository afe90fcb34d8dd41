"""/healthz, for load balancers and monitoring: the database's and the cache's state, never
cached, with nothing personal; 200 while the database answers (a cache that is down only
makes pages slower), 503 only when the database cannot be reached."""
import json
import socket

import pytest
from django.db import connection
from django.test import override_settings

from tracker.settings import cache_from_url

pytestmark = pytest.mark.django_db


def unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_says_the_database_and_the_cache_are_ok_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"] and not response.has_header("ETag")
    assert not response.cookies


@override_settings(CACHES={"default": cache_from_url("dummy://")})
def test_health_says_when_the_cache_is_off(client):
    assert json.loads(client.get("/healthz").content)["cache"] == "off"


def test_health_is_200_and_degraded_while_redis_cannot_be_reached_and_pages_are_served(seeded, client):
    with override_settings(CACHES={"default": cache_from_url(f"redis://127.0.0.1:{unused_port()}/0")}):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert json.loads(response.content) == {"status": "degraded", "database": "ok", "cache": "degraded"}
        assert client.get("/items/?source=JAY").status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True)
def test_load_balancers_may_ask_over_plain_http(client):
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_health_is_503_while_the_database_cannot_be_reached(client):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: an SQLite file cannot become unreachable")
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = unused_port()
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "unreachable", "cache": "ok"}
    assert client.get("/healthz").status_code == 200
