"""
The tamper-evident publication log.

Every change to the public record appends one entry: an update published, an
item assured, closed without being implemented, reopened or corrected, official wording verified, an item's
response, wording, title, summary, cadence or evidence changed in the admin,
items and sources added or changed by a source file. Each entry holds what,
which item, when, by which role or organisation (never a person), the public
content, and a hash chained to the previous entry's hash:

    content_hash = sha256(content)
    entry_hash   = sha256(previous_hash | id-free fields | content_hash)

Since the log covers the whole record (format 2), each entry's content holds
the item's full public state after the change (status, RAG rating, target
dates, formal response, wording and its verification, title, summary,
cadence, themes, evidence links...), or a source's, with the published update
if there is one, the fields that changed and why. So the log alone says what
every public item and source should show now, and check() compares that with
the database field by field. Entries made before format 2 hold only the
update (or the verification) and are checked as they were.

The log is public (page, CSV, JSON, Atom feed), and so is its head: the number
of entries and the latest entry's hash. Anyone who saves a head can later
check that the log still contains it (check(witness=...), or the standalone
scripts/check_publication_log.py): removing or rewriting entries cannot pass.

Entries are appended inside the transaction that makes the change, so a
rolled-back change leaves no entry. A unique constraint on previous_hash keeps
the log one chain even when two publications happen at once; the loser of such
a race reads the new head and tries again.
"""
import hashlib
import json
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from recommendations.models import Feedback, Indicator, IndicatorValue, Item, ProgressUpdate, PublicationLogEntry, Source
from recommendations.public import records
from recommendations.public.log import FORMAT, GENESIS, RECORD_CHANGES, read_content  # noqa: F401 (RECORD_CHANGES: read here by callers)

Kind = PublicationLogEntry.Kind
KIND_OF_UPDATE = {
    ProgressUpdate.Kind.PROGRESS: Kind.PUBLICATION,
    ProgressUpdate.Kind.ASSURANCE: Kind.ASSURANCE,
    ProgressUpdate.Kind.REOPENING: Kind.REOPENING,
    ProgressUpdate.Kind.CORRECTION: Kind.CORRECTION,
    ProgressUpdate.Kind.CLOSURE: Kind.CLOSURE,
}
BOARD = ProgressUpdate.BOARD_NAME
ADMINISTRATOR = "Administrator"
SOURCE_FILE = "Administrator, from a source file"
ATTEMPTS = 5
BATCH_SIZE = 500


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _plain(data):
    """data as it reads back from its canonical JSON (dates as text, tuples as lists)."""
    return json.loads(_canonical(data))


def entry_hash(previous_hash, recorded_at, kind, item_reference, update_id, by, content_hash):
    fields = [previous_hash, recorded_at.isoformat(), kind, item_reference, str(update_id or ""), by, content_hash]
    return _sha256("|".join(fields))


# --- The public state of items, sources and updates ----------------------------------

# Item columns read for its public state; official wording only counts once verified, as on the pages.
ITEM_COLUMNS = (
    "number", "kind", "title", "summary", "provenance", "lead_role", "status", "rag", "baseline_target_date",
    "current_target_date", "formal_response", "formal_response_note", "formal_response_date",
    "update_cadence_months",
)
SOURCE_FIELDS = ("short_title", "title", "kind", "author", "publisher", "published_on", "url", "summary",
                 "synthetic")


def item_states(items=None):
    """{reference: the item's public state} for a queryset of items (every item by default):
    the values the public pages, downloads and feeds show of it (records.PublicItem),
    its themes and its public evidence links. Three queries."""
    items = Item.objects.all() if items is None else items
    rows = items.order_by().values("id", "reference", "verified", "verified_at", "official_wording",
                                   "official_reference", "grade", "later_grades", "document_url", *ITEM_COLUMNS,
                                   source_code=F("source__code"), owner_slug=F("owner__slug"),
                                   superseded_by_reference=F("superseded_by__reference"),
                                   superseded_by_action_reference=F("superseded_by_action__reference"))
    themes = records.theme_slugs_by_item(items)
    evidence = {}
    links = records.public_evidence().filter(item__in=items.order_by().values("pk"))
    for item_id, date, title, url, archived_url in links.values_list("item_id", "date", "title", "url",
                                                                     "archived_url"):
        # An archived copy only once given: the states of items logged before links had one stay as hashed.
        link = [date.isoformat(), title, url] + ([archived_url] if archived_url else [])
        evidence.setdefault(item_id, []).append(link)
    states = {}
    for row in rows:
        verified = row["verified"]
        state = {name: row[name] for name in ITEM_COLUMNS}
        state.update(
            reference=row["reference"], source=row["source_code"], owner=row["owner_slug"],
            official_wording=row["official_wording"] if verified else "",
            official_reference=row["official_reference"] if verified else "",
            wording_verified=verified,
            verified_on=timezone.localdate(row["verified_at"]) if verified and row["verified_at"] else None,
            themes=sorted(themes.get(row["id"], [])), evidence=sorted(evidence.get(row["id"], [])),
        )
        if row["kind"] == Item.Kind.JUDGEMENT:
            # Only a judgement has grades; other items' states stay as they were logged before grades were.
            state.update(grade=row["grade"], later_grades=row["later_grades"])
        # Only a superseded item says what replaced it; other items' states stay as they were hashed.
        if row["superseded_by_reference"]:
            state["superseded_by"] = row["superseded_by_reference"]
        if row["superseded_by_action_reference"]:
            state["superseded_by_action"] = row["superseded_by_action_reference"]
        if row["document_url"]:
            # Only once set: the states of items logged before items had the link stay as they were hashed.
            state["document_url"] = row["document_url"]
        states[row["reference"]] = _plain(state)
    return states


def source_states(sources=None):
    """{code: the source's public state} (records.PublicSource, without its count of items)."""
    sources = Source.objects.all() if sources is None else sources
    return {row["code"]: _plain(row) for row in sources.order_by().values("code", *SOURCE_FIELDS)}


# An update's evidence as it is logged: its links as published. An archived copy's address, which
# an administrator may add to any link later, is logged with the item's state (item_states); what
# the link checker found is not part of the record at all.
LOGGED_EVIDENCE_FIELDS = ("title", "url", "date")


def _update_record(record):
    content = asdict(record)
    for name in ("evidence", "evidence_checked"):
        content[name] = [{key: link[key] for key in LOGGED_EVIDENCE_FIELDS} for link in content[name]]
    if not content["evidence_strength"]:
        # Only assurances have these; leaving them out elsewhere keeps the content
        # of every entry logged before they existed exactly as it was hashed.
        del content["evidence_strength"], content["evidence_checked"]
    return content


def update_content(update_id):
    """The public content of a published update, as the public sees it now (None if gone):
    the same record the pages, downloads and feed show (records.PublicUpdate)."""
    found = records.published_updates(ProgressUpdate.objects.published().filter(pk=update_id))
    return _canonical(_update_record(found[0])) if found else None


def published_update_contents():
    """{update id: its public content (canonical JSON)} for every published update. Three queries."""
    return {record.id: _canonical(_update_record(record)) for record in records.published_updates()}


def indicator_states(indicators=None):
    """{slug: the indicator's public definition} (records.PublicIndicator without its values)."""
    return {indicator.slug: _plain(indicator.definition_state()) for indicator in records.public_indicators(
        Indicator.objects.all() if indicators is None else indicators)}


def _value_record(value):
    return _plain(asdict(value))


def indicator_value_contents(values=None):
    """{value id: its public record} for every published indicator value (of a queryset, all by
    default) as records.PublicIndicatorValue: a value replaced by a later one for the same period
    is still checked."""
    values = IndicatorValue.objects.all() if values is None else values
    values = values.filter(state=IndicatorValue.State.APPROVED).order_by().values(
        *records.INDICATOR_VALUE_FIELDS, indicator_slug=F("indicator__slug"),
        organisation_name=F("organisation__name"))
    return {row["id"]: _value_record(records.PublicIndicatorValue(**row)) for row in values}


# --- Appending --------------------------------------------------------------------


def _append_all(specs):
    """Append entries, in order: specs are (kind, item_reference, by, content data, update_id)."""
    if not specs:
        return []
    recorded_at = timezone.now()
    for _ in range(ATTEMPTS):
        previous = PublicationLogEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        previous = previous or GENESIS
        entries = []
        for kind, item_reference, by, data, update_id in specs:
            content = _canonical(data)
            content_hash = _sha256(content)
            entry = PublicationLogEntry(
                recorded_at=recorded_at, kind=kind, item_reference=item_reference, update_id=update_id, by=by,
                content=content, content_hash=content_hash, previous_hash=previous,
                entry_hash=entry_hash(previous, recorded_at, kind, item_reference, update_id, by, content_hash),
            )
            previous = entry.entry_hash
            entries.append(entry)
        try:
            with transaction.atomic():
                PublicationLogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
            return entries
        except IntegrityError:
            continue  # another entry was appended after the same head: read the new head
    raise RuntimeError("The publication log is busy: try again.")


def record_update(update):
    """Log a published update or a board decision, with the item's state after it
    (call inside the publishing transaction, after the item is saved)."""
    if update.kind == ProgressUpdate.Kind.PROGRESS:
        organisation = update.organisation.name if update.organisation_id else BOARD
        by = f"Reported by {organisation}; approved by the improvement board"
    else:
        by = "Decision of the improvement board"
    reference = update.item.reference
    state = item_states(Item.objects.filter(pk=update.item_id))[reference]
    data = {"format": FORMAT, "item": state, "update": json.loads(update_content(update.pk))}
    return _append_all([(KIND_OF_UPDATE[update.kind], reference, by, data, update.pk)])[0]


def record_meeting_pack(meeting, pack, reason):
    """Log a meeting pack the board published as the meeting's public record (public/board.py built
    `pack` from public records only): the entry freezes it, and the meeting's page reads it back."""
    data = {"format": FORMAT, "meeting": {"date": meeting.date.isoformat(), "title": meeting.title},
            "pack": pack, "reason": reason}
    return _append_all([(Kind.MEETING_PACK, "", "Decision of the improvement board", data, None)])[0]


def feedback_content(record):
    """A published response to feedback as the log holds it: the public record (records.PublicFeedbackResponse)."""
    return _plain(asdict(record))


def published_feedback_contents():
    """{feedback id: its public content} for every published response. One query."""
    return {record.id: feedback_content(record) for record in records.feedback_responses()}


def record_feedback(feedback):
    """Log a published response to feedback (call inside the publishing transaction)."""
    found = records.feedback_responses(Feedback.objects.filter(pk=feedback.pk))
    data = {"format": FORMAT, "feedback": feedback_content(found[0])}
    return _append_all([(Kind.FEEDBACK, feedback.item.reference, "Response of the improvement board", data,
                         None)])[0]


def record_indicator_value(value):
    """Log a published indicator value, with its indicator's definition (inside the publishing
    transaction)."""
    by = f"Reported by {value.organisation.name}; approved by the improvement board"
    record = indicator_value_contents(IndicatorValue.objects.filter(pk=value.pk))[value.pk]
    definition = indicator_states(Indicator.objects.filter(pk=value.indicator_id))[value.indicator.slug]
    data = {"format": FORMAT, "indicator": definition, "indicator_value": record}
    return _append_all([(Kind.INDICATOR_VALUE, "", by, data, None)])[0]


def _logged_indicators():
    """({slug: definition}, {value id: record}) as the log says they stand now."""
    definitions, values = {}, {}
    entries = PublicationLogEntry.objects.filter(content__contains='"indicator').order_by("id")
    for content in entries.values_list("content", flat=True):
        data = read_content(content)
        if data.get("indicator") is not None:
            definitions[data["indicator"]["slug"]] = data["indicator"]
        if data.get("indicator_value") is not None:
            values[data["indicator_value"]["id"]] = data["indicator_value"]
    return definitions, values


def record_indicator_changes(indicators, by, reason):
    """Log each indicator of the queryset whose public definition differs from the log's."""
    logged, _ = _logged_indicators()
    return _record_changes("indicator", indicator_states(indicators), logged, by, reason)


def logged_states():
    """({reference: item state}, {code: source state}) as the log says they stand now:
    each from its latest entry that carries it."""
    items, sources = {}, {}
    for reference, content in PublicationLogEntry.objects.order_by("id").values_list("item_reference", "content"):
        data = read_content(content)
        if data.get("item") is not None:
            items[reference] = data["item"]
        if data.get("source") is not None:
            sources[data["source"]["code"]] = data["source"]
    return items, sources


def _logged_item_states(references):
    references = set(references)
    entries = PublicationLogEntry.objects.order_by("id")
    if len(references) <= BATCH_SIZE:
        entries = entries.filter(item_reference__in=references)
    found = {}
    for reference, content in entries.values_list("item_reference", "content"):
        if reference in references:
            item = read_content(content).get("item")
            if item is not None:
                found[reference] = item
    return found


def _changed(before, after):
    return sorted(name for name in after if before is None or before.get(name) != after[name])


def record_item_changes(items, by, reason, kind=Kind.CHANGE):
    """Log each item of the queryset whose public state differs from the log's (an item the log does
    not know yet as added), with who (a role) and why. Returns the entries appended."""
    states = item_states(items)
    return _record_changes("item", states, _logged_item_states(states), by, reason, kind)


def _record_changes(what, states, logged, by, reason, kind=Kind.CHANGE):
    """Append an entry for each record in `states` ({key: public state}) that differs from the log's
    (`logged`): added if the log does not know it yet, else `kind`. An item's entry names it by reference."""
    specs = []
    for key, state in sorted(states.items()):
        before = logged.get(key)
        if before != state:
            data = {"format": FORMAT, what: state, "changed": _changed(before, state), "reason": reason}
            specs.append((Kind.ADDED if before is None else kind, key if what == "item" else "", by, data, None))
    return _append_all(specs)


def record_source_changes(sources, by, reason):
    """Log each source of the queryset whose public state differs from the log's."""
    _, logged = logged_states()
    return _record_changes("source", source_states(sources), logged, by, reason)


def record_baseline(by=ADMINISTRATOR, reason="The record as it stood when the log began to cover it"):
    """Bring a database from before the full log under it: log every published update that has
    no entry, and the state of every source and item the log does not know yet. Changes nothing
    already logged (so it cannot hide a later change). Returns the entries appended."""
    contents = published_update_contents()
    logged_updates = set(PublicationLogEntry.objects.filter(update_id__isnull=False).values_list("update_id",
                                                                                                  flat=True))
    unlogged = (ProgressUpdate.objects.published().exclude(pk__in=logged_updates)
                .order_by("published_at", "pk").values_list("pk", "item__reference"))
    specs = [(Kind.BASELINE, reference, by, {"format": FORMAT, "update": json.loads(contents[pk]),
                                            "reason": reason}, pk)
             for pk, reference in unlogged]
    logged_items, logged_sources = logged_states()
    specs += [(Kind.BASELINE, "", by, {"format": FORMAT, "source": state, "reason": reason}, None)
              for code, state in sorted(source_states().items()) if code not in logged_sources]
    specs += [(Kind.BASELINE, reference, by, {"format": FORMAT, "item": state, "reason": reason}, None)
              for reference, state in sorted(item_states().items()) if reference not in logged_items]
    logged_definitions, logged_values = _logged_indicators()
    specs += [(Kind.BASELINE, "", by, {"format": FORMAT, "indicator": state, "reason": reason}, None)
              for slug, state in sorted(indicator_states().items()) if slug not in logged_definitions]
    specs += [(Kind.BASELINE, "", by, {"format": FORMAT, "indicator_value": record, "reason": reason}, None)
              for pk, record in sorted(indicator_value_contents().items()) if pk not in logged_values]
    return _append_all(specs)


# --- Reading ------------------------------------------------------------------------


def head():
    """The log's head, for anyone to save and check later: the number of entries, the latest
    entry's hash (GENESIS with none) and when it was recorded."""
    latest = PublicationLogEntry.objects.order_by("-id").first()
    return {
        "entries": PublicationLogEntry.objects.count(),
        "entry_hash": latest.entry_hash if latest else GENESIS,
        "recorded_at": latest.recorded_at.isoformat() if latest else None,
    }


# --- Checking -----------------------------------------------------------------------


@dataclass
class Problem:
    reason: str
    entry: PublicationLogEntry | None = None
    subject: str = ""  # the item's reference or "source <code>"
    field: str = ""

    def __str__(self):
        if self.entry is not None:
            return (f"Entry {self.entry.pk} ({self.entry.get_kind_display()}, "
                    f"{self.entry.item_reference or 'a source'}): {self.reason}")
        where = f"{self.subject}, {self.field}" if self.field else self.subject
        return f"{where}: {self.reason}" if where else self.reason


def _shown(value):
    return json.dumps(value, ensure_ascii=False)


def _compare(label, logged, public):
    """Problems for every difference between the states the log gives and those the public sees."""
    problems = []
    for key in sorted(set(logged) | set(public)):
        subject = f"{label} {key}".strip()
        if key not in logged:
            problems.append(Problem("is public but has no entry in the publication log", subject=subject))
        elif key not in public:
            problems.append(Problem("is in the publication log but no longer public", subject=subject))
        else:
            for name in sorted(set(logged[key]) | set(public[key])):
                if logged[key].get(name) != public[key].get(name):
                    problems.append(Problem(
                        f"the public record shows {_shown(public[key].get(name))} but the publication log "
                        f"says {_shown(logged[key].get(name))}", subject=subject, field=name,
                    ))
    return problems


# An update's record repeats its item's and source's titles: a retitle is checked as the
# item's (or source's) own change, not as a change to every update published before it.
BORROWED_FIELDS = ("item_title", "source_title")


def _own_fields(update):
    return {name: value for name, value in (update or {}).items() if name not in BORROWED_FIELDS}


def _chain_problem(entries):
    previous = GENESIS
    for entry in entries:
        if entry.previous_hash != previous:
            return Problem("it does not follow the entry before it (an entry was removed or inserted)", entry)
        if entry.content_hash != _sha256(entry.content):
            return Problem("its content was altered after it was logged", entry)
        expected = entry_hash(entry.previous_hash, entry.recorded_at, entry.kind, entry.item_reference,
                              entry.update_id, entry.by, entry.content_hash)
        if entry.entry_hash != expected:
            return Problem("its details were altered after it was logged", entry)
        previous = entry.entry_hash
    return None


def witness_problem(entries, witness):
    """A Problem if the chain no longer contains the saved head `witness` ({"entries": n, "entry_hash": h})."""
    try:
        count, expected = int(witness["entries"]), str(witness["entry_hash"])
    except (KeyError, TypeError, ValueError):
        return Problem("the saved head must give \"entries\" (a number) and \"entry_hash\"")
    if count == 0:
        return None if expected == GENESIS else Problem("the saved head of an empty log must be 64 zeros")
    if count > len(entries):
        return Problem(f"the saved head was entry {count}, but the log now has only {len(entries)} entries "
                       "(entries were removed)")
    if entries[count - 1].entry_hash != expected:
        return Problem(f"entry {count} no longer has the saved hash {expected} (the log was rewritten)")
    return None


def check(witness=None):
    """Every problem (Problem) with the log and the public record, or [] if both hold:

    - the chain: each entry's hashes from its own fields and its predecessor (the first break);
    - the saved head `witness`, if given, is still in the chain;
    - each logged update still reads in the database as it was published, and every
      published update (progress or board decision) has its entry; the same for the board's
      published responses to feedback;
    - every item and source the public sees, field by field, is as the log says it stands now.
    """
    entries = list(PublicationLogEntry.objects.order_by("id"))
    problems = []
    chain = _chain_problem(entries)
    if chain:
        problems.append(chain)
    if witness is not None:
        problems += filter(None, [witness_problem(entries, witness)])
    contents = published_update_contents()
    logged_updates = set()
    logged_items, logged_sources = {}, {}
    for entry in entries:
        data = read_content(entry.content)
        if entry.update_id is not None:
            logged_updates.add(entry.update_id)
            published = contents.get(entry.update_id)
            if published is None or _own_fields(json.loads(published)) != _own_fields(data.get("update")):
                problems.append(Problem("the published update in the database no longer matches what was "
                                        "published", entry))
        if data.get("item") is not None:
            logged_items[entry.item_reference] = data["item"]
        if data.get("source") is not None:
            logged_sources[data["source"]["code"]] = data["source"]
    problems += _feedback_problems(entries)
    for pk in sorted(set(contents) - logged_updates):
        record = json.loads(contents[pk])
        problems.append(Problem(f"published update {pk} ({record['kind']}) has no entry in the publication log "
                                "(entries were removed, or it was written around the workflow)",
                                subject=record["item_reference"]))
    problems += _compare("source", logged_sources, source_states())
    problems += _compare("", logged_items, item_states())
    problems += _indicator_problems()
    return problems


def _indicator_problems():
    """Every indicator's definition is as the log says, and every published value is in the log as
    it reads now (a value published around the workflow, or changed after, is found)."""
    logged_definitions, logged_values = _logged_indicators()
    problems = _compare("indicator", logged_definitions, indicator_states())
    published = {str(pk): record for pk, record in indicator_value_contents().items()}
    logged = {str(pk): record for pk, record in logged_values.items()}
    problems += _compare("indicator value", logged, published)
    return problems


def _feedback_problems(entries):
    """Each logged response to feedback still reads as it was published, and every published one is logged."""
    published = published_feedback_contents()
    logged = set()
    problems = []
    for entry in entries:
        logged_response = read_content(entry.content).get("feedback") if entry.kind == Kind.FEEDBACK else None
        if logged_response is None:
            continue
        logged.add(logged_response.get("id"))
        if published.get(logged_response.get("id")) != logged_response:
            problems.append(Problem("the published response to feedback in the database no longer matches what "
                                    "was published", entry))
    for pk in sorted(set(published) - logged):
        problems.append(Problem(f"published response to feedback {pk} has no entry in the publication log",
                                subject=published[pk]["item_reference"]))
    return problems


def verify():
    """The first problem (a Problem), or None if the whole log and record hold (see check())."""
    problems = check()
    return problems[0] if problems else None


def unlogged_publications():
    """Published updates with no log entry (written around the workflow, or entries removed)."""
    logged = PublicationLogEntry.objects.filter(update_id__isnull=False).values("update_id")
    return ProgressUpdate.objects.published().exclude(pk__in=logged)
