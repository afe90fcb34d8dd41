"""
The benchmark's in-process helper, run by bench/run.py in a subprocess with
the same environment (database, settings) as the servers under test.

    python -m bench.probe prepare '<pages json>'   -> JSON on stdout
    python -m bench.probe publish <update id>      -> JSON on stdout

`prepare` signs in a board reviewer (for the board pages), picks the item to
load test, counts the SQL queries each page runs, times each page in-process
(the median of 10 requests, and of 5 first requests after a change), and puts
one update into the review queue for the scale-out demonstration. `publish` approves that
update through the workflow service, as a reviewer would.
"""
import json
import os
import statistics
import sys
import time
import uuid

import django

BENCH_PASSWORD = "bench-reviewer-password-only-for-loopback"
REPEATS = 10  # the measure: the median of 10 requests through the test client
AFTER_CHANGE_REPEATS = 5


def median_ms(request, repeats, before=None):
    timings = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    command, argument = sys.argv[1], sys.argv[2]
    result = prepare(json.loads(argument)) if command == "prepare" else publish(int(argument))
    print("PROBE_RESULT " + json.dumps(result))


def prepare(pages):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recommendations import roles

    from recommendations import versions
    from recommendations.models import Item, User

    reviewer, _ = User.objects.get_or_create(username="bench-reviewer")
    reviewer.set_password(BENCH_PASSWORD)
    reviewer.save()
    reviewer.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])

    # The item with the most updates: the heaviest item page there is.
    item = Item.objects.annotate(n=Count("updates")).order_by("-n", "reference").first()

    signed_in = Client()
    signed_in.force_login(reviewer)
    anonymous = Client()
    queries, statuses, alone_ms, after_change_ms = {}, {}, {}, {}
    for page in pages:
        client = signed_in if page["signed_in"] else anonymous
        path = page["path"].format(item=item.reference)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        statuses[page["name"]] = response.status_code
        queries[page["name"]] = len(captured)
        # One request at a time, in this process: the page's own cost, without contention.
        alone_ms[page["name"]] = median_ms(lambda: client.get(path), REPEATS)
        # The first request after a change: nothing kept for the new version yet.
        after_change_ms[page["name"]] = median_ms(lambda: client.get(path), AFTER_CHANGE_REPEATS,
                                                  before=versions.changed)

    return {
        "item": item.reference,
        "item_updates": item.n,
        "session": signed_in.cookies["sessionid"].value,
        "queries": queries,
        "alone_ms": alone_ms,
        "after_change_ms": after_change_ms,
        "statuses": statuses,
        "publication": queue_update_for_demo(),
        "reviewer": {"username": reviewer.username, "password": BENCH_PASSWORD},
    }


def queue_update_for_demo():
    """A submitted update, written and submitted by an officer through the workflow."""
    from recommendations.models import Item, User
    from recommendations.services import workflow

    officer = User.objects.filter(username__startswith="syn-officer-").order_by("username").first()
    item = Item.objects.filter(owner=officer.organisation, status=Item.Status.IN_PROGRESS).order_by("reference").first()
    marker = f"Benchmark publication {uuid.uuid4().hex[:12]}"
    # Amber, not green: green is refused for an item past its target date, which the chosen one may be.
    update = workflow.save_draft(
        officer, item, narrative=marker, proposed_status=Item.Status.IN_PROGRESS, proposed_rag=Item.Rag.AMBER
    )
    workflow.submit(officer, update, update.version)
    return {"update": update.pk, "item": item.reference, "marker": marker}


def publish(update_id):
    from recommendations.models import ProgressUpdate, User
    from recommendations.services import workflow

    update = ProgressUpdate.objects.get(pk=update_id)
    workflow.approve(User.objects.get(username="bench-reviewer"), update, update.version)
    return {"update": update_id, "state": ProgressUpdate.objects.get(pk=update_id).state}


if __name__ == "__main__":
    main()
