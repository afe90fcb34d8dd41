"""
The open data records: one dictionary per item and per published update.

The CSV and JSON downloads are both built from these, so the
published fields are listed once (and documented in docs/open-data.md, generated from them).
Records are built only from what recommendations.public.records returns.
"""
from operator import itemgetter
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from recommendations import words
from recommendations.models import Item, item_is_overdue, item_update_due
from recommendations.public.records import FORMAL_RESPONSE_LABELS, STATUS_LABELS

# Everything published on the tracker may be reused under this licence: named
# on the open data page, in every JSON download, in the CSV downloads' Link
# header and in the feed's rights.
LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

# The published fields, in order, with what they mean: shown on the open data
# page and in docs/open-data.md (field_documentation).
ITEM_FIELD_HELP = {
    "reference": "Stable reference, such as JAY-04. The item's page is /items/<reference>/.",
    "url": "Web address of the item's page.",
    "source": "Code of the report or inspection: JAY, ADCS or OFSTED.",
    "source_title": "Short title of the source.",
    "kind": "recommendation, proposal, finding or judgement. A judgement is a grade an inspectorate gave, not a "
            "task: it has no status, RAG rating or target dates, and is not counted in figures of items implemented, "
            "past their target date or with an update overdue.",
    "grade": "Judgements only: the grade given (outstanding, good, requires-improvement or inadequate); otherwise "
             "empty.",
    "judged_on": "Judgements only: the date the grade was given, the day its source was published (YYYY-MM-DD); "
                 "otherwise empty.",
    "later_grades": "Judgements only: grades later re-inspections gave, oldest first: in JSON a list of {grade, "
                    "judged_on}; in CSV one \"YYYY-MM-DD grade\" per line. Empty if none.",
    "title": "Short title, in our own words.",
    "summary": "Summary in our own words; not the official wording.",
    "official_wording": "The official wording, only once it has been checked against the source; otherwise empty.",
    "wording_verified": "Whether the official wording has been checked (CSV: yes or no).",
    "owner": "Organisation responsible for the item.",
    "lead_role": "Job title of the lead (never a person's name).",
    "themes": "Theme codes (CSV: separated by spaces).",
    "status": "not_started, in_progress, implemented, assured, not_accepted, closed_not_implemented or superseded; "
              "empty for a judgement. closed_not_implemented and superseded are the board's closures of an item that "
              "was not implemented (dropped, or replaced by another item or joint action): closed, never counted as "
              "implemented; the reasons are the board's published decision in the updates download.",
    "status_label": "The status in words; empty for a judgement.",
    "superseded_by": "A superseded item only: the reference of the item that replaced it; otherwise empty.",
    "superseded_by_action": "A superseded item only: the reference of the joint action that replaced it; otherwise "
                            "empty.",
    "rag": "red, amber or green; empty when not rated.",
    "baseline_target_date": "First agreed target date (YYYY-MM-DD), or empty.",
    "target_date": "Current target date (YYYY-MM-DD), or empty.",
    "overdue": f"{words.PAST_TARGET.name}: {words.PAST_TARGET.definition} In CSV: yes or no.",
    "formal_response": "The owner's formal response, apart from delivery: accepted, accepted_in_principle, "
                       "partly_accepted, not_accepted or awaiting.",
    "formal_response_label": "The formal response in words.",
    "formal_response_note": "The reasons when not accepted, or a short note; otherwise empty.",
    "formal_response_date": "Date of the formal response (YYYY-MM-DD), or empty.",
    "update_cadence_months": "How often a progress update should be published, in months (3: quarterly).",
    "last_published_update": "When the owner last published a progress update (ISO 8601), or empty if none; "
                             "the board's own decisions (assurance, closure, reopening, correction) are not counted.",
    "next_update_due": "Date the owner's next progress update is due (YYYY-MM-DD): the cadence counted from "
                       "last_published_update, or from when the item was added if none (a month is a twelfth of a "
                       "year, in whole days); empty once implemented, assured or closed.",
    "update_overdue": f"{words.UPDATE_OVERDUE.name}: {words.UPDATE_OVERDUE.definition} In CSV: yes or no.",
}

UPDATE_FIELD_HELP = {
    "id": "Number of the update; stable.",
    "url": "Web address of the update on its item's page.",
    "item_reference": "Reference of the item the update is about.",
    "item_title": "Title of that item.",
    "source": "Code of the item's source.",
    "organisation": "Organisation that reported the progress (its officer wrote the update).",
    "published_at": "Date and time the improvement board approved and published it (ISO 8601).",
    "narrative": "The progress reported.",
    "status": "Status of the item from this update on (codes as for items).",
    "status_label": "That status in words.",
    "rag": "RAG rating from this update on, or empty if unchanged.",
    "target_date": "Target date from this update on (YYYY-MM-DD), or empty if unchanged.",
    "target_date_reason": "Why the target date moved, if it did.",
    "evidence": "Evidence links: in JSON a list of {title, url, date}; in CSV one \"title <url>\" per line.",
    "evidence_strength": "For the board's assurance of an item: how strong the evidence it saw was (policy, "
                         "operating, audited or outcomes, weakest first); otherwise empty.",
    "evidence_checked": "For the board's assurance: the evidence links the reviewer checked, listed as for "
                        "evidence.",
}

LOG_FIELD_HELP = {
    "id": "Position of the entry in the log; entries are only ever added.",
    "recorded_at": "When the change was made public (ISO 8601).",
    "kind": "publication, assurance, closure (closed without being implemented), reopening, correction, verification, "
            "added (an item, source or outcome indicator added), change (changed by an administrator or a source "
            "file, with the reason), indicator (an outcome indicator's value published, with the indicator's "
            "definition), baseline (the record as it stood when the log began to cover all of it), meeting_pack (a "
            "board meeting's pack, published as the meeting's public record) or feedback (the board's published "
            "response to the public's feedback: \"you said\" and \"we did\").",
    "item_reference": "The item the change is about (empty for a source, an outcome indicator or a meeting pack).",
    "update_id": "The published update, for all but verifications, indicator values, meeting packs and responses "
                 "to feedback.",
    "by": "Which organisation or role; never a person.",
    "content": "The public content as published (JSON): the item's or source's whole public record after the "
               "change, the published update if any, the fields changed and the reason; for a meeting pack, the "
               "meeting and its pack as published; for a response to feedback, only the response.",
    "content_hash": "SHA-256 of the content.",
    "previous_hash": "entry_hash of the entry before (64 zeros for the first).",
    "entry_hash": "SHA-256 of previous_hash, recorded_at, kind, item_reference, update_id, by and content_hash, "
                  "joined by |.",
}

INDICATOR_FIELD_HELP = {
    "slug": "Stable code of the outcome indicator.",
    "name": "Name of the indicator, in our own words.",
    "definition": "What is counted, in plain English.",
    "unit": "The unit of its values, such as % or days.",
    "data_source": "Where the data comes from.",
    "better": "Which direction is better: higher or lower.",
    "baseline_value": "The value it is measured against, once agreed; otherwise empty.",
    "baseline_date": "Date of the baseline value (YYYY-MM-DD), or empty.",
    "target_value": "The value aimed for, once agreed; otherwise empty.",
    "target_date": "Date the target is to be reached by (YYYY-MM-DD), or empty.",
    "items": "References of the items it measures the outcome of (CSV: separated by spaces).",
    "themes": "Theme codes (CSV: separated by spaces).",
    "published_values": "How many values have been published; 0 means none yet.",
}

INDICATOR_VALUE_FIELD_HELP = {
    "id": "Number of the published value; stable.",
    "indicator": "Code of the indicator (as slug in the indicators download, which has its definition).",
    "indicator_name": "Name of the indicator.",
    "unit": "The unit of the value.",
    "better": "Which direction is better: higher or lower.",
    "period_start": "First day of the period the value is for (YYYY-MM-DD).",
    "period_end": "Last day of that period (YYYY-MM-DD). A period with no row has no published value: it is "
                  "missing, not zero.",
    "value": "The value, a number.",
    "note": "What the organisation said about it, if anything.",
    "evidence_url": "Link to the report the value comes from, or empty.",
    "organisation": "Organisation that reported the value (its officer wrote it; never a person).",
    "published_at": "Date and time the improvement board approved and published it (ISO 8601).",
}

ITEM_FIELDS = list(ITEM_FIELD_HELP)
INDICATOR_FIELDS = list(INDICATOR_FIELD_HELP)
INDICATOR_VALUE_FIELDS = list(INDICATOR_VALUE_FIELD_HELP)
LOG_FIELDS = list(LOG_FIELD_HELP)
UPDATE_FIELDS = list(UPDATE_FIELD_HELP)


def _date(value):
    return value.isoformat() if value else None


def item_url(items_address, reference):
    """An item's full web address from the items list's full address.

    Worked out once per download rather than with reverse() for every row:
    at national scale that alone cost a second per download.
    """
    return f"{items_address}{quote(reference)}/"


def item_records(items, items_address, themes):
    """items: dicts from records.item_values(); items_address: the full web address of the
    items list; themes: {item id: [theme slug, ...]}."""
    # The time zone is looked up once: looking it up for every row's date was a sixth of the records' time.
    zone = timezone.get_current_timezone()
    today, now = timezone.localdate(timezone=zone), timezone.now()
    return [_item_record(item, items_address, themes.get(item["id"], []), zone, today, now) for item in items]


def _item_record(item, items_address, themes, zone, today, now):
    due = item_update_due(item["status"], item["last_reported_at"], item["created_at"],
                          item["update_cadence_months"], item["kind"])
    judgement = item["kind"] == Item.Kind.JUDGEMENT
    return {
        "reference": item["reference"],
        "url": item_url(items_address, item["reference"]),
        "source": item["source_code"],
        "source_title": item["source_title"],
        "kind": item["kind"],
        "grade": item["grade"] if judgement else "",
        "judged_on": _date(item["source_published_on"]) if judgement else None,
        "later_grades": [{"grade": later["grade"], "judged_on": later["judged_on"]}
                         for later in item["later_grades"] or []] if judgement else [],
        "title": item["title"],
        "summary": item["summary"],
        "official_wording": item["verified_wording"],
        "wording_verified": item["verified"],
        "owner": item["owner_name"],
        "lead_role": item["lead_role"],
        "themes": themes,
        # A judgement is not a task: it has no status (not even "not started").
        "status": "" if judgement else item["status"],
        "status_label": "" if judgement else STATUS_LABELS.get(item["status"], item["status"]),
        "superseded_by": item["superseded_by_reference"] or "",
        "superseded_by_action": item["superseded_by_action_reference"] or "",
        "rag": item["rag"],
        "baseline_target_date": _date(item["baseline_target_date"]),
        "target_date": _date(item["current_target_date"]),
        "overdue": item_is_overdue(item["status"], item["current_target_date"], today, item["kind"]),
        "formal_response": item["formal_response"],
        "formal_response_label": FORMAL_RESPONSE_LABELS.get(item["formal_response"], item["formal_response"]),
        "formal_response_note": item["formal_response_note"],
        "formal_response_date": _date(item["formal_response_date"]),
        "update_cadence_months": item["update_cadence_months"],
        "last_published_update": _date(item["last_reported_at"]),
        "next_update_due": _date(timezone.localdate(due, zone) if due else None),
        # Item.is_update_overdue, on these values.
        "update_overdue": due is not None and due < now,
    }


def update_record(update, items_address):
    """update: a records.PublicUpdate, attributed to an organisation, never to a person."""
    return {
        "id": update.id,
        "url": f"{item_url(items_address, update.item_reference)}#update-{update.id}",
        "item_reference": update.item_reference,
        "item_title": update.item_title,
        "source": update.source_code,
        "organisation": update.organisation_name,
        "published_at": update.published_at.isoformat(),
        "narrative": update.narrative,
        "status": update.status,
        "status_label": update.status_label,
        "rag": update.rag,
        "target_date": _date(update.target_date),
        "target_date_reason": update.target_date_reason,
        "evidence": _links(update.evidence),
        "evidence_strength": update.evidence_strength,
        "evidence_checked": _links(update.evidence_checked),
    }


def _links(links):
    return [{"title": link.title, "url": link.url, "date": _date(link.date)} for link in links]


def _number(value):
    return None if value is None else float(value)


def indicator_record(indicator):
    """indicator: a records.PublicIndicator; its definition, without its values."""
    return {
        "slug": indicator.slug, "name": indicator.name, "definition": indicator.definition, "unit": indicator.unit,
        "data_source": indicator.data_source, "better": indicator.better,
        "baseline_value": _number(indicator.baseline_value), "baseline_date": _date(indicator.baseline_date),
        "target_value": _number(indicator.target_value), "target_date": _date(indicator.target_date),
        "items": list(indicator.item_references), "themes": list(indicator.theme_slugs),
        "published_values": len(indicator.values),
    }


def indicator_value_records(indicators):
    """One record per published value of records.PublicIndicator records, with what defines it."""
    return [
        {
            "id": value.id, "indicator": indicator.slug, "indicator_name": indicator.name, "unit": indicator.unit,
            "better": indicator.better, "period_start": _date(value.period_start),
            "period_end": _date(value.period_end), "value": _number(value.value), "note": value.note,
            "evidence_url": value.evidence_url, "organisation": value.organisation_name,
            "published_at": value.published_at.isoformat(),
        }
        for indicator in indicators for value in indicator.values
    ]


def log_record(entry):
    return {
        "id": entry.pk,
        "recorded_at": entry.recorded_at.isoformat(),
        "kind": entry.kind,
        "item_reference": entry.item_reference,
        "update_id": entry.update_id,
        "by": entry.by,
        "content": entry.content,
        "content_hash": entry.content_hash,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def log_head(newest, count):
    """The publication log's head from its newest entry (a list of at most one) and its number of entries."""
    latest = newest[0] if newest else None
    return {
        "entries": count,
        "entry_hash": latest.entry_hash if latest else "0" * 64,
        "recorded_at": latest.recorded_at.isoformat() if latest else None,
    }


def log_record_head(records):
    """The head of a whole log download (log_record dicts, newest first), so the two always agree."""
    latest = records[0] if records else None
    return {
        "entries": len(records),
        "entry_hash": latest["entry_hash"] if latest else "0" * 64,
        "recorded_at": latest["recorded_at"] if latest else None,
    }


def csv_cell(value):
    """Flatten list fields for CSV: themes joined by spaces, evidence as "title <url>" lines."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "judged_on" in value[0]:
            return "\n".join(f"{later['judged_on']} {later['grade']}" for later in value)
        if value and isinstance(value[0], dict):
            return "\n".join(f"{link['title']} <{link['url']}>" for link in value)
        return " ".join(value)
    return value


def csv_rows(fields, records):
    """The records' fields as CSV rows, each cell through csv_cell."""
    cells = itemgetter(*fields)
    # Only yes/no and list cells change: the others are not passed to csv_cell one by one.
    return ([csv_cell(value) if type(value) in (bool, list) else value for value in cells(record)]
            for record in records)


# The downloads each field list describes, for docs/open-data.md: (heading, URL names, fields and meanings).
DOCUMENTED_DOWNLOADS = [
    ("Tracked items", ["public:items-csv", "public:items-json"], ITEM_FIELD_HELP),
    ("Published updates", ["public:updates-csv", "public:updates-json", "public:changes-csv",
                           "public:changes-json"], UPDATE_FIELD_HELP),
    ("Publication log", ["public:publication-log-csv", "public:publication-log-json"], LOG_FIELD_HELP),
    ("Outcome indicators", ["public:indicators-csv", "public:indicators-json"], INDICATOR_FIELD_HELP),
    ("Outcome indicators' published values", ["public:indicator-values-csv", "public:indicator-values-json"],
     INDICATOR_VALUE_FIELD_HELP),
]


def _markdown_cell(text):
    # A description is plain text: keep "|" from ending the cell and "<url>" from reading as a tag.
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def field_documentation():
    """docs/open-data.md: the published fields and what they mean, from the definitions above,
    so the developers' page cannot drift from the downloads (`manage.py document_open_data`)."""
    lines = [
        "# Open data fields",
        "",
        "<!-- Generated from recommendations/public/open_data.py by "
        "`python manage.py document_open_data > docs/open-data.md`; edit the descriptions there. -->",
        "",
        f"Everything here may be reused under the [{LICENCE['name']}]({LICENCE['url']}). The same descriptions "
        "are on the tracker's `/open-data/` page.",
        "",
        "CSV files are UTF-8 with a header row; a cell that a spreadsheet could read as a formula starts with an "
        "apostrophe, and the licence is in the `Link` header. JSON files are an object `{\"generated_at\": ..., "
        "\"licence\": {\"name\": ..., \"url\": ...}, \"count\": n, ...}` with the records under `items`, `updates`, "
        "`changes`, `indicators`, `indicator-values` or `publication-log` (which also has the log's `head`, for anyone to save and check later). "
        "Dates are `YYYY-MM-DD`, times ISO 8601. The item and update downloads take the same filters as the item "
        "list (`/items.csv?source=JAY&rag=red`); the changes downloads take `from` and `to` as the changes page does.",
    ]
    for heading, url_names, help_texts in DOCUMENTED_DOWNLOADS:
        addresses = ", ".join(f"`{reverse(name)}`" for name in url_names)
        lines += ["", f"## {heading}", "", addresses, "", "| field | meaning |", "|---|---|"]
        lines += [f"| `{field}` | {_markdown_cell(meaning)} |" for field, meaning in help_texts.items()]
    return "\n".join(lines) + "\n"
