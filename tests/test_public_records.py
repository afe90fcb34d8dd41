"""The public boundary: pages, downloads and the feed get public records built in
services/records.py, which hold only public values."""
import dataclasses
import json
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.template import Context
from markupsafe import escape  # as the item page's Jinja2 escapes

from recommendations.models import Item, PublicationLogEntry
from recommendations import policies
from recommendations.public import records
from tests.public_urls import every_public_url
from tests.workflow_helpers import approved

pytestmark = pytest.mark.django_db

PRIVATE = {"author", "reviewer", "review_comment", "state", "version", "added_by", "submitted_at", "reviewed_at",
           "verified", "pk",
           # The public's feedback as sent, and who dealt with it.
           "text", "email", "client", "reply", "handled_by", "handled_at"}


def test_public_records_have_no_private_fields():
    for record in (records.PublicItem, records.PublicUpdate, records.PublicEvidence,
                   records.PublicSource, records.PublicTheme, records.PublicAction, records.PublicFeedbackResponse):
        names = {field.name for field in dataclasses.fields(record)}
        if record is records.PublicSource:
            names.discard("author")  # who wrote the published report, not a person using the tracker
        assert not names & PRIVATE, record


def test_unverified_official_wording_is_not_in_the_record(seeded, client):
    Item.objects.filter(reference="JAY-04").update(official_wording="Unchecked wording 7731", verified=False)
    assert records.item_detail("JAY-04").item.official_wording == ""
    assert b"Unchecked wording 7731" not in client.get("/items/JAY-04/").content
    Item.objects.filter(reference="JAY-04").update(verified=True)
    assert records.item_detail("JAY-04").item.official_wording == "Unchecked wording 7731"


def test_an_update_is_attributed_to_its_authors_organisation(council_officer, reviewer, client):
    """A council officer's update on an item another body owns (the council is a partner
    through joint work) is shown as the council's report, not the owner's."""
    item = policies.items.worked_on_by(council_officer).exclude(owner=council_officer.organisation).first()
    assert item is not None
    approved(council_officer, reviewer, item, narrative="Partner progress 5521.")
    council, owner = council_officer.organisation.name, item.owner.name
    page = client.get(item.get_absolute_url()).content.decode()
    assert f"Reported by {escape(council)}." in page and f"Reported by {escape(owner)}." not in page
    updates = json.loads(client.get("/updates.json").content)["updates"]
    assert [update["organisation"] for update in updates if update["narrative"] == "Partner progress 5521."] == [
        council
    ]
    assert f"<name>{xml_escape(council)}</name>" in client.get("/feed/").content.decode()


def model_objects_in(value, path, seen):
    """(path, model instance) for each model object reachable from a view's context value through
    the containers and records the views hand to templates (not through other objects' attributes)."""
    if id(value) in seen or isinstance(value, (str, bytes, int, float)) or value is None:
        return
    seen.add(id(value))
    if isinstance(value, Model):
        yield path, value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from model_objects_in(getattr(value, field.name), f"{path}.{field.name}", seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from model_objects_in(item, f"{path}[{key!r}]", seen)
    elif isinstance(value, (list, tuple, Page, QuerySet)):
        for index, item in enumerate(value):
            yield from model_objects_in(item, f"{path}[{index}]", seen)


# Records whose every field is public and that lead nowhere else (no relations to follow).
WHOLLY_PUBLIC = (PublicationLogEntry,)


def test_public_pages_hand_templates_no_model_objects(demo_progress, client):
    """A template given a model object could follow its relations to private data (a source's
    items, their updates, a review comment): public pages get public records only."""
    found = []
    for url in every_public_url():
        response = client.get(url)
        # One template rendered (a Jinja2 page) gives its Context; several (Django's includes) a list of them.
        contexts = [response.context] if isinstance(response.context, Context) else response.context or []
        for context in contexts:
            for name, value in context.flatten().items():
                found += [(url, path, type(obj).__name__) for path, obj in model_objects_in(value, name, set())
                          if not isinstance(obj, WHOLLY_PUBLIC)]
    assert found == []


def test_queries_built_once_are_never_run_themselves(demo_progress, client):
    """records builds some queries once per process and hands out copies: the one it keeps
    must never be run, or it would hold one request's rows for every later one."""
    built_once = [value for value in vars(records).values() if hasattr(value, "cache_info")]
    assert len(built_once) >= 4
    for url in every_public_url():
        assert client.get(url).status_code == 200, url
    for build in built_once:
        query = build()
        assert isinstance(query, QuerySet), build.__name__
        assert query._result_cache is None, build.__name__
        assert build.cache_info().hits > 1, build.__name__  # each was used, through copies
