"""Building blocks for the workflow tests: updates in each state, made through the real service."""
import datetime

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


def update_form(**overrides):
    """A valid progress update form post with one blank evidence row."""
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
    return data
