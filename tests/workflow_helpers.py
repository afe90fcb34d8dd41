"""Building blocks for the workflow tests: updates in each state, made through the real service."""
import datetime

from django.utils import timezone

from recommendations.services import workflow

EVIDENCE = workflow.EvidenceInput(
    title="Multi-agency CSE audit report", url="https://example.org/audit.pdf", date=datetime.date(2015, 5, 1)
)


def draft(officer, item, **changes):
    fields = {"narrative": "Risk assessments now cover every open CSE case.", "proposed_status": "in_progress",
              "proposed_rag": "amber"}
    fields.update(changes)
    return workflow.save_draft(officer, item, **fields)


def edit(officer, update, **changes):
    """Save an existing draft or returned update again, as the form does, with some changes."""
    fields = {"narrative": update.narrative, "proposed_status": update.proposed_status,
              "proposed_rag": update.proposed_rag, "proposed_target_date": update.proposed_target_date,
              "target_date_reason": update.target_date_reason}
    fields.update(changes)
    return workflow.save_draft(officer, update.item, update=update, expected_version=update.version, **fields)


def submitted(officer, item, **changes):
    update = draft(officer, item, **changes)
    return workflow.submit(officer, update, update.version)


def approved(officer, reviewer, item, **changes):
    update = submitted(officer, item, **changes)
    return workflow.approve(reviewer, update, update.version)


def days_ahead(days):
    """A target date `days` from today: new target dates are never in the past."""
    return timezone.localdate() + datetime.timedelta(days=days)


def reopen(reviewer, item, reason="The re-audit found gaps.", status="in_progress", rag="amber", target_date=None):
    """Reopen an assured item with a new RAG rating and a new target date (by default a year ahead)."""
    return workflow.reopen(reviewer, item, reason, status, rag=rag, target_date=target_date or days_ahead(365))


DATE_FIELDS = ("proposed_target_date", "target_date", "date", "period_start", "period_end")


def date_input(name, value):
    """A GOV.UK date input's three boxes as posted: `value` is a date, an ISO date
    string, a (day, month, year) tuple of what was typed, or "" for nothing."""
    if isinstance(value, datetime.date):
        value = (value.day, value.month, value.year)
    elif isinstance(value, str):
        value = tuple(reversed(value.split("-"))) if value else ("", "", "")
    return {f"{name}_{part}": str(typed) for part, typed in zip(("day", "month", "year"), value)}


def with_date_inputs(data):
    """The post with every date field (by name) given as its three boxes."""
    posted = {}
    for name, value in data.items():
        if name.rsplit("-", 1)[-1] in DATE_FIELDS:
            posted.update(date_input(name, value))
        else:
            posted[name] = value
    return posted


def update_form(**overrides):
    """A valid progress update form post with one blank evidence row. Dates may be given
    as dates or ISO strings: they are posted as the date input's three boxes."""
    data = {
        "narrative": "A new template is in use for every case.",
        "proposed_status": "in_progress",
        "proposed_rag": "amber",
        "proposed_target_date": "",
        "target_date_reason": "",
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "0",
        "evidence-0-title": "",
        "evidence-0-url": "",
        "evidence-0-date": "",
    }
    data.update(overrides)
    return with_date_inputs(data)


def assure(reviewer, item, narrative="The board read the audit report.", strength="audited"):
    """Assure an item as a reviewer who checked every one of its published evidence links."""
    checked = [link.pk for link in workflow.published_evidence(item)]
    return workflow.assure(reviewer, item, narrative, strength=strength, checked=checked,
                           no_links_confirmed=not checked)


def assure_form(item, **overrides):
    """A valid post of the assurance form: a strength, and every published link ticked
    (or, for an item with none, the explicit confirmation)."""
    checked = [link.pk for link in workflow.published_evidence(item)]
    data = {"narrative": "The board read the audit report.", "evidence_strength": "audited"}
    data.update({"evidence_checked": checked} if checked else {"no_links_confirmed": "on"})
    data.update(overrides)
    return data
