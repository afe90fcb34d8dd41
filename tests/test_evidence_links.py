"""Evidence links show where they really go: no hidden user names, no invisible
characters, and look-alike host names shown in their ASCII form."""
import datetime

import pytest
from django.urls import reverse

from recommendations.models import shown_host
from recommendations.services import workflow
from tests.workflow_helpers import approved, draft, update_form

pytestmark = pytest.mark.django_db

DECEPTIVE = [
    ("https://trusted.example@other.example/report.pdf", "Remove the part before “@”"),
    ("https://user:secret@other.example/report.pdf", "Remove the part before “@”"),
    ("https://example.org/\u202efdp.exe", "invisible formatting characters"),
    ("https://exa\u200bmple.org/report.pdf", "invisible formatting characters"),
]
# "аpple.example" with a Cyrillic "а": mixed scripts, a look-alike.
LOOK_ALIKE = "https://\u0430pple.example/report.pdf"


def link(url):
    return workflow.EvidenceInput(title="Audit report", url=url, date=datetime.date(2015, 5, 1))


@pytest.mark.parametrize("url, message", DECEPTIVE)
def test_deceptive_links_are_refused_by_the_service(council_officer, council_item, url, message):
    with pytest.raises(workflow.WorkflowError, match=message):
        draft(council_officer, council_item, evidence=[link(url)])
    assert not council_item.updates.exists()


@pytest.mark.parametrize("url, message", DECEPTIVE)
def test_deceptive_links_are_refused_by_the_form(client, council_officer, council_item, url, message):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]), update_form(**{
        "evidence-0-title": "Audit report", "evidence-0-url": url, "evidence-0-date": "2015-05-01",
    }))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not council_item.updates.exists()


def test_the_shown_host_is_the_real_one():
    assert shown_host("https://www.rotherham.gov.uk/report.pdf") == "www.rotherham.gov.uk"
    assert shown_host(LOOK_ALIKE) == "xn--pple-43d.example"
    assert shown_host("https://bücher.example/") == "bücher.example"  # one script: shown as written


def test_the_real_host_is_beside_every_link_for_the_reviewer_and_the_public(client, council_officer, reviewer,
                                                                               council_item):
    update = approved(council_officer, reviewer, council_item, evidence=[link(LOOK_ALIKE)])
    client.force_login(reviewer)
    assert "(xn--pple-43d.example)" in client.get(reverse("workflow:review-update", args=[update.pk])).content.decode()
    client.logout()
    assert "(xn--pple-43d.example)" in client.get(council_item.get_absolute_url()).content.decode()
