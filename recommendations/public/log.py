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
# Kinds of entry that are decisions of the improvement board, as a meeting's public page lists them
# (public/board.py), with how each reads there. A new kind of board decision is one more line here.
BOARD_DECISIONS = {
    Kind.PUBLICATION: "Progress update approved and published",
    Kind.ASSURANCE: "Assured and closed",
    Kind.REOPENING: "Reopened",
    Kind.CORRECTION: "Corrected",
    Kind.CLOSURE: "Closed without being implemented",
    Kind.FEEDBACK: "Answered the public's feedback (you said, we did)",
}


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
