"""Applying the same preview of a source file twice (a double click, two tabs): it is applied once,
the other apply is told it already was, nothing is written twice and nobody gets an error page."""
import html
import threading

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from recommendations.models import Item, PublicationLogEntry, Source
from tests.admin_helpers import sign_in_with_two_factor
from tests.helpers import SEEDS

UPLOAD = "/admin/recommendations/source/upload/"
APPLY = "/admin/recommendations/source/upload/apply/"
EXAMPLE = SEEDS.parent / "tests" / "files" / "example_review.yaml"
APPLIED = "example_review.yaml was applied."
ALREADY = "the file example_review.yaml was already applied; nothing was written again."


def previewed_in_two_tabs(administrator, settings):
    """Two clients in one signed-in session (two tabs), after the file was uploaded and previewed."""
    first = sign_in_with_two_factor(Client(), administrator, settings)
    response = first.post(UPLOAD, {"file": SimpleUploadedFile("example_review.yaml", EXAMPLE.read_bytes())})
    assert response.status_code == 200 and "Nothing has been written yet" in response.content.decode()
    second = Client()
    cookie = django_settings.SESSION_COOKIE_NAME
    second.cookies[cookie] = first.cookies[cookie].value
    return first, second


def told(response):
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/admin/recommendations/source/"
    page = html.unescape(response.content.decode()).lower()  # the admin capitalises messages
    return [message for message in (APPLIED, ALREADY) if message in page]


def written_once():
    assert Source.objects.filter(code="EXREVIEW").count() == 1
    items = Item.objects.filter(source__code="EXREVIEW")
    assert sorted(items.values_list("reference", flat=True)) == ["EXREVIEW-1", "EXREVIEW-2"]
    for item in items:
        assert item.history.count() == 1
        assert PublicationLogEntry.objects.filter(item_reference=item.reference).count() == 1


@pytest.mark.django_db
def test_a_second_apply_after_the_first_is_told_it_was_already_applied(administrator, settings):
    first, second = previewed_in_two_tabs(administrator, settings)
    assert told(first.post(APPLY, follow=True)) == [APPLIED]
    assert told(second.post(APPLY, follow=True)) == [ALREADY]
    assert told(first.post(APPLY, follow=True)) == [ALREADY]
    written_once()


needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL sessions")


@pytest.mark.postgres_only
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_applies_at_the_same_moment_apply_once(administrator, settings):
    tabs = previewed_in_two_tabs(administrator, settings)
    at_once = threading.Barrier(2)
    outcomes = [None, None]

    def apply(index):
        try:
            at_once.wait(timeout=10)
            outcomes[index] = told(tabs[index].post(APPLY, follow=True))
        except Exception as error:  # an error page (the test client raises the view's exception)
            outcomes[index] = repr(error)
        finally:
            connections.close_all()  # each thread had its own database connection

    threads = [threading.Thread(target=apply, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted([[APPLIED], [ALREADY]]), outcomes
    written_once()
