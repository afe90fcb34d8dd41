"""
The public item search: the one place that decides what a search finds.

An item is searched by its reference, title, summary, official wording (once
verified), theme names, owner organisation, lead role and the text of its
published updates. A query is split into terms; a term also matches what the
synonym list (recommendations/data/search_synonyms.yaml) says it means, so
"CSE" finds "child sexual exploitation" and the other way round.

- On PostgreSQL: full-text search with English stemming (django.contrib.postgres),
  every term required, results ordered by relevance.
- On SQLite (the default install): every word must appear somewhere in those
  fields, ignoring case and hyphens, with a plain "s" plural dropped; results
  whose title or summary hold the whole phrase come first.

A reference, whole or in part ("JAY-04", "jay-1"), finds the items whose
reference contains it, and only those.
"""
import re
from functools import lru_cache, reduce
from operator import and_, or_
from pathlib import Path

import yaml
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, TextField, Value, When

from recommendations.models import Item, ProgressUpdate

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "search_synonyms.yaml"
# Words too common to search for, and single characters: left out of a query,
# as PostgreSQL's English configuration leaves them out of its index.
STOP_WORDS = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or",
              "the", "to", "with"}


@lru_cache(maxsize=1)
def synonyms():
    """{phrase: [phrases that mean the same]}, both ways, in lower case."""
    with open(SYNONYMS_FILE, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or {}
    table = {}
    for typed, meaning in entries.items():
        typed, meaning = _normalise(str(typed)), _normalise(str(meaning))
        table.setdefault(typed, []).append(meaning)
        table.setdefault(meaning, []).append(typed)
    return table


def _normalise(text):
    """Lower case, hyphens and punctuation as spaces, single spaces."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower()).split())


def terms(query):
    """The query as terms, each a list of alternatives, each alternative a list of words.

    Phrases in the synonym list are found first (longest first), so "looked after
    children" is one term with its synonym; every other word is a term of its own,
    but for common words and single characters, which are left out.
    """
    words = _normalise(query).split()
    table = synonyms()
    longest = max((len(phrase.split()) for phrase in table), default=1)
    found, position = [], 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            phrase = " ".join(words[position:position + size])
            if phrase in table:
                found.append([phrase.split()] + [meaning.split() for meaning in table[phrase]])
                position += size
                break
        else:
            word = words[position]
            if len(word) > 1 and word not in STOP_WORDS:
                found.append([[word]])
            position += 1
    return found


def search(items, query):
    """The items matching the query, the best matches first, then in the order of the list."""
    query = query.strip()
    if not _normalise(query):
        return items
    by_reference = Q(reference__icontains=query)
    if " " not in query and items.filter(by_reference).exists():
        return items.filter(by_reference)  # a reference, or part of one: those items only
    if not terms(query):
        return items.none()  # only common words: nothing to look for
    if connection.vendor == "postgresql":
        return _full_text(items, query)
    return _every_word(items, query)


# --- PostgreSQL ---------------------------------------------------------------


def _full_text(items, query):
    from django.contrib.postgres.aggregates import StringAgg
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db.models import Subquery
    from django.db.models.functions import Coalesce

    def text_of(queryset, field):
        return Coalesce(
            Subquery(queryset.values("item_id").annotate(text=StringAgg(field, " ")).values("text")[:1]),
            Value(""),
            output_field=TextField(),
        )

    themes = text_of(Item.themes.through.objects.filter(item_id=OuterRef("pk")), "theme__name")
    updates = text_of(ProgressUpdate.objects.published().filter(item_id=OuterRef("pk")), "narrative")
    wording = Case(When(verified=True, then=F("official_wording")), default=Value(""), output_field=TextField())
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", wording, themes, weight="B", config="english")
        + SearchVector("owner__name", "owner__short_name", "lead_role", updates, weight="C", config="english")
    )
    alternatives = [
        reduce(or_, [SearchQuery(" ".join(words), search_type="phrase", config="english") for words in term])
        for term in terms(query)
    ]
    search_query = reduce(and_, alternatives)
    return (
        items.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .order_by("-rank", "list_position")
    )


# --- SQLite and others ---------------------------------------------------------


def _stem(word):
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _word_matches(word):
    """The word anywhere in the item's searchable fields (case-insensitive)."""
    word = _stem(word)
    published = ProgressUpdate.objects.published().filter(item_id=OuterRef("pk"), narrative__icontains=word)
    themes = Item.themes.through.objects.filter(item_id=OuterRef("pk"), theme__name__icontains=word)
    return (
        Q(title__icontains=word) | Q(summary__icontains=word) | Q(lead_role__icontains=word)
        | Q(owner__name__icontains=word) | Q(owner__short_name__icontains=word)
        | Q(verified=True, official_wording__icontains=word) | Exists(themes) | Exists(published)
    )


def _every_word(items, query):
    matches = reduce(and_, [
        reduce(or_, [reduce(and_, [_word_matches(word) for word in words]) for words in term])
        for term in terms(query)
    ])
    phrase = " ".join(_normalise(query).split())
    whole_phrase = Q(title__icontains=phrase) | Q(summary__icontains=phrase) | Q(reference__iexact=query)
    return (
        items.filter(matches)
        .annotate(phrase_first=Case(When(whole_phrase, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("phrase_first", "list_position")
    )
