"""A returned update comes first (#21 point 11): *My items* counts a draft not yet submitted
as needing attention, and an organisation's drafts and returned updates are its own (a partner
on the item is not asked to act on them); the item's workspace puts the board's comment on a
returned update at the top, for the officers who change it (the browser test checks it is
above every button: tests/test_returned_first_browser.py)."""
import pytest
from django.urls import reverse

from recommendations.models import Item
from recommendations.services import workflow
from tests.workflow_helpers import draft, submitted

pytestmark = pytest.mark.django_db

COMMENT = "Say how many children's cases the panel has reviewed."


def my_items(client, officer):
    client.force_login(officer)
    return client.get(reverse("workflow:my-items"))


def reasons(response, reference):
    return [reason.key for item in response.context["items"] if item.reference == reference
            for reason in item.reasons]


def test_a_draft_not_yet_submitted_needs_attention(client, council_officer, council_item):
    assert my_items(client, council_officer).context["attention_count"] == 0  # nothing needs attention in the seeds
    draft(council_officer, council_item)
    response = my_items(client, council_officer)
    assert response.context["attention_count"] == 1
    assert reasons(response, council_item.reference) == ["draft"]
    assert response.context["items"][0].reference == council_item.reference  # listed first
    page = response.content.decode()
    assert "1 item needs your attention" in page
    assert "A draft update has not been submitted: submit it to the board or discard it" in page


def test_a_returned_update_comes_before_a_draft(client, council_officer, reviewer, council_item):
    other = Item.objects.get(reference="JAY-01")
    draft(council_officer, other)
    returned = submitted(council_officer, council_item)
    workflow.return_update(reviewer, returned, returned.version, COMMENT)
    response = my_items(client, council_officer)
    assert [item.reference for item in response.context["items"][:2]] == [council_item.reference, other.reference]
    assert response.context["attention_count"] == 2


def test_a_partners_draft_and_returned_update_are_not_ours(client, council_officer, police_officer, reviewer):
    """JAY-04 is the police's; the council works on it with them (ACT-01)."""
    shared = Item.objects.get(reference="JAY-04")
    returned = submitted(police_officer, shared)
    workflow.return_update(reviewer, returned, returned.version, COMMENT)
    draft(police_officer, Item.objects.get(reference="JAY-05"))
    council = my_items(client, council_officer)
    assert reasons(council, "JAY-04") == [] and reasons(council, "JAY-05") == []
    page = council.content.decode()
    assert "returned by the board" not in page and "draft" not in page.lower()
    assert reasons(my_items(client, police_officer), "JAY-04") == ["returned"]


def test_the_workspace_opens_with_the_boards_comment(client, council_officer, reviewer, council_item):
    returned = submitted(council_officer, council_item)
    workflow.return_update(reviewer, returned, returned.version, COMMENT)
    url = reverse("workflow:item", args=[council_item.reference])
    client.force_login(council_officer)
    main = client.get(url).content.decode().split("<main", 1)[1]
    banner = main.index("Returned by the board")
    assert banner < main.index(COMMENT.replace("'", "&#x27;")) < main.index("govuk-button")
    assert reverse("workflow:update-edit", args=[returned.pk]) in main[banner:main.index("govuk-button")]
    # The board sees the comment with the update, not as a message to act on.
    client.force_login(reviewer)
    assert "Returned by the board" not in client.get(url).content.decode()
