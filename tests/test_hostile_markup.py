"""Script and HTML typed into every text field is kept as typed and shown escaped on every page.

Stored text is never refused for containing markup (a narrative may quote
"<" legitimately); it is escaped when shown. Each test saves the payload
through the real forms as the real roles, then reads every page that shows it.
"""
import datetime
import io
import shutil
import zipfile

import pytest
from django.utils import timezone
from django.test import override_settings
from django.urls import reverse

from recommendations import roles
from recommendations.models import Item, Organisation, ProgressUpdate
from recommendations.services.sources import load_sources
from tests.helpers import SEEDS, make_user
from tests.hostile import SCRIPT_PAYLOADS, assert_escaped, board_urls, new_update_url, snapshot, with_evidence
from tests.workflow_helpers import assure_form, days_ahead

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("payload, core", SCRIPT_PAYLOADS)
def test_workflow_text_is_escaped_on_every_page_that_shows_it(client, council_officer, reviewer, payload, core):
    item = Item.objects.get(reference="JAY-02")  # council-only, so one officer does it all
    workspace = reverse("workflow:item", args=[item.reference])

    # The officer writes it: narrative, target date reason and evidence title.
    client.force_login(council_officer)
    response = client.post(new_update_url(item), with_evidence(
        title=payload, narrative=payload, proposed_status="implemented",
        proposed_target_date=days_ahead(90), target_date_reason=payload,
    ), follow=True)
    assert_escaped(response, payload, core)  # the workspace, after the redirect
    update = ProgressUpdate.objects.get(item=item)
    assert (update.narrative, update.target_date_reason, update.evidence.get().title) == (payload, payload, payload)
    edit = reverse("workflow:update-edit", args=[update.pk])
    submit = reverse("workflow:update-submit", args=[update.pk])
    review = reverse("workflow:review-update", args=[update.pk])
    assert_escaped(client.get(edit), payload, core)  # textareas and the "remove evidence" label
    assert_escaped(client.get(submit), payload, core)
    client.post(submit, {"version": update.version})

    # The reviewer reads it and returns it with a comment carrying the payload.
    client.force_login(reviewer)
    assert_escaped(client.get(review), payload, core)
    update.refresh_from_db()
    assert_escaped(client.post(review, {"decision": "return", "comment": payload, "version": update.version},
                               follow=True), payload, core, shown=False)  # the review queue
    update.refresh_from_db()
    assert update.review_comment == payload

    # The officer sees the comment, resubmits, and the reviewer approves with it again.
    client.force_login(council_officer)
    assert_escaped(client.get(workspace), payload, core)
    assert_escaped(client.get(edit), payload, core)
    client.post(submit, {"version": update.version})
    update.refresh_from_db()
    client.force_login(reviewer)
    client.post(review, {"decision": "approve", "comment": payload, "version": update.version})
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED

    # A second reviewer acting on the stale page sees their comment shown back, escaped, and nothing changes.
    before = snapshot()
    response = client.post(review, {"decision": "return", "comment": payload, "version": update.version - 1})
    assert response.status_code == 409
    assert core not in response.content.decode()
    assert snapshot() == before

    # Published: the public item page, the workspace with its history, and every dashboard.
    assert_escaped(client.get(item.get_absolute_url()), payload, core)
    assert_escaped(client.get(workspace), payload, core)
    for url in board_urls():
        assert_escaped(client.get(url), payload, core, shown=False)

    # The board assures the implemented item with the payload as its narrative.
    response = client.post(reverse("workflow:assure", args=[item.reference]), assure_form(item, narrative=payload), follow=True)
    assert_escaped(response, payload, core)
    item.refresh_from_db()
    assert item.status == Item.Status.ASSURED
    client.logout()
    assert_escaped(client.get(item.get_absolute_url()), payload, core)


def test_an_evidence_address_with_markup_in_it_is_escaped_in_the_link(client, council_officer, council_item):
    url = 'https://example.org/report?q="><script>alert(1)</script>'
    client.force_login(council_officer)
    response = client.post(new_update_url(council_item), with_evidence(url=url), follow=True)
    assert council_item.evidence.get().url == url
    assert_escaped(response, url, "<script>alert(1)")
    # Jinja2 escapes a quote as &#34; (Django's templates wrote &quot;): either way the address stays in href.
    assert 'href="https://example.org/report?q=&#34;&gt;&lt;script&gt;' in response.content.decode()


@pytest.mark.parametrize("payload, core", SCRIPT_PAYLOADS)
@pytest.mark.parametrize("axes", [False, True], ids=["plain", "with-sign-in-throttling"])
def test_sign_in_username_is_shown_back_escaped(client, council_officer, payload, core, axes):
    with override_settings(AXES_ENABLED=axes):
        response = client.post(reverse("login"), {"username": payload, "password": "wrong"})
    assert_escaped(response, payload, core)
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("axes", [False, True], ids=["plain", "with-sign-in-throttling"])
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_sign_in_with_a_huge_username_is_refused_clearly(client, council_officer, axes, url):
    # With throttling on, the failed attempt used to be logged with the whole
    # username, which PostgreSQL refused (255 characters at most): a 500.
    with override_settings(AXES_ENABLED=axes):
        response = client.post(url, {"username": "x" * 100_000, "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.fixture
def hostile_seeds(tmp_path):
    """The real seed files with markup in JAY-01's title and lead role."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    jay = seeds / "jay.yaml"
    text = jay.read_text()
    text = text.replace("title: Current, good-quality risk assessment for every child affected by CSE",
                        "title: '<script>alert(1)</script> risk assessment'", 1)
    text = text.replace("lead_role: Strategic Director of Children and Young People's Services",
                        "lead_role: '\"><img src=x onerror=alert(1)>'", 1)
    jay.write_text(text)
    return seeds


@pytest.mark.empty_database
def test_seed_text_with_markup_loads_and_is_shown_escaped(client, hostile_seeds, db):
    load_sources(hostile_seeds)  # into an empty database: the lead role is only a starting value
    # Added long ago with nothing published: update overdue, so the board lists the item by title.
    Item.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    reviewer = make_user("board-reviewer", roles.REVIEWERS)
    council_officer = make_user("council-officer", roles.OFFICERS, Organisation.objects.get(slug="rmbc-cyps"))
    item = Item.objects.get(reference="JAY-01")
    assert item.title == "<script>alert(1)</script> risk assessment"
    assert item.lead_role == '"><img src=x onerror=alert(1)>'
    public = [reverse("public:home"), reverse("public:item-list"), item.get_absolute_url(),
              reverse("public:source-detail", args=["JAY"]), reverse("public:source-report", args=["JAY"])]
    signed_in = [reverse("workflow:item", args=[item.reference]), *board_urls()]
    for url in public:
        content = client.get(url).content.decode()
        assert "<script>alert(1)" not in content and "<img src=x" not in content, url
    pages_for = {reviewer: signed_in, council_officer: signed_in + [new_update_url(item)]}
    for user, urls in pages_for.items():
        client.force_login(user)
        for url in urls:
            content = client.get(url).content.decode()
            assert "<script>alert(1)" not in content and "<img src=x" not in content, url
    # Shown, escaped, where the title and lead role are printed.
    assert_escaped(client.get(item.get_absolute_url()), item.title, "<script>alert(1)")
    assert_escaped(client.get(item.get_absolute_url()), item.lead_role, "<img src=x")
    assert_escaped(client.get(reverse("public:source-report", args=["JAY"])), item.title, "<script>alert(1)")
    # In the report's OpenDocument download, the title is text in the document's XML, escaped.
    odt = client.get(reverse("public:source-report-odt", args=["JAY"]))
    with zipfile.ZipFile(io.BytesIO(odt.content)) as document:
        content = document.read("content.xml").decode()
    assert "<script>" not in content and "&lt;script&gt;alert(1)&lt;/script&gt; risk assessment" in content
    assert_escaped(client.get(reverse("board:overview")), item.title, "<script>alert(1)")
    assert_escaped(client.get(reverse("board:owners")), item.lead_role, "<img src=x")


# A seed file with a javascript: address is refused with a clear message and
# nothing written: see test_bad_file_is_rejected_with_a_clear_message_and_nothing_written
# in tests/test_sources.py (the "url: javascript://" case).
