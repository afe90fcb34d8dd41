"""The public pages show the tracked items and their published progress to anyone, without signing in."""
import datetime
import re

import pytest
from django.http import QueryDict
from django.template import Context, Template, engines
from django.utils import timezone

from recommendations.filters import ItemFilter
from recommendations.models import EvidenceLink, Item, Organisation, Source
from recommendations.services import synthetic
from recommendations.public import records
from tests.helpers import demo_date, long_date, short_date

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def references(response):
    return [item.reference for item in response.context["items"]]


def test_home_shows_headline_counts_for_each_source_and_last_update(demo_progress, client):
    response = client.get("/")  # a repeat would come from the page cache, without a template context
    body = text(response)
    rows = {row["source"].code: row for row in response.context["source_counts"]}
    assert {code: row["total"] for code, row in rows.items()} == {"JAY": 15, "ADCS": 6, "OFSTED": 14}
    jay = dict((value, count) for value, label, count in rows["JAY"]["by_status"])
    assert jay == {"not_started": 8, "in_progress": 2, "implemented": 1, "assured": 4, "not_accepted": 0, "closed_not_implemented": 0, "superseded": 0}
    assert 'href="/items/?source=JAY&amp;status=in_progress"' in body
    assert 'href="/sources/OFSTED/"' in body
    assert f"Last updated <strong>{long_date(demo_date(-8))}</strong>" in body  # the demo's latest publication


def test_item_list_shows_every_item_with_its_columns(demo_progress, client):
    response = client.get("/items/")
    assert response.context["paginator"].count == 35
    body = text(response)
    for reference in ["JAY-01", "JAY-15", "ADCS-6", "OFSTED-J1", "OFSTED-F9"]:
        assert f'href="/items/{reference}/"' in body
    # JAY-05's target moved: the list shows the new date and the first agreed one.
    assert short_date(demo_date(-380)) in body and f"First agreed: {short_date(demo_date(-470))}" in body
    assert "South Yorkshire Police" in body and "Jay report" in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?source=ADCS", [f"ADCS-{n}" for n in range(1, 7)]),
        ("?source=JAY&status=implemented", ["JAY-04"]),
        ("?status=implemented", ["OFSTED-F3", "JAY-04", "ADCS-3"]),
        ("?owner=south-yorkshire-police&status=in_progress", ["JAY-05"]),
        ("?q=jay-1", ["JAY-10", "JAY-11", "JAY-12", "JAY-13", "JAY-14", "JAY-15"]),
        ("?q=looked-after", None),
        ("?theme=looked-after-children&source=JAY", None),
    ],
)
def test_filters_are_in_the_url(demo_progress, client, query, expected):
    response = client.get("/items/" + query)
    found = references(response)
    if expected is not None:
        assert sorted(found) == sorted(expected)
    assert found, "a shareable filter should find something"
    # The filters are kept in the form and in the download links, so the view can be shared.
    body = text(response)
    query_string = response.context["query_string"]
    assert f'href="/items.csv?{query_string.replace("&", "&amp;")}"' in body


def test_search_looks_in_the_summary_too(demo_progress, client):
    found = references(client.get("/items/?q=placed+in+Rotherham+by+other+councils"))
    assert found[0] == "JAY-02"  # the item that says it, first


def test_overdue_filter(demo_progress, client):
    found = set(references(client.get("/items/?overdue=on")))
    today = timezone.localdate()
    assert found == set(Item.objects.overdue(today).values_list("reference", flat=True))
    assert "JAY-04" not in found  # implemented
    assert "JAY-05" in found


def test_an_unknown_filter_value_is_said_plainly_not_hidden(demo_progress, client):
    """Every item is listed, under one message saying the filter was left out: never a silent empty list."""
    response = client.get("/items/?source=NOPE")
    body = text(response)
    assert "This link includes a filter that no longer exists (Source: NOPE)" in body
    assert len(references(response)) == Item.objects.count()
    assert "<title>Error: " not in body


def test_pagination_keeps_the_filters(demo_progress, client):
    source = Source.objects.get(code="JAY")
    owner = Organisation.objects.get(slug="rmbc-cyps")
    Item.objects.bulk_create(
        Item(source=source, reference=f"JAY-X{n:02}", number=100 + n, kind="recommendation", title=f"Extra {n}",
             summary="Extra", provenance="seed", owner=owner, lead_role="Lead", status="not_started")
        for n in range(60)
    )
    first = client.get("/items/?source=JAY&status=not_started")
    assert first.context["paginator"].count == 68
    assert len(references(first)) == 50
    assert 'href="?source=JAY&amp;status=not_started&amp;page=2"' in text(first)
    second = client.get("/items/?source=JAY&status=not_started&page=2")
    assert len(references(second)) == 18
    assert "(page 2 of 2)" in text(second)
    assert client.get("/items/?page=3").status_code == 404


def test_item_page_shows_published_progress_newest_first(demo_progress, client, council_officer, reviewer):
    from recommendations.services import workflow

    item = Item.objects.get(reference="JAY-05")
    update = workflow.save_draft(council_officer, item, narrative="Remit signed by both chief officers.",
                                 proposed_status="in_progress", proposed_target_date=demo_date(90),
                                 target_date_reason="Waiting for the police signature.")
    # The council is a partner on JAY-05's joint action, so its officer may report on it.
    workflow.submit(council_officer, update, update.version)
    workflow.approve(reviewer, update, update.version)
    body = text(client.get("/items/JAY-05/"))
    assert body.index("Remit signed by both chief officers.") < body.index("remit has been drafted and agreed")
    # Owner, lead role, source and link to the official document.
    assert "South Yorkshire Police" in body and "Rotherham District Commander" in body
    assert 'href="https://www.rotherham.gov.uk/downloads/file/1407/independent_inquiry_cse_in_rotherham"' in body
    # Target date history: the first agreed date, then each move with its reason.
    history = body[body.index("Target date history"):]
    first, moved, latest = (long_date(demo_date(days)) for days in (-470, -380, 90))
    assert history.index(first) < history.index(moved) < history.index(latest)
    assert "Waiting for the police signature." in history
    # Status history.
    assert "Status history" in body
    # Public attribution is the organisation, never the person.
    assert "council-officer" not in body and "board-reviewer" not in body


def test_item_page_shows_evidence_and_related_items(demo_progress, client):
    EvidenceLink.objects.create(item=Item.objects.get(reference="JAY-04"), title="Board minutes, March 2015",
                                url="https://example.org/minutes.pdf", date=datetime.date(2015, 3, 5))
    body = text(client.get("/items/JAY-04/"))
    assert "Other evidence" in body and 'href="https://example.org/minutes.pdf"' in body
    assert 'href="https://example.org/demo/joint-cse-team-terms.pdf"' in body
    assert "[Demo] Joint CSE team terms of reference" in body
    # Related through the joint action ACT-01.
    for related in ["JAY-05", "JAY-06", "OFSTED-F1", "OFSTED-F2"]:
        assert f'href="/items/{related}/"' in body
    assert "Joint council and police CSE team under a single manager" in body


def test_summary_is_labelled_as_ours_until_the_wording_is_verified(seeded, client):
    body = text(client.get("/items/JAY-01/"))
    assert "This is our summary, not the official wording." in body
    assert "has not yet been checked against the official report" in body  # provenance: recalled
    assert "Official wording" not in body

    item = Item.objects.get(reference="JAY-01")
    item.official_wording = "Unchecked wording pasted by an administrator."
    item.save()
    body = text(client.get("/items/JAY-01/"))
    assert "Unchecked wording pasted by an administrator." not in body
    assert "This is our summary, not the official wording." in body

    item.verified = True
    item.save()
    body = text(client.get("/items/JAY-01/"))
    assert "Official wording" in body
    assert "Unchecked wording pasted by an administrator." in body
    assert "checked against the official document" in body
    assert "This is our summary, not the official wording." not in body


def test_item_urls_are_stable_and_unknown_references_are_404(seeded, client):
    assert client.get("/items/JAY-04/").status_code == 200
    assert client.get("/items/JAY-99/").status_code == 404
    assert client.get("/items/jay-04x/").status_code == 404
    assert client.get("/sources/NOPE/").status_code == 404


def test_source_pages(demo_progress, client):
    body = text(client.get("/sources/"))
    for code in ["JAY", "ADCS", "OFSTED"]:
        assert f'href="/sources/{code}/"' in body
    body = text(client.get("/sources/OFSTED/"))
    assert "14 items" in body
    assert "Ofsted" in body
    assert all(f'href="/items/OFSTED-F{n}/"' in body for n in range(1, 10))
    assert 'href="/items/JAY-01/"' not in body


def test_accessibility_statement_has_the_required_sections(client):
    body = text(client.get("/accessibility/"))
    for section in [
        "Rotherham Metropolitan Borough Council",
        "Compliance status",
        "Non-accessible content",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "Preparation of this accessibility statement",
    ]:
        assert section in body, section


def test_public_pages_need_no_sign_in_and_refuse_writes(demo_progress, client):
    for url in ["/", "/items/", "/items/JAY-04/", "/sources/", "/sources/JAY/", "/accessibility/", "/open-data/"]:
        assert client.get(url).status_code == 200, url
    assert client.post("/items/").status_code == 405


@pytest.mark.parametrize("rag, expected", [("red", {"JAY-01"}), ("none", None)])
def test_the_rag_filter(client, seeded, rag, expected):
    from recommendations.models import Item

    Item.objects.filter(reference="JAY-01").update(rag="red")
    listed = {item.reference for item in client.get(f"/items/?rag={rag}").context["items"]}
    if expected is None:  # not rated: every item but JAY-01
        assert "JAY-01" not in listed and "JAY-02" in listed
    else:
        assert listed == expected
    rows = client.get(f"/items.json?rag={rag}").json()["items"]
    assert {row["reference"] for row in rows} == listed or len(rows) > 50


def test_a_filter_value_that_no_longer_exists_is_left_out_with_one_message(client, seeded):
    response = client.get("/items/?source=GONE&status=not_started&theme=removed-theme")
    page = response.content.decode()
    assert page.count("no longer exists") == 1
    assert "Source: GONE" in page and "Theme: removed-theme" in page
    assert "Select a valid choice" not in page
    items = response.context["items"]
    assert items and all(item.status == "not_started" for item in items)  # the other filter still applies


def test_theme_pages_list_each_theme_and_its_items_from_every_source(seeded, client):
    listing = client.get("/themes/")
    assert listing.status_code == 200
    assert b'href="/themes/safeguarding-board/"' in listing.content

    response = client.get("/themes/safeguarding-board/")
    references = [item.reference for item in response.context["items"]]
    expected = Item.objects.filter(themes__slug="safeguarding-board").values_list("reference", flat=True)
    assert sorted(references) == sorted(expected)
    assert {reference.split("-")[0] for reference in references} >= {"ADCS", "OFSTED"}
    assert client.get("/themes/no-such-theme/").status_code == 404


OVERDUE_CHECKED = r'<input [^>]*id="id_overdue"[^>]* checked'


def test_each_visitor_sees_the_filter_values_they_chose(seeded, client):
    """Filter groups are kept per public version and value: never another visitor's choice."""
    for status, other in [("in_progress", "not_started"), ("not_started", "in_progress"), ("", "in_progress")]:
        for _ in range(2):
            body = client.get(f"/items/?status={status}&overdue=on").content.decode()
            assert f'<option value="{status}" selected>' in body
            assert f'<option value="{other}" selected>' not in body
            assert re.search(OVERDUE_CHECKED, body)
        assert not re.search(OVERDUE_CHECKED, client.get(f"/items/?status={status}&page=1").content.decode())


def listed_references(client, query):
    """Every reference the item list shows for a query string, page after page."""
    references, page = [], 1
    while True:
        response = client.get(f"/items/?{query}&page={page}")
        references += [item.reference for item in response.context["items"]]
        if not response.context["page_obj"].has_next():
            return references
        page += 1


@pytest.mark.empty_database
def test_every_list_is_in_the_databases_order(client):
    """A list sorts and pages its matches by the items' list_position, not by Item.Meta.ordering
    across the join to sources: the same order, every match once, on every page."""
    synthetic.generate(items=400, updates=600, seed=3, today=timezone.localdate())
    for query in ["", "status=in_progress", "overdue=on", "status=in_progress&overdue=on", "rag=red",
                  "update_overdue=on", "theme=missing-children&status=not_started", "source=SYN-003",
                  "q=synthetic", "status=zzz"]:
        expected = [item.reference for item in ItemFilter(QueryDict(query), queryset=records.items()).qs]
        assert expected, query
        assert listed_references(client, query) == expected, query


def test_an_item_deleted_after_its_id_was_read_is_left_out_of_the_page(seeded):
    """A list reads its page's ids, then their records: an item deleted in between is not an error."""
    ids = list(Item.objects.filter(source__code="JAY").order_by("number").values_list("pk", flat=True)[:3])
    Item.objects.filter(pk=ids[1]).delete()
    found = records.public_items_by_id(ids)
    assert [record.reference for record in found] == ["JAY-01", "JAY-03"]


@pytest.mark.parametrize("value", [
    datetime.date(2014, 9, 9),
    datetime.date(2026, 12, 31),
    *(datetime.date(2025, month, 1) for month in range(1, 12)),  # every month's name and abbreviation
    datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.timezone.utc),  # 1 July in London
    datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.timezone.utc),  # still 31 January
    datetime.datetime(2026, 6, 30, 23, 30),  # naive: as it is
    None,
    "",
    "not a date",
])
@pytest.mark.parametrize("name, date_format", [
    ("long_date", "j F Y"), ("short_date", "j M Y"), ("date_and_time", "j M Y, H:i"),
    ("long_date_and_time", "j F Y, H:i"),
])
def test_the_date_filters_write_what_the_date_filter_wrote(value, name, date_format):
    """Pages write dates with words.py's filters, in place of Django's |date: the same words."""
    if "time" in name and type(value) is datetime.date:
        pytest.skip("|date refuses a time format for a day, and no page asks for one")
    context = Context({"value": value})
    expected = Template(f'{{{{ value|date:"{date_format}" }}}}').render(context)
    assert engines["jinja2"].from_string(f"{{{{ value|{name} }}}}").render({"value": value}) == expected
    assert expected or not isinstance(value, datetime.date if "time" not in name else datetime.datetime)


@pytest.mark.parametrize("hours", [0, 1, 27, 24 * 45])
def test_time_ago_says_what_timesince_said(hours):
    now = timezone.now()
    context = Context({"value": now - datetime.timedelta(hours=hours, minutes=5), "now": now})
    expected = Template("{{ value|timesince:now }} ago").render(context)
    page = engines["jinja2"].from_string("{{ value|time_ago(now) }}")
    assert page.render({"value": context["value"], "now": now}) == expected
    assert page.render({"value": None, "now": now}) == ""
