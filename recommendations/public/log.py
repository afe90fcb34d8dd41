"""
Reading the publication log: what the public pages, the open data and the
record as at a date read of it. Writing it is services/publication_log.py's.
"""
import json

from recommendations.models import PublicationLogEntry

Kind = PublicationLogEntry.Kind
GENESIS = "0" * 64
FORMAT = 2  # entries whose content carries the full public state
# Kinds of entry that change the record outside the review workflow: listed on /changes/ with their reasons.
RECORD_CHANGES = (Kind.ADDED, Kind.CHANGE, Kind.VERIFICATION)


def read_content(content):
    """An entry's content as a format-2 dict ("item", "source", "update", "changed", "reason");
    older entries' content is wrapped: an update as {"update": ...}, a verification as
    {"verification": ...}."""
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    if data.get("format") == FORMAT:
        return data
    return {"verification": data} if "official_wording" in data else {"update": data}
