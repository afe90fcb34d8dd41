"""
Loading the tracked sources from the human-readable files in seeds/.

Every file is read and checked before anything is written; the write is one
transaction. Loading again changes nothing that is already right, and never
touches what people do in the app: status, RAG rating, target dates once set,
verified wording, progress updates and evidence.
"""
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from recommendations.models import (
    CADENCE_MONTHS,
    DEFAULT_CADENCE_MONTHS,
    Action,
    Item,
    Organisation,
    Source,
    Theme,
    formal_response_problems,
    http_url_validator,
)

SOURCE_KEYS = {"code", "short_title", "title", "kind", "author", "publisher", "published_on", "url", "summary"}
ITEM_KEYS = {
    "reference", "number", "kind", "grade", "title", "summary", "official_wording", "provenance",
    "themes", "owner", "lead_role", "baseline_target_date",
    "formal_response", "formal_response_note", "formal_response_date", "update_cadence_months",
}
ITEM_REQUIRED = {"reference", "number", "kind", "title", "summary", "provenance", "owner", "lead_role"}
ACTION_KEYS = {"reference", "title", "description", "owner", "partners", "items", "start_date", "due_date"}


class _SeedLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported, not crashed on."""


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SeedError(Exception):
    """The seed files are not valid; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, bucket, model_name):
        bucket[model_name] = bucket.get(model_name, 0) + 1

    @property
    def changed(self):
        return bool(self.created or self.updated)

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

    def keys(self, entry, where, allowed, required):
        for key in sorted(set(entry) - allowed):
            self.problem(where, f"unknown key '{key}'")
        for key in sorted(required - set(entry)):
            self.problem(where, f"missing required key '{key}'")

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


def read_seed_files(directory):
    """Parse and check every seed file; return plain data or raise SeedError."""
    directory = Path(directory)
    check = _Checker()
    documents = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            with path.open(encoding="utf-8") as handle:
                documents[path.name] = yaml.load(handle, Loader=_SeedLoader) or {}
        except yaml.YAMLError as error:
            check.problem(path.name, f"is not valid YAML ({error})".replace("\n", " "))
    if check.problems:
        raise SeedError(check.problems)
    if not documents:
        raise SeedError([f"{directory}: no .yaml seed files found"])

    organisations, themes, sources, actions = {}, {}, [], []
    for name, document in documents.items():
        document = check.mapping(document, name)
        for key in sorted(set(document) - {"organisations", "themes", "source", "items", "actions"}):
            check.problem(name, f"unknown top-level key '{key}'")
        for index, entry in enumerate(document.get("organisations") or [], start=1):
            where = f"{name}, organisation {index}"
            entry = check.mapping(entry, where)
            check.keys(entry, where, {"slug", "name", "short_name", "kind", "lead_contact_email"},
                       {"slug", "name", "short_name", "kind"})
            slug = check.text(entry, "slug", where, 60)
            if slug in organisations:
                check.problem(where, f"organisation '{slug}' is defined twice")
            organisations[slug] = {
                "name": check.text(entry, "name", where, 200),
                "short_name": check.text(entry, "short_name", where, 80),
                "kind": check.choice(entry, "kind", where, Organisation.Kind.values),
            }
            # Optional: where late items escalate (services/escalation.py). Left out, the address
            # set in the admin is kept.
            if "lead_contact_email" in entry:
                organisations[slug]["lead_contact_email"] = check.email(entry, "lead_contact_email", where)
        for index, entry in enumerate(document.get("themes") or [], start=1):
            where = f"{name}, theme {index}"
            entry = check.mapping(entry, where)
            check.keys(entry, where, {"slug", "name"}, {"slug", "name"})
            slug = check.text(entry, "slug", where, 60)
            if slug in themes:
                check.problem(where, f"theme '{slug}' is defined twice")
            themes[slug] = {"name": check.text(entry, "name", where, 120)}
        if "source" in document or "items" in document:
            sources.append((name, document))
        for entry in document.get("actions") or []:
            actions.append((name, entry))

    parsed_sources = []
    references = set()
    codes = set()
    for name, document in sources:
        raw_source = check.mapping(document.get("source"), f"{name}, source")
        where = f"{name}, source"
        check.keys(raw_source, where, SOURCE_KEYS, SOURCE_KEYS - {"summary"})
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
            where = f"{name}, item {reference or index}"
            entry = check.mapping(entry, where)
            check.keys(entry, where, ITEM_KEYS, ITEM_REQUIRED)
            item = {
                "reference": check.text(entry, "reference", where, 30),
                "kind": check.choice(entry, "kind", where, Item.Kind.values),
                "grade": check.choice(entry, "grade", where, Item.Grade.values, required=False),
                "title": check.text(entry, "title", where, 200),
                "summary": check.text(entry, "summary", where),
                "official_wording": check.text(entry, "official_wording", where, required=False),
                "provenance": check.choice(entry, "provenance", where, Item.Provenance.values),
                "themes": check.slug_list(entry, "themes", where, themes, "theme"),
                "owner": entry.get("owner"),
                "lead_role": check.text(entry, "lead_role", where, 200),
                "baseline_target_date": check.date(entry, "baseline_target_date", where, required=False),
                "formal_response": check.choice(
                    entry, "formal_response", where, Item.FormalResponse.values, required=False
                ) or Item.FormalResponse.AWAITING,
                "formal_response_note": check.text(entry, "formal_response_note", where, 500, required=False),
                "formal_response_date": check.date(entry, "formal_response_date", where, required=False),
                "update_cadence_months": check.whole_number(
                    entry, "update_cadence_months", where, CADENCE_MONTHS, DEFAULT_CADENCE_MONTHS
                ),
            }
            response_problems = formal_response_problems(
                item["formal_response"], item["formal_response_note"], item["formal_response_date"]
            )
            for key, message in response_problems.items():
                check.problem(where, f"{message[0].lower()}{message[1:].rstrip('.')} ('{key}')")
            if "owner" in entry and item["owner"] not in organisations:
                check.problem(where, f"owner '{entry.get('owner')}' is not a defined organisation")
            number = entry.get("number")
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                check.problem(where, f"'number' must be a whole number from 1, not '{number}'")
            item["number"] = number
            if item["kind"] == Item.Kind.JUDGEMENT and not item["grade"]:
                check.problem(where, "a judgement needs a 'grade'")
            if item["reference"] in references:
                check.problem(where, f"reference '{item['reference']}' is used twice")
            references.add(item["reference"])
            items.append(item)
        parsed_sources.append({"file": name, "source": source, "items": items})

    parsed_actions = []
    action_references = set()
    for name, entry in actions:
        reference = entry.get("reference") if isinstance(entry, dict) else None
        where = f"{name}, action {reference or '?'}"
        entry = check.mapping(entry, where)
        check.keys(entry, where, ACTION_KEYS, {"reference", "title", "owner", "items"})
        action = {
            "reference": check.text(entry, "reference", where, 30),
            "title": check.text(entry, "title", where, 200),
            "description": check.text(entry, "description", where, required=False),
            "owner": entry.get("owner"),
            "partners": check.slug_list(entry, "partners", where, organisations, "organisation"),
            "items": check.slug_list(entry, "items", where, references | _existing_references(), "item"),
            "start_date": check.date(entry, "start_date", where, required=False),
            "due_date": check.date(entry, "due_date", where, required=False),
        }
        if action["owner"] not in organisations:
            check.problem(where, f"owner '{action['owner']}' is not a defined organisation")
        if action["reference"] in action_references:
            check.problem(where, f"action reference '{action['reference']}' is used twice")
        action_references.add(action["reference"])
        parsed_actions.append(action)

    if check.problems:
        raise SeedError(check.problems)
    return {"organisations": organisations, "themes": themes, "sources": parsed_sources, "actions": parsed_actions}


def _existing_references():
    return set(Item.objects.values_list("reference", flat=True))


def _sync(instance, values, report, label):
    """Save only the fields that differ, so an unchanged file writes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance._change_reason = "Loaded from seed files"
        instance.save()
        report.count(report.updated, label)


def _get_or_create(model, lookup, defaults, report, label):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **defaults)
        instance._change_reason = "Loaded from seed files"
        instance.save()
        report.count(report.created, label)
        return instance, True
    return instance, False


def _load_by_slug(model, entries, report, kind):
    """Create or bring up to date each {slug: values} entry; returns {slug: object}."""
    loaded = {}
    for slug, values in entries.items():
        instance, created = _get_or_create(model, {"slug": slug}, values, report, kind)
        if not created:
            _sync(instance, values, report, kind)
        loaded[slug] = instance
    return loaded


@transaction.atomic
def load_sources(directory):
    """Load every seed file in directory. Raises SeedError before writing if any is wrong."""
    data = read_seed_files(directory)
    report = LoadReport()

    organisations = _load_by_slug(Organisation, data["organisations"], report, "organisations")
    themes = _load_by_slug(Theme, data["themes"], report, "themes")

    for entry in data["sources"]:
        values = dict(entry["source"])
        code = values.pop("code")
        source, created = _get_or_create(Source, {"code": code}, values, report, "sources")
        if not created:
            _sync(source, values, report, "sources")
        for item_data in entry["items"]:
            _load_item(source, item_data, organisations, themes, report)

    for action_data in data["actions"]:
        _load_action(action_data, organisations, report)
    return report


def _load_item(source, data, organisations, themes, report):
    # The file owns the description of an item. Ownership, wording, dates and
    # the update cadence are only starting values: after creation they are
    # managed in the app. A formal response in the file is filled in while the
    # item still awaits one, never over a response recorded in the app.
    described = {
        "source": source,
        "number": data["number"],
        "kind": data["kind"],
        "grade": data["grade"],
        "title": data["title"],
        "summary": data["summary"],
        "provenance": data["provenance"],
    }
    starting = {
        "owner": organisations[data["owner"]],
        "lead_role": data["lead_role"],
        "official_wording": data["official_wording"],
        "baseline_target_date": data["baseline_target_date"],
        "current_target_date": data["baseline_target_date"],
        "update_cadence_months": data["update_cadence_months"],
    }
    response = {name: data[name] for name in ("formal_response", "formal_response_note", "formal_response_date")}
    item, created = _get_or_create(
        Item, {"reference": data["reference"]}, {**described, **starting, **response}, report, "items"
    )
    if not created:
        awaiting = Item.FormalResponse.AWAITING
        if item.formal_response == awaiting and response["formal_response"] != awaiting:
            described = {**described, **response}
        _sync(item, described, report, "items")
    wanted = {themes[slug].pk for slug in data["themes"]}
    if set(item.themes.values_list("pk", flat=True)) != wanted:
        item.themes.set(wanted)
        if not created:
            report.count(report.updated, "item themes")


def _load_action(data, organisations, report):
    values = {
        "title": data["title"],
        "description": data["description"],
        "owner": organisations[data["owner"]],
        "start_date": data["start_date"],
        "due_date": data["due_date"],
    }
    action, created = _get_or_create(Action, {"reference": data["reference"]}, values, report, "actions")
    if not created:
        _sync(action, values, report, "actions")
    wanted_items = set(Item.objects.filter(reference__in=data["items"]).values_list("pk", flat=True))
    if set(action.items.values_list("pk", flat=True)) != wanted_items:
        action.items.set(wanted_items)
        if not created:
            report.count(report.updated, "action links")
    wanted_partners = {organisations[slug].pk for slug in data["partners"]}
    if set(action.partners.values_list("pk", flat=True)) != wanted_partners:
        action.partners.set(wanted_partners)
