"""
The public "at a glance" figures (services/headlines.py) against a hand-made
data set, and on the home, source and theme pages.
"""
import datetime
import re

import pytest
from django.utils import timezone

from recommendations.models import Item, Theme
from recommendations.public import headlines, records
from recommendations.public.headlines import Band, band, months_after
from tests.board_data import at, change, make_item, make_organisation, make_source

Status, Rag = Item.Status, Item.Rag
T = datetime.date(2025, 6, 15)  # "today" for the hand-made data set
DAY = datetime.timedelta(days=1)


def hand_made():
    """Ten items in one source; worked out by hand, with T = 15 June 2025 as today:

        ref  status        rag    first agreed  current     done on      band          overdue slipping
        D1   implemented   green  31 Mar 2025   31 Mar      31 Mar 2025  on time       -       -
        D2   assured       -      31 Jan 2025   31 Jan      30 Apr 2025  up to 3 mo    -       -   (31 Jan + 3 months = 30 Apr)
        D3   implemented   -      31 Jan 2025   31 Jan      1 May 2025   over 3 mo     -       -
        O1   in_progress   -      T+10          T+10        -            on time       -       -
        O2   in_progress   -      T             T           -            on time       -       -   (due today)
        O3   not_started   red    T-1           T-1         -            up to 3 mo    yes     -   (a day behind already)
        O4   in_progress   -      15 Mar 2025   15 Jun (T)  -            up to 3 mo    -       yes (exactly 3 months)
        O5   in_progress   amber  14 Mar 2025   15 Jun (T)  -            over 3 mo     -       yes
        N1   not_started   -      -             -           -            no date       -       -
        NA   not_accepted  -      T-100         T-100       -            not accepted  yes     -
    """
    source = make_source("HAND")
    owner = make_organisation("org-x", "Organisation X")
    items = {}

    def add(reference, status, rag="", baseline=None, current=None, done_on=None):
        number = len(items) + 1
        if done_on:
            # Open first, then done on `done_on`: the history says when it was first done.
            item = make_item(source, reference, number, owner, "Director", Status.IN_PROGRESS, rag, baseline,
                             current, when=at(baseline - 200 * DAY))
            change(item, at(done_on), status=status)
        else:
            item = make_item(source, reference, number, owner, "Director", status, rag, baseline, current)
        items[reference] = item

    add("D1", Status.IMPLEMENTED, Rag.GREEN, datetime.date(2025, 3, 31), datetime.date(2025, 3, 31),
        done_on=datetime.date(2025, 3, 31))
    add("D2", Status.ASSURED, "", datetime.date(2025, 1, 31), datetime.date(2025, 1, 31),
        done_on=datetime.date(2025, 4, 30))
    add("D3", Status.IMPLEMENTED, "", datetime.date(2025, 1, 31), datetime.date(2025, 1, 31),
        done_on=datetime.date(2025, 5, 1))
    add("O1", Status.IN_PROGRESS, "", T + 10 * DAY, T + 10 * DAY)
    add("O2", Status.IN_PROGRESS, "", T, T)
    add("O3", Status.NOT_STARTED, Rag.RED, T - DAY, T - DAY)
    add("O4", Status.IN_PROGRESS, "", datetime.date(2025, 3, 15), T)
    add("O5", Status.IN_PROGRESS, Rag.AMBER, datetime.date(2025, 3, 14), T)
    add("N1", Status.NOT_STARTED)
    add("NA", Status.NOT_ACCEPTED, "", T - 100 * DAY, T - 100 * DAY)
    return source, items


def counts(rows):
    return {row.value: row.count for row in rows}


@pytest.mark.empty_database
def test_the_figures_of_a_hand_made_data_set():
    hand_made()
    glance = headlines.at_a_glance(records.items(), today=T)

    assert (glance.total, glance.done, glance.assured, glance.overdue, glance.slipping) == (10, 3, 1, 2, 2)
    assert glance.percent_done == 30
    assert counts(glance.by_status) == {
        "not_started": 2, "in_progress": 4, "implemented": 2, "assured": 1, "not_accepted": 1,
        "closed_not_implemented": 0, "superseded": 0,
    }
    assert [row.percent for row in glance.by_status] == [20, 40, 20, 10, 10, 0, 0]
    # RAG: shares of the three rated items; the seven not assessed are a count, never a share.
    assert counts(glance.by_rag) == {"red": 1, "amber": 1, "green": 1, "none": 7}
    assert (glance.rated, glance.not_assessed) == (3, 7)
    assert [row.percent for row in glance.by_rag] == [33, 33, 33, None]
    assert counts(glance.by_band) == {
        Band.ON_TIME: 3, Band.BEHIND: 3, Band.FAR_BEHIND: 2, Band.NO_DATE: 1, Band.NOT_ACCEPTED: 1, Band.CLOSED: 0,
    }
    assert glance.dated == 8
    # 3 of 8 is 37.5%, shown as 38%; items with no date or not accepted are not shares.
    assert [row.percent for row in glance.by_band] == [38, 38, 25, None, None, None]


@pytest.mark.empty_database
def test_the_figures_agree_with_the_models_one_definition_of_overdue_and_slipping():
    hand_made()
    glance = headlines.at_a_glance(records.items(), today=T)
    assert glance.overdue == Item.objects.overdue(T).count()
    assert glance.slipping == Item.objects.slipping().count()


@pytest.mark.parametrize(
    "status, first_agreed, current, done_on, expected",
    [
        # Done: judged by the day it was first done.
        (Status.IMPLEMENTED, datetime.date(2025, 3, 31), None, datetime.date(2025, 3, 31), Band.ON_TIME),
        (Status.IMPLEMENTED, datetime.date(2025, 3, 31), None, datetime.date(2025, 4, 1), Band.BEHIND),
        (Status.ASSURED, datetime.date(2025, 3, 31), None, datetime.date(2025, 6, 30), Band.BEHIND),
        (Status.ASSURED, datetime.date(2025, 3, 31), None, datetime.date(2025, 7, 1), Band.FAR_BEHIND),
        # Open: the later of the current target and today.
        (Status.IN_PROGRESS, T, T, None, Band.ON_TIME),
        (Status.IN_PROGRESS, T - DAY, T - DAY, None, Band.BEHIND),
        (Status.IN_PROGRESS, T + DAY, T + DAY, None, Band.ON_TIME),
        (Status.IN_PROGRESS, T + DAY, T + 2 * DAY, None, Band.BEHIND),
        (Status.NOT_STARTED, datetime.date(2025, 3, 15), T - DAY, None, Band.BEHIND),
        (Status.NOT_STARTED, datetime.date(2025, 3, 14), T - DAY, None, Band.FAR_BEHIND),
        (Status.IN_PROGRESS, T, months_after(T, 3), None, Band.BEHIND),
        (Status.IN_PROGRESS, T, months_after(T, 3) + DAY, None, Band.FAR_BEHIND),
        # Neither on time nor behind.
        (Status.IN_PROGRESS, None, None, None, Band.NO_DATE),
        (Status.IMPLEMENTED, None, None, datetime.date(2025, 1, 1), Band.NO_DATE),
        (Status.NOT_ACCEPTED, T - 100 * DAY, T - 100 * DAY, None, Band.NOT_ACCEPTED),
    ],
)
def test_each_boundary_of_the_on_time_band(status, first_agreed, current, done_on, expected):
    assert band(status, first_agreed, current, done_on, T) == expected


def test_three_months_after_keeps_to_the_end_of_a_shorter_month():
    assert months_after(datetime.date(2025, 1, 31), 3) == datetime.date(2025, 4, 30)
    assert months_after(datetime.date(2023, 11, 30), 3) == datetime.date(2024, 2, 29)
    assert months_after(datetime.date(2025, 10, 15), 3) == datetime.date(2026, 1, 15)


@pytest.mark.empty_database
def test_nothing_rated_is_not_assessed_never_zero_percent(client):
    source = make_source("NONE")
    owner = make_organisation("org-y", "Organisation Y")
    for number in (1, 2):
        make_item(source, f"NONE-{number}", number, owner, "Director", Status.NOT_STARTED)
    glance = headlines.for_source(source)
    assert (glance.rated, glance.not_assessed) == (0, 2)
    assert all(row.percent is None for row in glance.by_rag)
    assert glance.dated == 0

    html = client.get(source.get_absolute_url()).content.decode()
    assert "2 not assessed" in html
    rag_table = html[html.index("Recommendations by RAG rating</caption>"):]
    rag_table = rag_table[: rag_table.index("</table>")]
    assert "%" not in rag_table
    assert "not counted in the shares" in rag_table
    # No target dates: the on-time figure says so rather than 0%.
    assert "no item here has a target date set" in html


@pytest.mark.empty_database
def test_a_fixed_number_of_queries_however_many_items(django_assert_num_queries):
    source, items = hand_made()
    with django_assert_num_queries(2):
        headlines.at_a_glance(records.items(), today=T)
    owner = items["D1"].owner
    for number in range(20, 60):
        item = make_item(source, f"MORE-{number}", number, owner, "Director", Status.IN_PROGRESS, Rag.AMBER,
                         T, T, when=at(T - 300 * DAY))
        change(item, at(T - 10 * DAY), status=Status.IMPLEMENTED)
    with django_assert_num_queries(2):
        glance = headlines.at_a_glance(records.items(), today=T)
    assert glance.total == 50


def _glance_numbers(html):
    """The headline sentence, the chart's legend and the tables' counts from a page."""
    sentence = re.search(r'<p class="govuk-body-l">(\d+ of \d+ [a-z, ]+ implemented[^<]*)</p>', html).group(1)
    svg = html[html.index("<svg"):html.index("</svg>")]
    legend = dict((label, int(count)) for label, count in re.findall(r"<text[^>]*>([^<:]+): (\d+)</text>", svg))
    return sentence, svg, legend


@pytest.mark.empty_database
def test_the_figures_are_on_home_source_and_theme_pages_with_the_chart_and_tables_agreeing(client):
    source, items = hand_made()
    theme = Theme.objects.create(slug="hand-theme", name="A hand-made theme")
    theme.items.add(items["O3"], items["O5"], items["N1"])
    today = timezone.localdate()
    glances = {}
    for url, total in (("/", 10), (source.get_absolute_url(), 10), (theme.get_absolute_url(), 3)):
        response = client.get(url)
        assert response.status_code == 200
        glance = glances[url] = response.context["glance"]
        assert glance.total == total
        html = response.content.decode()
        assert "At a glance" in html and "How we count these figures" in html
        sentence, svg, legend = _glance_numbers(html)
        assert sentence.startswith(f"{glance.done} of {total} recommendations implemented")  # what it counts
        assert f"{glance.overdue} past" in sentence
        # A text alternative, and the chart's numbers are the tables' numbers.
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        for rows in (glance.by_status, glance.by_rag, glance.by_band):
            for row in rows:
                assert legend[row.label] == row.count, (url, row.label)
                assert re.search(
                    rf'<th scope="row" class="govuk-table__header">{re.escape(row.label)}</th>\s*'
                    rf'<td class="govuk-table__cell govuk-table__cell--numeric">(<a [^>]*>)?{row.count}\b', html
                ), (url, row.label)

    # The theme's three: O3 (red, overdue, a day past it by today), O5 (amber, slipping), N1 (nothing set).
    theme_glance = glances[theme.get_absolute_url()]
    assert counts(theme_glance.by_rag) == {"red": 1, "amber": 1, "green": 0, "none": 1}
    assert theme_glance.slipping == 1
    assert theme_glance.by_band[-3].count == 1  # N1: no target date set
    assert theme_glance.today == today


@pytest.mark.empty_database
def test_a_theme_with_no_items_says_so(client):
    theme = Theme.objects.create(slug="empty-theme", name="An empty theme")
    html = client.get(theme.get_absolute_url()).content.decode()
    assert "There are no recommendations, proposals or findings to count here yet." in html
    assert "<svg" not in html


def test_the_seeded_home_page_keeps_its_status_table_by_source(seeded, client):
    response = client.get("/")
    assert response.context["source_counts"]
    glance = response.context["glance"]
    assert glance.total == Item.objects.exclude(kind=Item.Kind.JUDGEMENT).count()  # judgements are not tasks
    assert sum(row.count for row in glance.by_band) == glance.total
