"""
One story about target dates (#21 point 5). "Past target date", "slipping" and "behind the
first agreed date" are defined once (recommendations/words.py), home shows how they relate in one
sentence and one chart, every page takes their names and meanings from that module, the glossary
page lists every term, and "past target date" (delivery) never shares a word or a tag colour with
"update overdue" (reporting). No public page calls anything "late": that word named three
things (#24 point 5).
"""
import datetime
import html
import re

import pytest
from django.utils import timezone

from recommendations import words
from recommendations.models import Item
from recommendations.public import headlines, open_data, records
from tests.board_data import at, change, make_item, make_organisation, make_source
from tests.helpers import govuk_tags
from tests.public_urls import every_public_url

Status = Item.Status
DAY = datetime.timedelta(days=1)


def hand_made(today):
    """Nine items, worked out by hand against `today` (T):

        ref  status        first agreed  current  done on   counted as
        A    implemented   T-30          T-30     T-40      on time
        B    implemented   T-100         T-100    T-50      done after the first agreed date
        C    in_progress   T-5           T-5      -         past target date
        D    in_progress   T-60          T-10     -         past target date (and slipping)
        E    in_progress   T-30          T+30     -         slipping, not yet done
        F    not_started   T+10          T+40     -         slipping, not yet done
        G    in_progress   T+20          T+20     -         on time
        H    not_started   -             -        -         no first agreed date: not counted
        N    not_accepted  -             -        -         no date to meet: not counted
    """
    source = make_source("DATES")
    owner = make_organisation("org-dates", "Organisation D")
    number = iter(range(1, 100))

    def add(reference, status, first=None, current=None, done_on=None):
        if done_on:
            item = make_item(source, reference, next(number), owner, "Director", Status.IN_PROGRESS, "", first,
                             current, when=at(first - 200 * DAY))
            change(item, at(done_on), status=status)
        else:
            make_item(source, reference, next(number), owner, "Director", status, "", first, current)

    add("A", Status.IMPLEMENTED, today - 30 * DAY, today - 30 * DAY, done_on=today - 40 * DAY)
    add("B", Status.IMPLEMENTED, today - 100 * DAY, today - 100 * DAY, done_on=today - 50 * DAY)
    add("C", Status.IN_PROGRESS, today - 5 * DAY, today - 5 * DAY)
    add("D", Status.IN_PROGRESS, today - 60 * DAY, today - 10 * DAY)
    add("E", Status.IN_PROGRESS, today - 30 * DAY, today + 30 * DAY)
    add("F", Status.NOT_STARTED, today + 10 * DAY, today + 40 * DAY)
    add("G", Status.IN_PROGRESS, today + 20 * DAY, today + 20 * DAY)
    add("H", Status.NOT_STARTED)
    add("N", Status.NOT_ACCEPTED)


def text_of(page):
    """What a reader reads: no tags, and no <code> (field names such as `overdue` are keys, not words)."""
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title\b.*?</title>", " ", page, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([,.;:)])", r"\1", text)


@pytest.mark.empty_database
def test_the_three_ways_of_being_behind_for_a_hand_made_set():
    today = timezone.localdate()
    hand_made(today)
    glance = headlines.at_a_glance(records.items(), today=today)
    behind = glance.behind_first_agreed
    assert (behind.dated, behind.count, behind.past_target, behind.slipping, behind.done_after, behind.on_time) == (
        7, 5, 2, 2, 1, 2)
    # The same items the model's definitions count: every item past its target date is behind
    # the first agreed date, and so is every slipping item not yet done.
    assert glance.overdue == behind.past_target
    assert glance.slipping == 3  # D, E and F


@pytest.mark.empty_database
def test_home_says_how_they_relate_in_one_sentence_and_one_chart(client):
    hand_made(timezone.localdate())
    page = client.get("/").content.decode()
    sentence = text_of(re.search(r'<p class="govuk-body-l" id="behind-first-agreed-sentence">.*?</p>', page, re.S).group(0))
    assert sentence == (
        "Of the 7 items with a first agreed target date, 5 are behind the first agreed date: "
        "2 past their target date, 2 slipping (moved to a later date, not yet done) and 1 done after it; "
        "the other 2 are on time or on track."
    )
    chart = re.search(r'<svg[^>]*aria-labelledby="behind-first-agreed-chart-title.*?</svg>', page, re.S).group(0)
    for legend in ("Past target date: 2", "Slipping, not yet done: 2", "Done after the first agreed date: 1", "On time or on track: 2"):
        assert f">{legend}</text>" in chart
    for term in (words.PAST_TARGET, words.SLIPPING, words.BEHIND_FIRST_AGREED):
        assert term.definition in text_of(page)
        assert f'href="/glossary/#{term.anchor}"' in page


def test_the_glossary_lists_every_term_from_the_one_module(seeded, client):
    response = client.get("/glossary/")
    assert response.status_code == 200
    page = response.content.decode()
    names = {"RAG rating", "Assured", "Closed as not implemented", "Closed as superseded", "Past target date",
             "Slipping", "Behind the first agreed date", "Update overdue"}
    assert {term.name for term in words.GLOSSARY} == names
    for term in words.GLOSSARY:
        assert f'id="{term.anchor}"' in page
        assert term.name in page and term.definition in text_of(page)
    # Linked from the footer of every public page, and from home.
    assert 'href="/glossary/"' in client.get("/accessibility/").content.decode()
    assert 'href="/glossary/"' in client.get("/").content.decode()


def past_its_target_date():
    """JAY-04, open, with a target date ten days ago and its update overdue."""
    item = Item.objects.get(reference="JAY-04")
    item.status = Status.IN_PROGRESS
    item.baseline_target_date = item.current_target_date = timezone.localdate() - 10 * DAY
    item.save()
    # Added long ago and never reported on, so its update is overdue too.
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - 400 * DAY)
    return item


def test_every_page_takes_the_words_from_the_module(seeded, client):
    item = past_its_target_date()
    past_tag = (f"govuk-tag--{words.PAST_TARGET.tag_colour}", words.PAST_TARGET.name)
    update_overdue_tag = (f"govuk-tag--{words.UPDATE_OVERDUE.tag_colour}", words.UPDATE_OVERDUE.name)
    assert words.PAST_TARGET.tag_colour != words.UPDATE_OVERDUE.tag_colour
    detail = client.get(item.get_absolute_url()).content.decode()
    assert past_tag in govuk_tags(detail) and update_overdue_tag in govuk_tags(detail)  # never updated since the seeds were loaded long ago
    assert f'href="/glossary/#{words.PAST_TARGET.anchor}"' in detail
    listing = client.get("/items/?overdue=on").content.decode()
    assert past_tag in govuk_tags(listing) and update_overdue_tag in govuk_tags(listing)
    assert f"{words.PAST_TARGET.name} only" in listing and f"{words.UPDATE_OVERDUE.name} only" in listing
    assert words.PAST_TARGET.definition in text_of(listing)
    assert open_data.ITEM_FIELD_HELP["overdue"].startswith(f"{words.PAST_TARGET.name}: {words.PAST_TARGET.definition}")
    assert open_data.ITEM_FIELD_HELP["update_overdue"].startswith(
        f"{words.UPDATE_OVERDUE.name}: {words.UPDATE_OVERDUE.definition}")
    open_data_page = text_of(client.get("/open-data/").content.decode())
    assert words.PAST_TARGET.definition in open_data_page and words.UPDATE_OVERDUE.definition in open_data_page


def test_no_public_page_says_overdue_except_for_an_update(seeded, client):
    """A crawl of every public page: "overdue" is only ever "update overdue" (the owner has not
    reported); the target date having passed is always "past target date"."""
    past_its_target_date()
    pages = 0
    for url in every_public_url():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        text = text_of(response.content.decode())
        loose = [text[max(0, found.start() - 40):found.end() + 10]
                 for found in re.finditer(r"overdue", text, re.I)
                 if not text[:found.start()].lower().endswith("update ")]
        assert loose == [], url
        # Nor is anything "late": past its target date, update overdue and behind the first agreed
        # date each have their own words.
        late = [text[max(0, found.start() - 40):found.end() + 10] for found in re.finditer(r"\blate\b", text, re.I)]
        assert late == [], url
    assert pages > 20

