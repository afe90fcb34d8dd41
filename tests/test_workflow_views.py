"""The workflow screens for every role: who sees what, and what a form post changes."""
import pytest
from django.urls import reverse

from recommendations.models import Item, ProgressUpdate, User
from recommendations.services import workflow
from tests.workflow_helpers import EVIDENCE, approved, assure_form, days_ahead, submitted, update_form

pytestmark = pytest.mark.django_db
State = ProgressUpdate.State

ROLES = ["anonymous", "council_officer", "police_officer", "reviewer", "administrator", "no_role"]

# url name -> expected GET status per role, in ROLES order. 302 is the sign-in
# redirect; 404 hides other organisations' work; 403 is the wrong role for
# something the user can see.
EXPECTED = {
    "my-items":      [302, 200, 200, 200, 403, 403],
    "review-queue":  [302, 403, 403, 200, 403, 403],
    "item":          [302, 200, 404, 200, 200, 404],
    "update-new":    [302, 200, 404, 403, 403, 404],
    "update-edit":   [302, 200, 404, 403, 403, 404],
    "update-submit": [302, 200, 404, 403, 403, 404],
    "update-discard": [302, 200, 404, 403, 403, 404],
    "review-update": [302, 403, 404, 200, 403, 404],
    "assure":        [302, 403, 404, 200, 403, 404],
    "reopen":        [302, 403, 404, 200, 403, 404],
    "correct":       [302, 403, 404, 200, 403, 404],
}


@pytest.fixture
def no_role(seeded):
    return User.objects.create_user("no-role", password="correct-horse-battery")


@pytest.fixture
def urls(council_draft, council_submitted, implemented_item, council_item):
    return {
        "my-items": reverse("workflow:my-items"),
        "review-queue": reverse("workflow:review-queue"),
        "item": reverse("workflow:item", args=[council_item.reference]),
        # An item the council has no open update on (council_draft is on JAY-03).
        "update-new": reverse("workflow:update-new", args=["JAY-07"]),
        "update-edit": reverse("workflow:update-edit", args=[council_draft.pk]),
        "update-submit": reverse("workflow:update-submit", args=[council_draft.pk]),
        "review-update": reverse("workflow:review-update", args=[council_submitted.pk]),
        "assure": reverse("workflow:assure", args=[implemented_item.reference]),
        "update-discard": reverse("workflow:update-discard", args=[council_draft.pk]),
        "reopen": reverse("workflow:reopen", args=[implemented_item.reference]),
        "correct": reverse("workflow:correct", args=[implemented_item.reference]),
    }


def _client_for(role, request, client):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _snapshot():
    """Everything a workflow post could change."""
    return (
        sorted(ProgressUpdate.objects.values_list("pk", "state", "version", "narrative")),
        sorted(Item.objects.values_list("pk", "status", "rag", "current_target_date")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", EXPECTED)
def test_every_role_gets_the_right_answer_on_every_url(request, client, urls, role, name):
    client = _client_for(role, request, client)
    response = client.get(urls[name])
    expected = EXPECTED[name][ROLES.index(role)]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


FORBIDDEN_POSTS = [(name, role) for name, codes in EXPECTED.items() for role, code in zip(ROLES, codes)
                   if code != 200]


@pytest.mark.parametrize("name,role", FORBIDDEN_POSTS)
def test_a_forbidden_post_changes_nothing(request, client, urls, name, role, council_draft, council_submitted):
    client = _client_for(role, request, client)
    before = _snapshot()
    data = {
        "narrative": "Forged", "proposed_status": "implemented", "version": council_submitted.version,
        "decision": "approve", "comment": "Forged", "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
    }
    response = client.post(urls[name], data)
    assert response.status_code == EXPECTED[name][ROLES.index(role)]
    assert _snapshot() == before


def test_public_item_pages_stay_open_but_workspaces_need_sign_in(client, council_item):
    assert client.get(council_item.get_absolute_url()).status_code == 200
    assert client.get(reverse("workflow:item", args=[council_item.reference])).status_code == 302


def test_my_items_lists_attention_first(client, council_officer, reviewer, council_item):
    update = submitted(council_officer, council_item)
    workflow.return_update(reviewer, update, update.version, "Add evidence.")
    overdue = Item.objects.get(reference="JAY-02")
    Item.objects.filter(pk=overdue.pk).update(current_target_date="2015-01-31")
    client.force_login(council_officer)
    response = client.get(reverse("workflow:my-items"))
    references = [item.reference for item in response.context["items"]]
    assert references[:2] == ["JAY-03", "JAY-02"]  # the returned update first, then overdue
    assert "OFSTED-F1" in references  # owned by the council
    assert "JAY-04" in references  # the police's item, worked on with them through ACT-01
    assert len(references) == len(set(references))
    assert b"An update was returned by the board" in response.content


def test_my_items_uses_a_fixed_number_of_queries(client, council_officer, reviewer, django_assert_num_queries):
    client.force_login(council_officer)
    client.get(reverse("workflow:my-items"))  # warm the session
    # session, user, groups, two-factor device, organisation, items with their progress
    with django_assert_num_queries(6):
        client.get(reverse("workflow:my-items"))
    for reference in ["JAY-01", "JAY-02", "JAY-07"]:
        submitted(council_officer, Item.objects.get(reference=reference), evidence=[EVIDENCE])
    with django_assert_num_queries(6):
        client.get(reverse("workflow:my-items"))


def test_review_queue_is_oldest_first_in_fixed_queries(client, council_officer, police_officer, reviewer,
                                                       django_assert_num_queries):
    first = submitted(police_officer, Item.objects.get(reference="JAY-04"))
    second = submitted(council_officer, Item.objects.get(reference="JAY-01"))
    client.force_login(reviewer)
    # sign-in (4), the queue, who worked on the queued updates (separation of duties)
    with django_assert_num_queries(6):
        response = client.get(reverse("workflow:review-queue"))
    assert list(response.context["updates"]) == [first, second]
    submitted(council_officer, Item.objects.get(reference="JAY-02"))
    with django_assert_num_queries(6):
        client.get(reverse("workflow:review-queue"))


def test_workspace_and_review_pages_use_fixed_queries(client, council_officer, reviewer, council_item,
                                                      django_assert_max_num_queries):
    update = submitted(council_officer, council_item, evidence=[EVIDENCE])
    client.force_login(reviewer)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("workflow:item", args=[council_item.reference]))
    workflow.approve(reviewer, update, update.version)
    for _ in range(3):
        approved(council_officer, reviewer, council_item, evidence=[EVIDENCE, EVIDENCE])
    update = submitted(council_officer, council_item, evidence=[EVIDENCE])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("workflow:item", args=[council_item.reference]))
    with django_assert_max_num_queries(11):
        client.get(reverse("workflow:review-update", args=[update.pk]))


def test_officer_writes_a_draft_with_evidence(client, council_officer, council_item):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]), update_form(**{
        "evidence-0-title": "Audit report", "evidence-0-url": "https://example.org/audit.pdf",
        "evidence-0-date": "2015-05-01",
    }), follow=True)
    update = ProgressUpdate.objects.get(item=council_item)
    assert (update.state, update.author, update.evidence.get().title) == (State.DRAFT, council_officer, "Audit report")
    assert b"draft update on JAY-03 has been saved" in response.content


def test_add_another_link_shows_one_more_row_and_saves_nothing(client, council_officer, council_item):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                           update_form(add_link="1", **{"evidence-0-title": "Kept"}))
    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 2
    assert b'value="Kept"' in response.content
    assert b"A new template is in use" in response.content
    assert not ProgressUpdate.objects.exists()


def test_form_errors_are_shown_and_nothing_is_saved(client, council_officer, council_item):
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]), update_form(**{
        "narrative": "", "evidence-0-title": "Half a link", "evidence-0-url": "ftp://example.org/x",
    }))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Describe the progress made" in content
    assert "Evidence link 1: Enter a web address that starts with http:// or https://" in content
    assert "Evidence link 1: Enter the date of the document" in content
    assert not ProgressUpdate.objects.exists()


def test_a_service_rule_is_shown_next_to_its_field(client, council_officer, reviewer, council_item):
    # Give the item a target date, then try to move it without a reason.
    approved(council_officer, reviewer, council_item, proposed_target_date=days_ahead(90))
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                           update_form(proposed_target_date=days_ahead(270)))
    assert response.context["form"].errors["target_date_reason"] == ["Say why the target date is changing."]


def test_edit_with_a_stale_version_is_refused_and_changes_nothing(client, council_officer, council_draft):
    client.force_login(council_officer)
    url = reverse("workflow:update-edit", args=[council_draft.pk])
    client.post(url, update_form(version=council_draft.version, narrative="First tab"))
    response = client.post(url, update_form(version=council_draft.version, narrative="Second tab"))
    assert response.status_code == 409
    assert b"Someone else changed this update" in response.content
    assert b"Second tab" in response.content  # what they typed is still on the page
    council_draft.refresh_from_db()
    assert council_draft.narrative == "First tab"


def test_officer_removes_evidence_from_a_draft(client, council_officer, council_item):
    update = workflow.save_draft(council_officer, council_item, narrative="x", proposed_status="in_progress",
                                 evidence=[EVIDENCE])
    link = update.evidence.get()
    client.force_login(council_officer)
    client.post(reverse("workflow:update-edit", args=[update.pk]),
                update_form(version=update.version, remove_evidence=[link.pk]))
    assert not update.evidence.exists()


def test_submit_check_page_then_submit(client, council_officer, council_draft, mailoutbox, reviewer,
                                       django_capture_on_commit_callbacks):
    client.force_login(council_officer)
    url = reverse("workflow:update-submit", args=[council_draft.pk])
    assert b"Check your update before you submit it" in client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": council_draft.version})
    assert response.status_code == 302
    council_draft.refresh_from_db()
    assert council_draft.state == State.SUBMITTED
    assert mailoutbox[0].to == [reviewer.email]


def test_implemented_without_evidence_is_refused_on_the_form(client, council_officer, council_item):
    """Before any check page: the error summary links to the evidence field."""
    client.force_login(council_officer)
    response = client.post(reverse("workflow:update-new", args=[council_item.reference]),
                           update_form(proposed_status="implemented", proposed_rag="green", **{"continue": "1"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#id_evidence-0-url">Evidence link 1: Add at least one evidence link' in page
    assert page.count("Add at least one evidence link") >= 2  # in the summary and by the field
    assert not council_item.updates.exists()


def test_reviewer_approves(client, reviewer, council_submitted):
    client.force_login(reviewer)
    response = client.post(reverse("workflow:review-update", args=[council_submitted.pk]),
                           {"decision": "approve", "version": council_submitted.version}, follow=True)
    assert b"approved and published" in response.content
    council_submitted.item.refresh_from_db()
    assert council_submitted.item.status == "in_progress"


def test_returning_needs_a_comment(client, reviewer, council_submitted):
    client.force_login(reviewer)
    url = reverse("workflow:review-update", args=[council_submitted.pk])
    response = client.post(url, {"decision": "return", "comment": " ", "version": council_submitted.version})
    assert response.status_code == 200
    assert "Say what the officer needs to change" in response.context["form"].errors["comment"][0]
    council_submitted.refresh_from_db()
    assert council_submitted.state == State.SUBMITTED
    client.post(url, {"decision": "return", "comment": "Add the audit.", "version": council_submitted.version})
    council_submitted.refresh_from_db()
    assert (council_submitted.state, council_submitted.review_comment) == (State.RETURNED, "Add the audit.")


def test_second_reviewer_is_told_and_their_comment_is_shown_back(client, reviewer, second_reviewer, council_submitted):
    version = council_submitted.version
    url = reverse("workflow:review-update", args=[council_submitted.pk])
    client.force_login(reviewer)
    client.post(url, {"decision": "approve", "version": version})
    client.force_login(second_reviewer)
    response = client.post(url, {"decision": "return", "comment": "Please add more.", "version": version})
    assert response.status_code == 409
    assert b"Someone else changed this update" in response.content
    assert b"Please add more." in response.content
    council_submitted.refresh_from_db()
    assert (council_submitted.state, council_submitted.reviewer) == (State.APPROVED, reviewer)


def test_reviewer_assures_an_implemented_item(client, reviewer, implemented_item):
    client.force_login(reviewer)
    url = reverse("workflow:assure", args=[implemented_item.reference])
    assert client.post(url, {"narrative": ""}).status_code == 200
    client.post(url, assure_form(implemented_item, narrative="The board checked the audit."))
    implemented_item.refresh_from_db()
    assert implemented_item.status == Item.Status.ASSURED


def test_navigation_shows_each_role_its_own_pages(client, council_officer, reviewer):
    client.force_login(council_officer)
    content = client.get(reverse("workflow:my-items")).content.decode()
    assert "Review queue" not in content
    client.force_login(reviewer)
    content = client.get(reverse("workflow:review-queue")).content.decode()
    assert ">My items<" not in content


def test_sign_in_sends_each_role_to_its_start_page(client, council_officer, reviewer):
    response = client.post(reverse("login"), {"username": reviewer.username, "password": "correct-horse-battery"},
                           follow=True)
    assert response.resolver_match.view_name == "workflow:my-items"
    assert "Your review work" in response.content.decode()
    client.logout()
    response = client.post(reverse("login"), {"username": council_officer.username,
                                              "password": "correct-horse-battery"}, follow=True)
    assert response.resolver_match.view_name == "workflow:my-items"


def test_reviewers_have_a_home_with_their_work(client, council_officer, police_officer, reviewer, implemented_item,
                                               django_assert_num_queries):
    waiting = submitted(police_officer, Item.objects.get(reference="JAY-04"))
    came_back = submitted(council_officer, Item.objects.get(reference="JAY-01"))
    workflow.return_update(reviewer, came_back, came_back.version, "Add the minutes.")
    came_back.refresh_from_db()
    workflow.submit(council_officer, came_back, came_back.version)
    client.force_login(reviewer)
    # sign-in (4), then queue, came back, who worked on them, ready to assure, decisions
    with django_assert_num_queries(9):
        response = client.get(reverse("workflow:my-items"))
    context = response.context
    assert [update.pk for update in context["queue"]] == [waiting.pk, came_back.pk]  # oldest first
    assert [update.pk for update in context["came_back"]] == [came_back.pk]
    assert [item.reference for item in context["ready_to_assure"]] == [implemented_item.reference]
    assert {update.item.reference for update in context["decisions"]} == {"JAY-02"}  # approved by this reviewer
    page = response.content.decode()
    assert "Your review work" in page and reverse("workflow:assure", args=[implemented_item.reference]) in page
