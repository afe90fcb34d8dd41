"""Shared pieces for the hostile-input tests (tests/test_hostile_*.py)."""
import markupsafe
from django.urls import reverse
from django.utils.html import escape

from recommendations.models import Action, EvidenceLink, Item, ProgressUpdate, Source
from tests.workflow_helpers import update_form

# Text that would run as script if a page printed it unescaped. `core` is the
# part that must never reach a page as markup.
SCRIPT_PAYLOADS = [
    ("<script>alert(1)</script>", "<script>alert(1)"),
    ('"><img src=x onerror=alert(1)>', "<img src=x onerror"),
]


def assert_escaped(response, payload, core, shown=True):
    """The payload is on the page only in its escaped form (and is there, if `shown`)."""
    content = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert core not in content
    assert payload not in content
    if shown:  # escaped as Django's templates or as Jinja2 (markupsafe: &#34; and &#39; for " and ')
        assert escape(payload) in content or markupsafe.escape(payload) in content


def snapshot():
    """Everything a hostile request could change: rows, their fields and their history."""
    return {
        "updates": sorted(ProgressUpdate.objects.values_list(
            "pk", "item_id", "state", "version", "narrative", "proposed_status", "proposed_rag",
            "proposed_target_date", "target_date_reason", "review_comment",
        )),
        "evidence": sorted(EvidenceLink.objects.values_list("pk", "update_id", "title", "url", "date")),
        "items": sorted(Item.objects.values_list(
            "pk", "title", "lead_role", "status", "rag", "current_target_date", "baseline_target_date",
        )),
        "sources": Source.objects.count(),
        "actions": Action.objects.count(),
        "history": (Item.history.count(), ProgressUpdate.history.count(), EvidenceLink.history.count()),
    }


def with_evidence(title="Audit report", url="https://example.org/audit.pdf", date="2015-05-01", **overrides):
    return update_form(**{"evidence-0-title": title, "evidence-0-url": url, "evidence-0-date": date}, **overrides)


def new_update_url(item):
    return reverse("workflow:update-new", args=[item.reference])


def board_urls():
    """Every board dashboard page (the "as at" one with a valid past date)."""
    return [reverse("board:overview"), reverse("board:owners"), reverse("board:trend"), reverse("board:overlap"),
            reverse("board:as-at") + "?day=1&month=1&year=2015"]
