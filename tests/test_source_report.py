"""
A source's progress report (/sources/<code>/report/) and its OpenDocument download (report.odt):
every item in the source's order with its sections, the figures the home page counts, nothing
unpublished (tests/test_public_leaks.py crawls both too), text with markup in it kept as text, and
a fixed number of queries.

"The same figures as the home page": the report opens with the source's figures at a glance, drawn
by the home page's macro from the home page's counting function narrowed to the source
(headlines.for_source). They agree with the home page: each status count is the home page's "Where
each source stands" row for that source, and the sources' reports add up to the home page's figures.
"""
import datetime
import io
import re
import zipfile

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone
from odfdo import Document

from recommendations import roles, versions
from recommendations.models import EvidenceLink, Indicator, IndicatorValue, Item, Source
from recommendations.public.report import LATEST_UPDATES
from recommendations.services import workflow
from recommendations.words import long_date, period_words, plain_number
from tests.helpers import make_user

SECTIONS = ["What was recommended", "Formal response", "Where it stands", "What has been done", "What happens next",
            "Evidence", "Indicators"]

# The report's queries, the first time it is asked after a change (nothing kept for the version):
# the public version and the latest change (conditional GET), the source, its items with their
# owners' last reports, their latest published updates (one windowed query), their public evidence,
# the two queries of the figures at a glance, and the items' outcome indicators with their published
# values (records.indicators_for_items: five). The download asks the same.
# tests/test_public_queries.py checks that they do not grow with the data.
REPORT_QUERIES = 13
DOWNLOAD_QUERIES = 13


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def item_section(page, reference):
    """The words of one item's section of the report page."""
    start = page.index(f'<section class="tracker-report-item" id="item-{reference}"')
    return text_of(page[start:page.index("</section>", start)])


def odt_document(response):
    return Document(io.BytesIO(response.content))


def odt_headings(document):
    return [(int(heading.get_attribute("text:outline-level")), heading.text) for heading in document.body.headers]


@pytest.mark.django_db
def test_the_report_has_every_item_in_order_with_its_sections(demo_progress, client):
    response = client.get("/sources/JAY/report/")
    assert response.status_code == 200
    page = response.content.decode()
    references = list(Item.objects.filter(source__code="JAY").order_by("number").values_list("reference", flat=True))
    assert len(references) == 15
    headings = re.findall(r'<h2 class="govuk-heading-l" id="item-([A-Z]+-\d+)-heading">', page)
    assert headings == references
    # Each item's sections, in the order the report reads, and nothing of the next item among them.
    for reference, following in zip(references, references[1:] + [None]):
        start = page.index(f'id="item-{reference}-heading"')
        end = page.index(f'id="item-{following}-heading"') if following else len(page)
        section = page[start:end]
        found = [title for title in re.findall(r'<h3 class="govuk-heading-m">([^<]+)</h3>', section)]
        assert found == SECTIONS, reference
    # A contents list leads to each item.
    for reference in references:
        assert f'href="#item-{reference}"' in page
    # The source page links to its report, and the report to its download.
    assert 'href="/sources/JAY/report/"' in client.get("/sources/JAY/").content.decode()
    assert 'href="/sources/JAY/report.odt" download' in page


@pytest.mark.django_db
def test_each_section_says_what_the_record_holds(demo_progress, client):
    item = Item.objects.with_last_report().get(reference="JAY-04")
    part = item_section(client.get("/sources/JAY/report/").content.decode(), "JAY-04")
    assert item.summary in part
    assert f"{item.get_formal_response_display()} on {long_date(item.formal_response_date)}" in part
    assert f"Status {item.get_status_display()}" in part
    # The latest published updates, newest first, at most LATEST_UPDATES of them.
    published = list(item.updates.published().order_by("-published_at"))
    assert published
    shown = published[:LATEST_UPDATES]
    places = [part.index(update.narrative.split("\n")[0][:40]) for update in shown]
    assert places == sorted(places)
    for update in published[LATEST_UPDATES:]:
        assert update.narrative[:40] not in part
    # What happens next: the target date and the next update due, as the record holds them.
    if item.current_target_date and item.status in (Item.Status.NOT_STARTED, Item.Status.IN_PROGRESS):
        assert long_date(item.current_target_date) in part
    if item.next_update_due():
        assert f"is due by {long_date(timezone.localdate(item.next_update_due()))}" in part
    # The item's public evidence, and its outcome indicators with their published values only.
    for link in EvidenceLink.objects.public().filter(item=item):
        assert link.title in part
    linked = list(Indicator.objects.filter(items=item))
    assert linked  # the seeds tie JAY-04 to one
    values = IndicatorValue.objects.filter(indicator__in=linked)
    assert values.filter(state="approved").exists() and values.exclude(state="approved").exists()  # the demo's
    for indicator in linked:
        assert indicator.name in part
    page = client.get("/sources/JAY/report/").content.decode()
    for value in values:
        assert (f'id="report-JAY-04-indicator-value-{value.pk}"' in page) == (value.state == "approved"), value
    assert "No outcome indicator is linked to this item." in item_section(
        client.get("/sources/JAY/report/").content.decode(), "JAY-01")


def test_the_download_gives_each_items_indicators_with_their_published_values(demo_progress, client):
    text = odt_document(client.get("/sources/JAY/report.odt")).get_formatted_text()
    indicator = Indicator.objects.filter(items__reference="JAY-04").first()
    assert indicator.name in text
    for value in IndicatorValue.objects.filter(indicator=indicator):
        said = f"{period_words(value.period_start, value.period_end)}: {plain_number(value.value)} {indicator.unit}"
        assert (said in text) == (value.state == "approved"), value


@pytest.mark.django_db
def test_a_judgement_is_reported_with_its_grade_not_a_status(demo_progress, client):
    judgement = Item.objects.filter(kind=Item.Kind.JUDGEMENT).first()
    part = item_section(client.get(f"/sources/{judgement.source.code}/report/").content.decode(), judgement.reference)
    assert f"Grade given {judgement.get_grade_display()}" in part
    assert "A judgement is a grade an inspectorate gave, not a task to implement" in part


@pytest.mark.django_db
def test_the_reports_figures_agree_with_the_home_page(demo_progress, client):
    home = client.get("/")
    everything = home.context["glance"]
    by_source = {row["source"].code: row for row in home.context["source_counts"]}
    reports = {code: client.get(f"/sources/{code}/report/") for code in Source.objects.values_list("code", flat=True)}
    assert set(reports) == set(by_source) and len(reports) >= 3
    for code, response in reports.items():
        glance = response.context["report"].glance
        # Each status count is the home page's figure for this source.
        assert [(row.value, row.count) for row in glance.by_status] == [
            (value, count) for value, _, count in by_source[code]["by_status"]], code
        assert glance.judgements == by_source[code]["judgements"], code
        # The same figures block as the source's own page: the same macro, the same numbers.
        page, source_page = response.content.decode(), client.get(f"/sources/{code}/").content.decode()
        assert at_a_glance_block(page) == at_a_glance_block(source_page), code
        assert f"{glance.done} of {glance.total} " in text_of(page), code
    # Added up over the sources, the reports give the home page's figures.
    glances = [response.context["report"].glance for response in reports.values()]
    for figure in ("total", "done", "assured", "overdue", "slipping", "rated", "judgements", "dated"):
        assert sum(getattr(glance, figure) for glance in glances) == getattr(everything, figure), figure
    for place, row in enumerate(everything.by_status):
        assert sum(glance.by_status[place].count for glance in glances) == row.count, row.label


def at_a_glance_block(page):
    start = page.index('id="at-a-glance"')
    return page[start:page.index("How we count these figures", start)]


@pytest.mark.django_db
def test_the_download_is_the_same_report_as_an_opendocument_text(demo_progress, client):
    page = client.get("/sources/JAY/report/")
    report = page.context["report"]
    response = client.get("/sources/JAY/report.odt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="progress-report-jay-{today}.odt"'
    # A real OpenDocument file: the mimetype first and stored, as the format requires.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    document = odt_document(response)
    assert document.meta.get_title() == "Progress report: Jay report"
    headings = odt_headings(document)
    assert headings[:2] == [(1, "Progress report: Jay report"), (2, "At a glance")]
    # The items in the page's order, each with the page's sections.
    items = [text for level, text in headings if level == 2][1:]
    assert items == [f"{entry.item.reference}: {entry.item.title}" for entry in report.entries]
    assert [text for level, text in headings if level == 3] == SECTIONS * len(report.entries)
    # The figures, in tables: the same numbers as the page's.
    status_table = document.body.get_table(name="Figures 1").get_values()
    assert status_table[0][:2] == ["Status", "Number"]
    assert [(label, int(number)) for label, number, _ in status_table[1:]] == [
        (row.label, row.count) for row in report.glance.by_status]
    text = document.get_formatted_text()
    assert report.headline in text
    # Read away from the site, it gives each item's full address.
    assert "Everything about it: http://testserver/items/JAY-04/" in text
    for entry in report.entries:
        for step in entry.next_steps:
            assert step in text
        for update in entry.updates:
            assert update.narrative.split("\n")[0] in text


@pytest.mark.django_db
def test_markup_in_a_title_or_an_update_stays_text_in_the_page_and_the_download(demo_progress, client):
    payload = "<script>alert(1)</script> & <b>bold</b>"
    item = Item.objects.get(reference="JAY-12")  # no update of the demo's open on it
    item.title = f"Title {payload}"
    item.save()
    officer = make_user("report-officer", roles.OFFICERS, item.owner)
    reviewer = make_user("report-reviewer", roles.REVIEWERS)
    update = workflow.save_draft(officer, item, narrative=f"Narrative {payload}", proposed_status="in_progress",
                                 evidence=[workflow.EvidenceInput(title=f"Evidence {payload}",
                                                                  url="https://example.org/e.pdf",
                                                                  date=datetime.date(2015, 3, 1))])
    workflow.submit(officer, update, update.version)
    workflow.approve(reviewer, update, update.version)

    page = client.get("/sources/JAY/report/").content.decode()
    assert "<script>alert(1)" not in page and "<b>bold" not in page
    assert "Title &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page

    response = client.get("/sources/JAY/report.odt")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        content = archive.read("content.xml").decode()
    assert "<script>" not in content and "<b>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in content
    # Read back, it is the very text the officer wrote.
    text = odt_document(response).get_formatted_text()
    for written in (f"Title {payload}", f"Narrative {payload}", f"Evidence {payload}"):
        assert written in text, written


@pytest.mark.django_db
def test_a_broken_link_and_its_archived_copy_are_reported_in_the_page_and_the_download(demo_progress, client):
    # What the link checker recorded (services/link_checker.py), as the public item page says it.
    link = EvidenceLink.objects.public().filter(item__source__code="JAY").order_by("pk").first()
    checked = timezone.now() - datetime.timedelta(days=2)
    EvidenceLink.objects.filter(pk=link.pk).update(
        broken=True, checked_at=checked, archived_url="https://web.archive.org/web/2015/https://example.org/e.pdf")
    versions.changed()
    said = f"could not be opened when checked on {long_date(timezone.localdate(checked))}"
    assert said in client.get("/sources/JAY/report/").content.decode()
    text = odt_document(client.get("/sources/JAY/report.odt")).get_formatted_text()
    assert f"{link.url} (this link {said}); archived copy: https://web.archive.org/web/2015/" in text


def test_an_unknown_source_has_no_report(seeded, client):
    assert client.get("/sources/NOPE/report/").status_code == 404
    assert client.get("/sources/NOPE/report.odt").status_code == 404


@pytest.mark.django_db
def test_the_report_and_download_run_a_fixed_number_of_queries(demo_progress, client):
    for url, expected in (("/sources/JAY/report/", REPORT_QUERIES), ("/sources/JAY/report.odt", DOWNLOAD_QUERIES),
                          ("/sources/OFSTED/report/", REPORT_QUERIES)):
        versions.changed()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) == expected, (url, [query["sql"][:150] for query in captured])


@pytest.mark.django_db
def test_the_download_is_kept_in_the_page_cache_with_its_headers(demo_progress, client, django_assert_num_queries):
    first = client.get("/sources/JAY/report.odt")
    with django_assert_num_queries(1):  # the public version: the rest is the kept response
        again = client.get("/sources/JAY/report.odt")
    assert again.content == first.content
    for header in ("Content-Type", "Content-Disposition", "Link", "ETag"):
        assert again[header] == first[header], header
