#!/usr/bin/env bash
# Show what the tracker does when its PostgreSQL database goes away and comes back.
#
#   scripts/outage_demo.sh
#
# Starts the app with gunicorn on 127.0.0.1:8107 against a fresh local database
# "tracker_outage", asks for a page (200), stops PostgreSQL, asks again (503 and
# the plain "service unavailable" page), starts PostgreSQL and asks again (200:
# the app reconnected by itself). Needs root (to stop and start the local
# cluster) and stops the WHOLE local cluster for a few seconds, so do not run it
# where anything else uses that PostgreSQL. PostgreSQL is always started again,
# even if the script fails or is interrupted.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
PORT=${PORT:-8107}
URL="http://127.0.0.1:$PORT/items/"
DB=tracker_outage
PG_VERSION=$(ls /etc/postgresql | head -n 1)
PG_CLUSTER=${PG_CLUSTER:-main}
LOG=$(mktemp /tmp/outage_demo.XXXXXX.log)

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DJANGO_SECRET_KEY="outage-demo-only-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=0   # plain http on the loopback interface
export DJANGO_DEBUG=0

gunicorn_pid=""
cleanup() {
    set +e
    if [ -n "$gunicorn_pid" ]; then
        kill "$gunicorn_pid" 2>/dev/null
        wait "$gunicorn_pid" 2>/dev/null
    fi
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start >/dev/null 2>&1
    pg_isready -h 127.0.0.1 -p 5432 -t 30 >/dev/null
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
    rm -f "$LOG"
}
trap cleanup EXIT

request() {
    # Print the status and the page's <h1> (or title), bounded to 10 seconds.
    local body status
    body=$(mktemp)
    status=$(curl -s -m 10 -o "$body" -w '%{http_code}' "$URL" || true)
    echo "GET $URL -> $status  $(grep -o -m 1 '<h1[^>]*>[^<]*' "$body" | sed 's/<h1[^>]*>//')"
    if [ "$status" = 503 ]; then
        echo "   Retry-After: $(curl -s -m 10 -o /dev/null -D - "$URL" | tr -d '\r' | sed -n 's/^Retry-After: //Ip')"
        grep -q -i -E 'traceback|operationalerror' "$body" && echo "   !! the page leaks error details" || echo "   (plain page, no error details)"
    fi
    rm -f "$body"
    LAST_STATUS=$status
}

expect() {
    if [ "$LAST_STATUS" != "$1" ]; then
        echo "FAILED: expected $1, got $LAST_STATUS" >&2
        exit 1
    fi
}

echo "== Fresh database $DB"
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" 2>/dev/null
createdb -h 127.0.0.1 -U postgres "$DB"
"$PYTHON" manage.py migrate -v 0
"$PYTHON" manage.py load_sources >/dev/null
"$PYTHON" manage.py collectstatic --noinput -v 0

echo "== Starting gunicorn on 127.0.0.1:$PORT"
"$GUNICORN" tracker.wsgi --bind "127.0.0.1:$PORT" --workers 1 --timeout 30 >"$LOG" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 50); do
    curl -s -m 1 -o /dev/null "$URL" && break
    sleep 0.2
done

echo "== 1. Database up"
request; expect 200

echo "== 2. Stopping PostgreSQL"
pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop
request; expect 503

echo "== 3. Starting PostgreSQL again"
pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
pg_isready -h 127.0.0.1 -p 5432 -t 30 >/dev/null
request; expect 200

echo "== The app reconnected by itself. What it logged during the outage:"
grep -m 3 "Database unavailable" "$LOG" || true
echo "== Done"
