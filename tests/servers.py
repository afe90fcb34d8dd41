"""A real gunicorn server for tests, on a database of its own, set up with the real commands."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlsplit

import dj_database_url
import psycopg
import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@contextmanager
def scratch_database_url(directory, label):
    """A database for a server alone: a SQLite file in `directory`, or, when the suite runs on
    PostgreSQL, a scratch database on the same server, dropped afterwards."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{directory / f'{label}.sqlite3'}"
        return
    config = dj_database_url.parse(suite)
    name = f"{config['NAME']}_{label}_{os.getpid()}"
    server_address = {"host": config["HOST"] or None, "port": config["PORT"] or None,
                      "user": config["USER"] or None, "password": config["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server_address) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(suite)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server_address) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(env, *options):
    """gunicorn serving the tracker with `options` (like "--threads", "4") on a free port; yields its
    address once it answers."""
    executable = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if not executable:
        pytest.skip("gunicorn is not installed (bin/setup installs it)")
    port = free_port()
    process = subprocess.Popen(
        [executable, *options, "--bind", f"127.0.0.1:{port}", "tracker.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=10).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
