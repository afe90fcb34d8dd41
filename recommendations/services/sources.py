"""
Loading tracked sources: from the seed files in seeds/ and from a file an
administrator uploads (the same YAML format, or the items CSV of the open data).

One path serves all three: parse -> check (every problem, with its file and
line) -> write in one transaction. A preview is the same write rolled back, so
what it shows is exactly what applying will do. Loading again changes nothing
that is already right, and never touches what people do in the app: status,
RAG rating, target dates once set, verified wording, progress updates and
evidence.
"""
import csv
import datetime
import io
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from recommendations.database import analyse_tables
from recommendations.models import (
    CADENCE_MONTHS,
    DEFAULT_CADENCE_MONTHS,
    Action,
    Indicator,
    Item,
    Organisation,
    Source,
    SourceUpload,
    Theme,
    formal_response_problems,
    http_url_validator,
)
from recommendations.services import publication_log
from recommendations.public import open_data
from recommendations.services.csv_export import restore

SOURCE_KEYS = {"code", "short_title", "title", "kind", "author", "publisher", "published_on", "url", "summary"}
ACTION_KEYS = {"reference", "title", "description", "owner", "partners", "items", "start_date", "due_date"}

# What a file may say about an item. "described" fields belong to the file: a
# later load brings the item back in step with it. "starting" fields are only
# the first values: once the item exists they are managed in the app, and a
# file that differs is noted in the preview but not applied. "response" fields
# (the formal response) are filled in from the file while the item still
# awaits a response, never over a response recorded in the app.
DESCRIBED, STARTING, RESPONSE = "described", "starting", "response"


@dataclass(frozen=True)
class Value:
    """One value in a file, as the shape check sees it: the Python types YAML gives for it.

    Only the type is checked here; what the value says (a known choice, a real
    date, a number from 1 to 12) is checked afterwards, with the item's line."""

    expected: str  # in words, for messages
    types: tuple

    def accepts(self, value):
        return isinstance(value, self.types) and not isinstance(value, bool)


TEXT = Value("text", (str,))
DATE = Value("a date written as YYYY-MM-DD", (str, datetime.date))
WHOLE_NUMBER = Value("a whole number", (int, float, str))


@dataclass(frozen=True)
class ListOf:
    entry: object  # a Value or a Record
    expected = "a list"


@dataclass(frozen=True)
class Record:
    """A mapping with known keys. In messages an entry is called `label`, followed by
    the value of its `named_by` key or else its position in the list ("item JAY-04")."""

    fields: dict
    required: frozenset = frozenset()
    label: str = ""
    named_by: str = ""
    expected = "a mapping of keys to values"


@dataclass(frozen=True)
class ItemField:
    role: str
    required: bool
    read: Callable  # (checker, entry, where, known) -> checked value
    shape: object = TEXT  # a Value, or a ListOf (sources.DOCUMENT)


def _number(check, entry, where, known):
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        check.problem(where, f"'number' must be a whole number from 1, not '{number}'")
    return number


def _document_url(check, entry, where, known):
    """The optional link to the item's page or paragraph in the official document."""
    url = check.text(entry, "document_url", where, 500, required=False)
    if url:
        try:
            http_url_validator(url)
        except ValidationError:
            check.problem(where, f"'document_url' must be a web address starting https:// or http://, not '{url}'")
    return url


def _cadence(check, entry, where, known):
    value = entry.get("update_cadence_months", DEFAULT_CADENCE_MONTHS)
    if isinstance(value, str) and value.isascii() and value.isdigit():  # a CSV cell
        value = int(value)
    return check.whole_number({"update_cadence_months": value}, "update_cadence_months", where, CADENCE_MONTHS,
                              DEFAULT_CADENCE_MONTHS)


def _formal_response(check, entry, where, known):
    value = check.choice(entry, "formal_response", where, Item.FormalResponse.values, required=False)
    return value or Item.FormalResponse.AWAITING


def _later_grades(check, entry, where, known):
    """A judgement's grades from later re-inspections, oldest first, as the item keeps them
    ([{"grade": ..., "judged_on": "YYYY-MM-DD"}]); only a judgement has them."""
    grades = []
    for index, later in enumerate(entry.get("later_grades") or [], start=1):
        at = f"{where}, later grade {index}"
        grade = check.choice(later, "grade", at, Item.Grade.values)
        judged_on = check.date(later, "judged_on", at)
        grades.append({"grade": grade, "judged_on": judged_on.isoformat() if judged_on else ""})
    if grades and entry.get("kind") != Item.Kind.JUDGEMENT:
        check.problem(where, "only a judgement has 'later_grades'")
    return sorted(grades, key=lambda later: later["judged_on"])


def _owner(check, entry, where, known):
    owner = entry.get("owner")
    if "owner" in entry and owner not in known["organisations"]:
        check.problem(where, f"owner '{owner}' is not a defined organisation")
    return owner


# One grade a later re-inspection gave a judgement (the item's later_grades).
LATER_GRADE = Record({"grade": TEXT, "judged_on": DATE}, frozenset({"grade", "judged_on"}), "later grade")

# Every field of an item a file can set, in one place: a new field is one entry
# here (and, for the CSV upload, a column of the same name in the items export,
# services/open_data.py).
ITEM_FIELDS = {
    "number": ItemField(DESCRIBED, True, _number, WHOLE_NUMBER),
    "kind": ItemField(DESCRIBED, True, lambda c, e, w, k: c.choice(e, "kind", w, Item.Kind.values)),
    "grade": ItemField(DESCRIBED, False, lambda c, e, w, k: c.choice(e, "grade", w, Item.Grade.values, required=False)),
    "later_grades": ItemField(DESCRIBED, False, _later_grades, ListOf(LATER_GRADE)),
    "title": ItemField(DESCRIBED, True, lambda c, e, w, k: c.text(e, "title", w, 200)),
    "summary": ItemField(DESCRIBED, True, lambda c, e, w, k: c.text(e, "summary", w)),
    "provenance": ItemField(DESCRIBED, True, lambda c, e, w, k: c.choice(e, "provenance", w, Item.Provenance.values)),
    "official_wording": ItemField(
        STARTING, False, lambda c, e, w, k: c.text(e, "official_wording", w, required=False)
    ),
    "owner": ItemField(STARTING, True, _owner),
    "lead_role": ItemField(STARTING, True, lambda c, e, w, k: c.text(e, "lead_role", w, 200)),
    "baseline_target_date": ItemField(
        STARTING, False, lambda c, e, w, k: c.date(e, "baseline_target_date", w, required=False), DATE
    ),
    "update_cadence_months": ItemField(STARTING, False, _cadence, WHOLE_NUMBER),
    "document_url": ItemField(DESCRIBED, False, _document_url),
    "formal_response": ItemField(RESPONSE, False, _formal_response),
    "formal_response_note": ItemField(
        RESPONSE, False, lambda c, e, w, k: c.text(e, "formal_response_note", w, 500, required=False)
    ),
    "formal_response_date": ItemField(
        RESPONSE, False, lambda c, e, w, k: c.date(e, "formal_response_date", w, required=False), DATE
    ),
}
ITEM_KEYS = {"reference", "themes"} | set(ITEM_FIELDS)
ITEM_REQUIRED = {"reference"} | {name for name, spec in ITEM_FIELDS.items() if spec.required}

# The shape of a source file, in one place: every key it may have and the type
# of every value. A file is checked against it before anything else, so a
# list, mapping, number, true/false or empty value where text is expected (or
# any other wrong type, anywhere) is reported with its key and line, and the
# checks after it only ever see values of the right type.
ORGANISATION = Record(
    {"slug": TEXT, "name": TEXT, "short_name": TEXT, "kind": TEXT, "lead_contact_email": TEXT},
    frozenset({"slug", "name", "short_name", "kind"}), "organisation",
)
THEME = Record({"slug": TEXT, "name": TEXT}, frozenset({"slug", "name"}), "theme")
SOURCE = Record({key: DATE if key == "published_on" else TEXT for key in SOURCE_KEYS},
                frozenset(SOURCE_KEYS - {"summary"}), "source")
ITEM = Record(
    {"reference": TEXT, "themes": ListOf(TEXT)} | {name: spec.shape for name, spec in ITEM_FIELDS.items()},
    frozenset(ITEM_REQUIRED), "item", "reference",
)
ACTION = Record(
    {"reference": TEXT, "title": TEXT, "description": TEXT, "owner": TEXT, "partners": ListOf(TEXT),
     "items": ListOf(TEXT), "start_date": DATE, "due_date": DATE},
    frozenset({"reference", "title", "owner", "items"}), "action", "reference",
)
NUMBER = Value("a number", (int, float))
# An outcome indicator's definition (seeds/indicators.yaml): its baseline and target only where agreed.
INDICATOR = Record(
    {"slug": TEXT, "name": TEXT, "definition": TEXT, "unit": TEXT, "data_source": TEXT, "better": TEXT,
     "baseline_value": NUMBER, "baseline_date": DATE, "target_value": NUMBER, "target_date": DATE,
     "items": ListOf(TEXT), "themes": ListOf(TEXT)},
    frozenset({"slug", "name", "definition", "unit", "data_source", "better", "items"}), "indicator", "slug",
)
assert set(ACTION.fields) == ACTION_KEYS and set(ITEM.fields) == ITEM_KEYS
DOCUMENT = Record({"organisations": ListOf(ORGANISATION), "themes": ListOf(THEME), "source": SOURCE,
                   "items": ListOf(ITEM), "actions": ListOf(ACTION), "indicators": ListOf(INDICATOR)})

# The items CSV upload reads the columns of the public items download, so a
# download can be uploaded again unchanged. Columns the tracker works out
# (web address, source title, status in words, overdue, whether the wording is
# verified) are ignored. Status, RAG rating and target date belong to the
# reviewed workflow: an upload must repeat them as they are, or it is refused.
CSV_IGNORED = {"url", "source_title", "status_label", "overdue", "wording_verified", "formal_response_label",
               "last_published_update", "next_update_due", "update_overdue", "judged_on", "later_grades"}
CSV_WORKFLOW = {"status", "rag", "target_date"}
CSV_REQUIRED = {"reference", "source", "kind", "title", "summary", "owner", "lead_role"}
CSV_PROVENANCE_FOR_NEW_ITEMS = Item.Provenance.RECALLED
UPLOAD_MAX_BYTES = 1024 * 1024


class _Mapping(dict):
    """A YAML mapping that remembers the line it starts on, and the line of each key, for messages."""

    line = None
    key_lines = {}


class _Sequence(list):
    """A YAML list that remembers the line of each entry, for messages."""

    lines = ()


class _SeedLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported, not crashed on."""


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node):
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    # The keys were just built (construct_mapping refuses unhashable ones); this only looks them up.
    mapping.key_lines = {}
    for key_node, _ in node.value:
        mapping.key_lines.setdefault(loader.construct_object(key_node, deep=True), key_node.start_mark.line + 1)
    return mapping


def _construct_sequence(loader, node):
    sequence = _Sequence(loader.construct_sequence(node, deep=True))
    sequence.lines = [entry.start_mark.line + 1 for entry in node.value]
    return sequence


_SeedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_SeedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _at(name, entry):
    """Where an entry is, for messages: the file and, when known, the line."""
    line = getattr(entry, "line", None)
    return f"{name}, line {line}" if line else name


class SeedError(Exception):
    """The files are not valid; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Outcome:
    """What loading does to one row: created, changed (which fields, from what to what) or unchanged."""

    label: str
    key: str
    result: str
    changes: list = field(default_factory=list)


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    outcomes: list = field(default_factory=list)
    # Differences the load leaves alone (values managed in the app), for the preview.
    notices: list = field(default_factory=list)

    def count(self, bucket, model_name):
        bucket[model_name] = bucket.get(model_name, 0) + 1

    def record(self, label, key, result, changes=()):
        self.outcomes.append(Outcome(label, str(key), result, list(changes)))

    def of(self, label):
        return [outcome for outcome in self.outcomes if outcome.label == label]

    @property
    def changed(self):
        return bool(self.created or self.updated)

    def fingerprint(self):
        """Stands for the whole plan: a preview and its apply must agree on it."""
        return repr([(o.label, o.key, o.result, o.changes) for o in self.outcomes])

    def __str__(self):
        if not self.changed:
            return "Nothing to change: the database already matches the seed files."
        parts = [f"created {n} {name}" for name, n in sorted(self.created.items())]
        parts += [f"updated {n} {name}" for name, n in sorted(self.updated.items())]
        return "Loaded seeds: " + ", ".join(parts) + "."


class _Checker:
    """Collects every problem in every file, so one run reports them all."""

    def __init__(self):
        self.problems = []

    def problem(self, where, message):
        self.problems.append(f"{where}: {message}")

    def mapping(self, value, where):
        if not isinstance(value, dict):
            self.problem(where, "expected a mapping of keys to values")
            return {}
        return value

    def text(self, entry, key, where, max_length=None, required=True):
        value = entry.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(where, f"'{key}' must be text")
            return ""
        value = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
        if required and not value:
            self.problem(where, f"'{key}' must not be empty")
        if max_length and len(value) > max_length:
            self.problem(where, f"'{key}' is longer than {max_length} characters")
        return value

    def choice(self, entry, key, where, choices, required=True):
        value = entry.get(key, "")
        if not value and not required:
            return ""
        if value not in choices:
            self.problem(where, f"'{key}' is '{value}'; expected one of: {', '.join(choices)}")
        return value

    def date(self, entry, key, where, required=True):
        value = entry.get(key)
        if value is None:
            if required:
                self.problem(where, f"'{key}' is missing")
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(where, f"'{key}' must be a date written as YYYY-MM-DD, not '{value}'")
        return None

    def email(self, entry, key, where):
        value = self.text(entry, key, where, max_length=254, required=False)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.problem(where, f"'{key}' is not an e-mail address: '{value}'")
        return value

    def url(self, entry, key, where):
        value = self.text(entry, key, where, max_length=500)
        if value:
            try:
                http_url_validator(value)
            except ValidationError:
                self.problem(where, f"'{key}' must be an http:// or https:// web address, not '{value}'")
        return value

    def whole_number(self, entry, key, where, allowed, default):
        value = entry.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
            self.problem(where, f"'{key}' must be a whole number from {allowed[0]} to {allowed[-1]}, not '{value}'")
            return default
        return value

    def slug_list(self, entry, key, where, known, label):
        value = entry.get(key) or []
        if not isinstance(value, list):
            self.problem(where, f"'{key}' must be a list")
            return []
        for slug in value:
            if slug not in known:
                self.problem(where, f"{label} '{slug}' is not defined")
        return list(value)


def _parse_yaml(name, text, check):
    try:
        return yaml.load(text, Loader=_SeedLoader) or {}
    except yaml.YAMLError as error:
        check.problem(name, f"is not valid YAML ({error})".replace("\n", " "))
        return None
    except RecursionError:  # lists or mappings inside each other thousands deep: no source file is
        check.problem(name, "has lists or mappings nested too deeply to be a source file")
        return None


def read_seed_files(directory):
    """Parse and check every seed file; return plain data or raise SeedError."""
    directory = Path(directory)
    check = _Checker()
    documents = {}
    for path in sorted(directory.glob("*.yaml")):
        document = _parse_yaml(path.name, path.read_text(encoding="utf-8"), check)
        if document is not None:
            documents[path.name] = document
    if check.problems:
        raise SeedError(check.problems)
    if not documents:
        raise SeedError([f"{directory}: no .yaml seed files found"])
    return _validate(documents, check)


def read_upload(filename, content):
    """Parse and check one uploaded file (bytes): YAML in the seed format, or the items CSV.

    Returns plain data for load/preview, or raises SeedError with every problem."""
    name = Path(filename or "upload").name
    if len(content) > UPLOAD_MAX_BYTES:
        raise SeedError([f"{name}: the file is larger than {UPLOAD_MAX_BYTES // 1024} KB"])
    try:
        # utf-8-sig: spreadsheets often start a saved CSV with a byte order mark.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SeedError([f"{name}: the file is not UTF-8 text"])
    if "\x00" in text:
        raise SeedError([f"{name}: the file contains a null character"])
    check = _Checker()
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        documents = _csv_documents(name, text, check)
    elif suffix in (".yaml", ".yml"):
        document = _parse_yaml(name, text, check)
        documents = {} if document is None else {name: document}
    else:
        raise SeedError([f"{name}: upload a .yaml file (the seed format) or a .csv file (the items columns)"])
    if check.problems:
        raise SeedError(check.problems)
    return _validate(documents, check)


def _csv_documents(name, text, check):
    """Turn the rows of an items CSV into the same documents a YAML file gives, one per source."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    allowed = set(open_data.ITEM_FIELDS)
    for column in columns:
        if column not in allowed:
            check.problem(f"{name}, line 1", f"unknown column '{column}'")
    for column in sorted(CSV_REQUIRED - set(columns)):
        check.problem(f"{name}, line 1", f"missing column '{column}'")
    if check.problems:
        return {}
    sources = {source.code: source for source in Source.objects.all()}
    items = {item.reference: item for item in Item.objects.select_related("source", "owner")}
    organisations = {}
    for organisation in Organisation.objects.all():
        for label in (organisation.slug, organisation.short_name, organisation.name):
            organisations[label] = organisation.slug
    next_number = {}
    documents = {}
    end = 1  # the header's last line
    for row in reader:
        # A quoted value may run over several lines: a row starts after the one before ends.
        start, end = end + 1, reader.line_num
        where = f"{name}, line {start}"
        if None in row or None in row.values():
            check.problem(where, "the row does not have one value for each column")
            continue
        row = {column: restore(value).strip() for column, value in row.items() if column not in CSV_IGNORED}
        reference = row.get("reference", "")
        existing = items.get(reference)
        code = row.pop("source")
        if code not in sources:
            check.problem(where, f"source '{code}' is not a known source (add a new source with a YAML file)")
            continue
        entry = _Mapping({key: value for key, value in row.items() if key in ITEM_KEYS and value != ""})
        entry.line = start
        if existing and "document_url" not in row:  # no such column: the item keeps its link
            entry["document_url"] = existing.document_url
        if "themes" in row:
            entry["themes"] = row["themes"].split()
        elif existing:  # no themes column: the item keeps its themes
            entry["themes"] = list(existing.themes.values_list("slug", flat=True))
        owner = row.get("owner", "")
        entry["owner"] = organisations.get(owner, owner)
        _check_workflow_columns(check, where, row, existing)
        # The CSV has no number or provenance, and a grade only for judgements: an
        # existing item keeps its own; a new item goes last in its source, marked to be checked.
        if existing:
            entry.setdefault("number", existing.number)
            entry.setdefault("grade", existing.grade)
            entry["later_grades"] = existing.later_grades  # a judgement's later grades come from YAML files
            entry.setdefault("provenance", existing.provenance)
        else:
            if code not in next_number:
                numbers = [item.number for item in items.values() if item.source.code == code]
                next_number[code] = max(numbers, default=0) + 1
            entry["number"] = next_number[code]
            next_number[code] += 1
            entry["provenance"] = CSV_PROVENANCE_FOR_NEW_ITEMS
        document = documents.setdefault(f"{name} ({code})", {"source": _source_entry(sources[code]), "items": []})
        document["items"].append(entry)
    if not documents and not check.problems:
        check.problem(name, "the file has no rows of items")
    return documents


def _check_workflow_columns(check, where, row, existing):
    """Status, RAG rating and target date change only through the reviewed workflow."""
    current = {
        "status": existing.status if existing else Item.Status.NOT_STARTED,
        "rag": existing.rag if existing else "",
        "target_date": _iso(existing.current_target_date) if existing else row.get("baseline_target_date", ""),
    }
    for column in sorted(CSV_WORKFLOW & set(row)):
        if row[column] and row[column] != current[column]:
            check.problem(
                where,
                f"'{column}' is '{row[column]}' but the tracker has '{current[column] or 'empty'}': it changes only "
                "through reviewed progress updates, so an upload cannot change it",
            )


def _iso(value):
    return value.isoformat() if value else ""


def _source_entry(source):
    """An existing source as a file would describe it, so a CSV leaves it as it is."""
    entry = {key: getattr(source, key) for key in SOURCE_KEYS}
    entry["published_on"] = _iso(source.published_on)
    return entry


def _on_line(name, line):
    return f"{name}, line {line}" if line else name


def _described(value, shape):
    """A wrong value in words, with a hint when YAML read as a number or true/false what was meant as text."""
    if value is None:
        return "empty (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    hint = " (write it in quotes to keep it as text)" if shape in (TEXT, DATE) else ""
    if isinstance(value, bool):
        return f"a yes/no value (YAML reads an unquoted yes, no, on, off, true or false as one){hint}"
    if isinstance(value, (int, float)):
        return f"the number {value}{hint}"
    return f"a value of type {type(value).__name__}"


def _check_shape(check, name, document):
    """Check one parsed file against DOCUMENT: every problem, each with its key and line."""
    if not isinstance(document, dict):
        check.problem(name, f"the file must be {DOCUMENT.expected} (source:, items: ...), not "
                            f"{_described(document, DOCUMENT)}")
        return
    _check_record(check, name, document, DOCUMENT, "")


def _check_record(check, name, entry, record, context):
    for key, value in entry.items():
        where = _on_line(name, entry.key_lines.get(key) if isinstance(entry, _Mapping) else None) + context
        if not isinstance(key, str):
            check.problem(where, f"a key must be text, not {_described(key, TEXT)}")
        elif key not in record.fields:
            check.problem(where, f"unknown {'' if context else 'top-level '}key '{key}'")
        else:
            _check_value(check, name, key, value, record.fields[key], where, context)
    for key in sorted(record.required - set(entry)):
        check.problem(_at(name, entry) + context, f"missing required key '{key}'")


def _check_value(check, name, key, value, shape, where, context):
    if isinstance(shape, Value):
        if not shape.accepts(value):
            check.problem(where, f"'{key}' must be {shape.expected}, not {_described(value, shape)}")
    elif not isinstance(value, list if isinstance(shape, ListOf) else dict):
        check.problem(where, f"'{key}' must be {shape.expected}, not {_described(value, shape)}")
    elif isinstance(shape, Record):
        _check_record(check, name, value, shape, f"{context}, {shape.label}")
    else:
        for index, entry in enumerate(value, start=1):
            entry_where = _on_line(name, value.lines[index - 1]) + context if isinstance(value, _Sequence) else where
            if isinstance(shape.entry, Value):
                if not shape.entry.accepts(entry):
                    check.problem(entry_where, f"'{key}' entry {index} must be {shape.entry.expected}, not "
                                               f"{_described(entry, shape.entry)}")
            elif not isinstance(entry, dict):
                check.problem(entry_where, f"'{key}' entry {index} must be {shape.entry.expected}, not "
                                           f"{_described(entry, shape.entry)}")
            else:
                called = entry.get(shape.entry.named_by) if shape.entry.named_by else None
                called = called if isinstance(called, str) and called else index
                _check_record(check, name, entry, shape.entry, f"{context}, {shape.entry.label} {called}")


def _validate(documents, check):
    """Check parsed documents ({file name: document}) against each other and the database."""
    for name, document in documents.items():
        _check_shape(check, name, document)
    if check.problems:
        raise SeedError(check.problems)  # what follows needs values of the right types
    organisations, themes, sources, actions, indicators = {}, {}, [], [], []
    for name, document in documents.items():
        for index, entry in enumerate(document.get("organisations") or [], start=1):
            where = f"{_at(name, entry)}, organisation {index}"
            entry = check.mapping(entry, where)
            slug = check.text(entry, "slug", where, 60)
            if slug in organisations:
                check.problem(where, f"organisation '{slug}' is defined twice")
            organisations[slug] = {
                "name": check.text(entry, "name", where, 200),
                "short_name": check.text(entry, "short_name", where, 80),
                "kind": check.choice(entry, "kind", where, Organisation.Kind.values),
            }
            # Optional: where escalations go (services/escalation.py). Left out, the address
            # set in the admin is kept.
            if "lead_contact_email" in entry:
                organisations[slug]["lead_contact_email"] = check.email(entry, "lead_contact_email", where)
        for index, entry in enumerate(document.get("themes") or [], start=1):
            where = f"{_at(name, entry)}, theme {index}"
            entry = check.mapping(entry, where)
            slug = check.text(entry, "slug", where, 60)
            if slug in themes:
                check.problem(where, f"theme '{slug}' is defined twice")
            themes[slug] = {"name": check.text(entry, "name", where, 120)}
        if "source" in document or "items" in document:
            sources.append((name, document))
        for entry in document.get("actions") or []:
            actions.append((name, entry))
        for entry in document.get("indicators") or []:
            indicators.append((name, entry))

    # A file may use what the tracker already has as well as what it defines.
    known = {
        "organisations": set(organisations) | set(Organisation.objects.values_list("slug", flat=True)),
        "themes": set(themes) | set(Theme.objects.values_list("slug", flat=True)),
    }
    parsed_sources = []
    references = {}
    codes = set()
    for name, document in sources:
        raw_source = check.mapping(document.get("source"), f"{name}, source")
        where = f"{_at(name, raw_source)}, source"
        source = {
            "code": check.text(raw_source, "code", where, 20),
            "short_title": check.text(raw_source, "short_title", where, 80),
            "title": check.text(raw_source, "title", where, 300),
            "kind": check.choice(raw_source, "kind", where, Source.Kind.values),
            "author": check.text(raw_source, "author", where, 200),
            "publisher": check.text(raw_source, "publisher", where, 200),
            "published_on": check.date(raw_source, "published_on", where),
            "url": check.url(raw_source, "url", where),
            "summary": check.text(raw_source, "summary", where, required=False),
        }
        if source["code"] in codes:
            check.problem(where, f"source code '{source['code']}' is used by another file")
        codes.add(source["code"])
        items = []
        raw_items = document.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            check.problem(name, "'items' must be a non-empty list")
            raw_items = []
        for index, entry in enumerate(raw_items, start=1):
            reference = entry.get("reference") if isinstance(entry, dict) else None
            where = f"{_at(name, entry)}, item {reference or index}"
            entry = check.mapping(entry, where)
            item = {name_: spec.read(check, entry, where, known) for name_, spec in ITEM_FIELDS.items()}
            item["reference"] = check.text(entry, "reference", where, 30)
            item["themes"] = check.slug_list(entry, "themes", where, known["themes"], "theme")
            item["where"] = where
            response_problems = formal_response_problems(
                item["formal_response"], item["formal_response_note"], item["formal_response_date"]
            )
            for key, message in response_problems.items():
                check.problem(where, f"{message[0].lower()}{message[1:].rstrip('.')} ('{key}')")
            if item["kind"] == Item.Kind.JUDGEMENT and not item["grade"]:
                check.problem(where, "a judgement needs a 'grade'")
            published = source["published_on"] and source["published_on"].isoformat()
            if published and any(later["judged_on"] and later["judged_on"] <= published
                                 for later in item["later_grades"]):
                check.problem(where, f"a later grade must be dated after the source was published ({published})")
            if item["reference"] in references:
                check.problem(where, f"reference '{item['reference']}' is used twice")
            references[item["reference"]] = (source["code"], where)
            items.append(item)
        parsed_sources.append({"file": name, "source": source, "items": items})

    # An item stays in its source: a file cannot move it to another one.
    for reference, code in Item.objects.filter(reference__in=references).values_list("reference", "source__code"):
        if references[reference][0] != code:
            check.problem(references[reference][1], f"reference '{reference}' belongs to source {code}")

    parsed_actions = []
    action_references = set()
    for name, entry in actions:
        reference = entry.get("reference") if isinstance(entry, dict) else None
        where = f"{_at(name, entry)}, action {reference or '?'}"
        entry = check.mapping(entry, where)
        action = {
            "reference": check.text(entry, "reference", where, 30),
            "title": check.text(entry, "title", where, 200),
            "description": check.text(entry, "description", where, required=False),
            "owner": entry.get("owner"),
            "partners": check.slug_list(entry, "partners", where, known["organisations"], "organisation"),
            "items": check.slug_list(entry, "items", where, set(references) | _existing_references(), "item"),
            "start_date": check.date(entry, "start_date", where, required=False),
            "due_date": check.date(entry, "due_date", where, required=False),
        }
        if action["owner"] not in known["organisations"]:
            check.problem(where, f"owner '{action['owner']}' is not a defined organisation")
        if action["reference"] in action_references:
            check.problem(where, f"action reference '{action['reference']}' is used twice")
        action_references.add(action["reference"])
        parsed_actions.append(action)

    parsed_indicators = _validate_indicators(check, indicators, set(references) | _existing_references(), known)
    if check.problems:
        raise SeedError(check.problems)
    return {"organisations": organisations, "themes": themes, "sources": parsed_sources, "actions": parsed_actions,
            "indicators": parsed_indicators}


def _validate_indicators(check, entries, references, known):
    """The outcome indicators' definitions: each linked to at least one item; a baseline or
    target is a value with its date, or neither."""
    parsed, slugs = [], set()
    for name, entry in entries:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        where = f"{_at(name, entry)}, indicator {slug or '?'}"
        entry = check.mapping(entry, where)
        indicator = {
            "slug": check.text(entry, "slug", where, 60),
            "name": check.text(entry, "name", where, 200),
            "definition": check.text(entry, "definition", where),
            "unit": check.text(entry, "unit", where, 60),
            "data_source": check.text(entry, "data_source", where, 300),
            "better": check.choice(entry, "better", where, Indicator.Better.values),
            "items": check.slug_list(entry, "items", where, references, "item"),
            "themes": check.slug_list(entry, "themes", where, known["themes"], "theme"),
        }
        for mark in ("baseline", "target"):
            value, day = entry.get(f"{mark}_value"), check.date(entry, f"{mark}_date", where, required=False)
            if (value is None) != (day is None):
                check.problem(where, f"give both '{mark}_value' and '{mark}_date', or neither")
            indicator[f"{mark}_value"] = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
            indicator[f"{mark}_date"] = day
        if not indicator["items"]:
            check.problem(where, "an indicator needs at least one item in 'items'")
        if indicator["slug"] in slugs:
            check.problem(where, f"indicator '{indicator['slug']}' is defined twice")
        slugs.add(indicator["slug"])
        parsed.append(indicator)
    return parsed


def _existing_references():
    return set(Item.objects.values_list("reference", flat=True))


def _shown(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _sync(instance, values, report, label):
    """Save only the fields that differ, so an unchanged file writes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    changes = [(name, _shown(getattr(instance, name)), _shown(values[name])) for name in changed]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance._change_reason = "Loaded from seed files"
        instance.save()
        report.count(report.updated, label)
    return changes


def _get_or_create(model, lookup, defaults, report, label):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **defaults)
        instance._change_reason = "Loaded from seed files"
        instance.save()
        report.count(report.created, label)
        report.record(label, next(iter(lookup.values())), "created")
        return instance, True
    return instance, False


def _load(model, lookup, values, report, label):
    """Create or bring up to date one row; returns (instance, created, changes)."""
    instance, created = _get_or_create(model, lookup, values, report, label)
    changes = [] if created else _sync(instance, values, report, label)
    return instance, created, changes


def _load_by_slug(model, entries, report, kind):
    """Create or bring up to date each {slug: values} entry; returns {slug: object}."""
    loaded = {}
    for slug, values in entries.items():
        instance, created, changes = _load(model, {"slug": slug}, values, report, kind)
        if not created:
            report.record(kind, slug, "changed" if changes else "unchanged", changes)
        loaded[slug] = instance
    return loaded


def _write(data):
    report = LoadReport()
    organisations = {o.slug: o for o in Organisation.objects.all()}
    organisations.update(_load_by_slug(Organisation, data["organisations"], report, "organisations"))
    themes = {t.slug: t for t in Theme.objects.all()}
    themes.update(_load_by_slug(Theme, data["themes"], report, "themes"))

    for entry in data["sources"]:
        values = dict(entry["source"])
        code = values.pop("code")
        source, created, changes = _load(Source, {"code": code}, values, report, "sources")
        if not created:
            report.record("sources", code, "changed" if changes else "unchanged", changes)
        for item_data in entry["items"]:
            _load_item(source, item_data, organisations, themes, report)

    for action_data in data["actions"]:
        _load_action(action_data, organisations, report)
    for indicator_data in data.get("indicators", ()):
        _load_indicator(indicator_data, report)
    _log(data)
    return report


def _log(data):
    """One publication log entry per source and item the file created or changed (publication_log)."""
    reason = "Loaded from a source file"
    codes = [entry["source"]["code"] for entry in data["sources"]]
    publication_log.record_source_changes(Source.objects.filter(code__in=codes), publication_log.SOURCE_FILE, reason)
    references = [item["reference"] for entry in data["sources"] for item in entry["items"]]
    publication_log.record_item_changes(Item.objects.filter(reference__in=references), publication_log.SOURCE_FILE,
                                        reason)
    slugs = [indicator["slug"] for indicator in data.get("indicators", ())]
    publication_log.record_indicator_changes(Indicator.objects.filter(slug__in=slugs), publication_log.SOURCE_FILE,
                                             reason)


def load(data):
    """Write checked data (from read_seed_files or read_upload) in one transaction."""
    with transaction.atomic():
        report = _write(data)
    analyse_tables()
    return report


class _Rollback(Exception):
    pass


def preview(data):
    """What load(data) would do, with nothing written: the same load, rolled back."""
    try:
        with transaction.atomic():
            report = _write(data)
            raise _Rollback
    except _Rollback:
        return report


def load_sources(directory):
    """Load every seed file in directory. Raises SeedError before writing if any is wrong."""
    return load(read_seed_files(directory))


def _load_item(source, data, organisations, themes, report):
    # The file owns the description of an item. Ownership, wording, dates and
    # the update cadence are only starting values: after creation they are
    # managed in the app. A formal response in the file is filled in while the
    # item still awaits one, never over a response recorded in the app.
    described = {"source": source} | {
        name: data[name] for name, spec in ITEM_FIELDS.items() if spec.role == DESCRIBED
    }
    starting = {name: data[name] for name, spec in ITEM_FIELDS.items() if spec.role == STARTING}
    starting["owner"] = organisations[data["owner"]]
    starting["current_target_date"] = data["baseline_target_date"]
    response = {name: data[name] for name, spec in ITEM_FIELDS.items() if spec.role == RESPONSE}
    item = Item.objects.filter(reference=data["reference"]).first()
    created = item is None
    if created:
        item, _ = _get_or_create(
            Item, {"reference": data["reference"]}, {**described, **starting, **response}, report, "items"
        )
        changes = []
    else:
        awaiting = Item.FormalResponse.AWAITING
        if item.formal_response == awaiting and response["formal_response"] != awaiting:
            described = {**described, **response}
        changes = _sync(item, described, report, "items")
        _note_managed_values(item, data, starting, report)
    wanted = {themes[slug].pk for slug in data["themes"]}
    current = set(item.themes.values_list("pk", flat=True))
    if current != wanted:
        item.themes.set(wanted)
        if not created:
            report.count(report.updated, "item themes")
            changes.append(("themes", _theme_names(current, themes), " ".join(sorted(data["themes"]))))
    if not created:
        report.record("items", data["reference"], "changed" if changes else "unchanged", changes)


def _theme_names(pks, themes):
    return " ".join(sorted(slug for slug, theme in themes.items() if theme.pk in pks))


def _note_managed_values(item, data, starting, report):
    for name, value in starting.items():
        if name == "current_target_date" or value in ("", None) or getattr(item, name) == value:
            continue
        report.notices.append(
            f"{data['where']}: '{name}' is '{_shown(value)}' in the file but '{_shown(getattr(item, name))}' in "
            "the tracker; after an item is created this is managed in the app, so the file does not change it"
        )


def _load_action(data, organisations, report):
    values = {
        "title": data["title"],
        "description": data["description"],
        "owner": organisations[data["owner"]],
        "start_date": data["start_date"],
        "due_date": data["due_date"],
    }
    action, created, changes = _load(Action, {"reference": data["reference"]}, values, report, "actions")
    wanted_items = set(Item.objects.filter(reference__in=data["items"]).values_list("pk", flat=True))
    if set(action.items.values_list("pk", flat=True)) != wanted_items:
        action.items.set(wanted_items)
        if not created:
            report.count(report.updated, "action links")
            changes.append(("items", "", " ".join(sorted(data["items"]))))
    wanted_partners = {organisations[slug].pk for slug in data["partners"]}
    if set(action.partners.values_list("pk", flat=True)) != wanted_partners:
        action.partners.set(wanted_partners)
        if not created:
            report.count(report.updated, "action partners")
            changes.append(("partners", "", " ".join(sorted(data["partners"]))))
    if not created:
        report.record("actions", data["reference"], "changed" if changes else "unchanged", changes)


def _load_indicator(data, report):
    """An indicator's definition belongs to the file: a later load brings it back in step."""
    values = {name: value for name, value in data.items() if name not in ("slug", "items", "themes")}
    indicator, created, changes = _load(Indicator, {"slug": data["slug"]}, values, report, "indicators")
    for relation, model, key in (("items", Item, "reference"), ("themes", Theme, "slug")):
        wanted = set(model.objects.filter(**{f"{key}__in": data[relation]}).values_list("pk", flat=True))
        if set(getattr(indicator, relation).values_list("pk", flat=True)) != wanted:
            getattr(indicator, relation).set(wanted)
            if not created:
                report.count(report.updated, f"indicator {relation}")
                changes.append((relation, "", " ".join(sorted(data[relation]))))
    if not created:
        report.record("indicators", data["slug"], "changed" if changes else "unchanged", changes)


def csv_columns():
    """(column, what it holds, what an upload does with it) for every column of the items CSV."""
    def treatment(column):
        if column == "later_grades":
            return "Ignored: an item keeps its later grades, which only a YAML source file gives."
        if column in CSV_IGNORED:
            return "Ignored: the tracker works it out."
        if column in CSV_WORKFLOW:
            return ("Changes only through reviewed progress updates: must be empty or as the tracker has it, "
                    "otherwise the row is refused.")
        if column == "reference":
            return "Required. Finds the item; a new reference adds an item."
        if column == "source":
            return "Required. Code of a source the tracker already has; an item cannot move to another source."
        if column == "themes":
            return "Theme codes, separated by spaces; replaces the item's themes."
        if column in ITEM_FIELDS and ITEM_FIELDS[column].role == RESPONSE:
            return "Used while the item still awaits a formal response; a response recorded in the app is kept."
        if column in ITEM_FIELDS and ITEM_FIELDS[column].role == STARTING:
            extra = " (name, short name or code of a known organisation)" if column == "owner" else ""
            return (f"{'Required. ' if column in CSV_REQUIRED else ''}Used when the item is created{extra}; "
                    "after that it is managed in the app and a different value is only noted.")
        return f"{'Required. ' if column in CSV_REQUIRED else ''}Updates the item."

    return [(column, open_data.ITEM_FIELD_HELP[column], treatment(column)) for column in open_data.ITEM_FIELDS]


class AlreadyApplied(Exception):
    """The upload was applied already (perhaps a moment ago, by a second click); nothing was written again."""


def keep_for_apply(user, name, content, report):
    """Keep an uploaded file and the plan its preview showed, until it is applied (apply_upload)."""
    return SourceUpload.objects.create(uploaded_by=user, name=name, text=content.decode("utf-8-sig"),
                                       plan=report.fingerprint())


def preview_again(upload):
    """What applying a kept upload would do now (the tracker changed since its preview); keeps the new plan."""
    report = preview(read_upload(upload.name, upload.text.encode("utf-8")))
    upload.plan = report.fingerprint()
    upload.save(update_fields=["plan"])
    return report


def apply_upload(upload):
    """Apply a previewed upload, all or nothing and only once.

    Returns the LoadReport; or None, with nothing written, if applying would no
    longer do exactly what the preview showed (the tracker changed meanwhile).
    Raises SeedError if the file no longer passes the checks, and AlreadyApplied
    if the upload was applied, even by a request running at the same moment."""
    data = read_upload(upload.name, upload.text.encode("utf-8"))
    try:
        with transaction.atomic():
            # Claim the upload first. A second apply running at the same time waits
            # on this row until the first commits, then finds it applied.
            if not SourceUpload.objects.filter(pk=upload.pk, applied_at=None).update(applied_at=timezone.now()):
                raise AlreadyApplied
            report = _write(data)
            if report.fingerprint() != upload.plan:
                raise _Rollback  # the claim is rolled back too: the upload can be applied after a new preview
    except _Rollback:
        return None
    analyse_tables()
    return report


def summary(report):
    """The plan in one sentence, for people."""
    if not report.changed:
        return "Nothing changes: the tracker already matches the file."
    def counted(n, name):
        return f"{n} {name if n != 1 else name.removesuffix('s')}"

    parts = [f"{counted(n, name)} created" for name, n in sorted(report.created.items(), reverse=True)]
    parts += [f"{counted(n, name)} changed" for name, n in sorted(report.updated.items(), reverse=True)]
    return "; ".join(parts) + "."
