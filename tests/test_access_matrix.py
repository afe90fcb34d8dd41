"""
Every URL in the project, requested as every role.

The URL patterns come from the resolver, not from a hand-written list, so a
new page without an entry in EXPECTED fails this test until someone decides
who may see it. Each response is also searched for unpublished content and
personal details that the role must not see.
"""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from recommendations.models import IndicatorValue, ProgressUpdate, User
from recommendations.services import alerts, feedback
from recommendations.services.demo import load_demo
from tests.helpers import demo_date

ROLES = ["anonymous", "council_officer", "police_officer", "reviewer", "administrator"]
DEMO_USERS = {
    "council_officer": "demo-council-officer",
    "police_officer": "demo-police-officer",
    "reviewer": "demo-reviewer",
    "administrator": "demo-admin",
}

OK, FOUND, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 302, 403, 404, 405
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN_ONLY = {"anonymous": FOUND, "council_officer": OK, "police_officer": OK, "reviewer": OK, "administrator": OK}
BOARD = SIGNED_IN_ONLY
# Work on a council item (JAY-10 has a council draft): the police do not work
# on it, so for them it does not exist.
COUNCIL_WORK = {
    "anonymous": FOUND, "council_officer": OK, "police_officer": MISSING, "reviewer": FORBIDDEN,
    "administrator": FORBIDDEN,
}
# The board's decisions (review, assure, correct, reopen, close): the reviewer's alone. The
# police do not work on the items used, so for them they do not exist.
BOARD_DECISION = {
    "anonymous": FOUND, "council_officer": FORBIDDEN, "police_officer": MISSING, "reviewer": OK,
    "administrator": FORBIDDEN,
}
REVIEWERS_ONLY = {
    "anonymous": FOUND, "council_officer": FORBIDDEN, "police_officer": FORBIDDEN, "reviewer": OK,
    "administrator": FORBIDDEN,
}

# Expected status per URL name and role. Administrators run /admin/; the
# workflow belongs to officers and reviewers (see docs/features.md, "Workflow").
EXPECTED = {
    "public:home": PUBLIC,
    "public:item-list": PUBLIC,
    "public:items-csv": PUBLIC,
    "public:items-json": PUBLIC,
    "public:item-detail": PUBLIC,
    "public:updates-csv": PUBLIC,
    "public:updates-json": PUBLIC,
    "public:feed": PUBLIC,
    "public:source-list": PUBLIC,
    "public:source-detail": PUBLIC,
    "public:theme-list": PUBLIC,
    "public:theme-detail": PUBLIC,
    "public:accessibility": PUBLIC,
    "public:glossary": PUBLIC,
    "public:open-data": PUBLIC,
    "public:publication-log": PUBLIC,
    "public:publication-log-csv": PUBLIC,
    "public:publication-log-json": PUBLIC,
    "public:publication-log-feed": PUBLIC,
    "public:item-feed": PUBLIC,
    "public:source-feed": PUBLIC,
    "public:source-report": PUBLIC,
    "public:source-report-odt": PUBLIC,
    "public:theme-feed": PUBLIC,
    # E-mail alerts: no account, the link in the e-mail is the key.
    "alerts:subscribe": PUBLIC,
    "alerts:requested": PUBLIC,
    "alerts:confirm": PUBLIC,
    "alerts:unsubscribe": PUBLIC,
    "alerts:manage": PUBLIC,
    # "Is this right? Tell the board": anyone, without an account.
    "public:tell-the-board": PUBLIC,
    "public:feedback-sent": PUBLIC,
    # The public's feedback: the board's reviewers only (administrators see none of it).
    "workflow:feedback-queue": REVIEWERS_ONLY,
    "workflow:feedback-safeguarding": REVIEWERS_ONLY,
    "workflow:feedback-decide": REVIEWERS_ONLY,
    "public:contact": PUBLIC,
    "public:privacy": PUBLIC,
    "public:as-at-choose": PUBLIC,
    "public:as-at": PUBLIC,
    "public:changes": PUBLIC,
    "public:changes-csv": PUBLIC,
    "public:changes-json": PUBLIC,
    # The improvement board in the open: its members, meetings, decisions and published packs.
    "public:board": PUBLIC,
    "public:board-meeting": PUBLIC,
    "public:board-meeting-pack": PUBLIC,
    "public:indicators-csv": PUBLIC,
    "public:indicators-json": PUBLIC,
    "public:indicator-values-csv": PUBLIC,
    "public:indicator-values-json": PUBLIC,
    # Officers' items, or the reviewer's desk.
    "workflow:my-items": {
        "anonymous": FOUND, "council_officer": OK, "police_officer": OK, "reviewer": OK,
        "administrator": FORBIDDEN,
    },
    "workflow:review-queue": {
        "anonymous": FOUND, "council_officer": FORBIDDEN, "police_officer": FORBIDDEN, "reviewer": OK,
        "administrator": FORBIDDEN,
    },
    "workflow:item": {
        "anonymous": FOUND, "council_officer": OK, "police_officer": MISSING, "reviewer": OK,
        "administrator": OK,
    },
    "workflow:update-new": COUNCIL_WORK,
    "workflow:update-edit": COUNCIL_WORK,
    "workflow:update-submit": COUNCIL_WORK,
    "workflow:update-discard": COUNCIL_WORK,
    "workflow:review-update": BOARD_DECISION,
    "workflow:assure": BOARD_DECISION,
    "workflow:correct": BOARD_DECISION,
    "workflow:reopen": BOARD_DECISION,
    "workflow:close": BOARD_DECISION,
    # Publishing a meeting's pack as its public record: a decision of the board, its reviewers' alone.
    "workflow:meetings": REVIEWERS_ONLY,
    "workflow:publish-meeting-pack": REVIEWERS_ONLY,
    # Outcome indicators' values: an officer's list, or the reviewer's values to review.
    "workflow:indicator-values": {
        "anonymous": FOUND, "council_officer": OK, "police_officer": OK, "reviewer": OK,
        "administrator": FORBIDDEN,
    },
    # Reporting a value of an indicator linked to a council item only (indicators are public: no 404).
    "workflow:value-new": {
        "anonymous": FOUND, "council_officer": OK, "police_officer": FORBIDDEN, "reviewer": FORBIDDEN,
        "administrator": FORBIDDEN,
    },
    # The council's draft value (the police report the same indicator, but not this value).
    "workflow:value-edit": COUNCIL_WORK,
    "workflow:value-submit": COUNCIL_WORK,
    "workflow:value-discard": COUNCIL_WORK,
    "workflow:review-value": BOARD_DECISION,
    "board:overview": BOARD,
    "board:overview-csv": BOARD,
    "board:owners": BOARD,
    "board:owners-csv": BOARD,
    "board:trend": BOARD,
    "board:trend-csv": BOARD,
    "board:overlap": BOARD,
    "board:overlap-csv": BOARD,
    "board:assurance": BOARD,
    "board:assurance-csv": BOARD,
    "board:as-at": BOARD,
    "board:as-at-csv": BOARD,
    "board:pack": BOARD,
    "board:pack-csv": BOARD,
    "login": PUBLIC,
    # For load balancers and monitoring: the database's and the cache's state, nothing personal.
    "healthz": PUBLIC,
    # Signing out is a POST (a link could sign people out from another site).
    "logout": dict.fromkeys(ROLES, NOT_ALLOWED),
    "signed-in-home": dict.fromkeys(ROLES, FOUND),
    "password_change": SIGNED_IN_ONLY,
    "password_change_done": SIGNED_IN_ONLY,
    "two-factor-setup": SIGNED_IN_ONLY,
    # With no authenticator app set up yet, the code page sends people to set one up.
    "two-factor-verify": dict.fromkeys(ROLES, FOUND),
}

# Values for the URL parameters, by URL name where one name needs its own.
# OFSTED-F3: the council's implemented item; JAY-07: a council item with no open update
# (on JAY-10 "new update" takes the council to its draft).
REFERENCES = {"workflow:assure": "OFSTED-F3", "workflow:update-new": "JAY-07"}
TABLES = {
    "board:overview-csv": "status-by-source",
    "board:owners-csv": "status-by-organisation",
    "board:trend-csv": "trend-jay",
    "board:overlap-csv": "actions-by-source",
    "board:assurance-csv": "assured-items",
    "board:as-at-csv": "status-by-source",
    "board:pack-csv": "decisions",
}
# The demo's board meetings (fixtures/demo.yaml): the one 100 days ago has its pack published, the one
# 20 days ago not yet.
MEETING_DAYS = {
    "public:board-meeting": lambda: demo_date(-100).isoformat(),
    "public:board-meeting-pack": lambda: demo_date(-100).isoformat(),
    "workflow:publish-meeting-pack": lambda: demo_date(-20).isoformat(),
}
QUERIES = {"board:as-at": "?day=1&month=6&year=2015", "board:as-at-csv": "?day=1&month=6&year=2015",
           "alerts:subscribe": "?item=JAY-10"}

# Unpublished demo content (fixtures/demo.yaml) and personal details.
DRAFT = "First quarterly audit of CSE cases is being planned"
SUBMITTED = "Placements out of the area are now reviewed monthly"
RETURNED_COMMENT = "Please add evidence that the meetings change case outcomes"
PERSONAL = ["demo-council-officer", "demo-police-officer", "demo-reviewer", "demo-admin", "@example.org"]
# The public's feedback, as its sender wrote it: for the board's reviewers only.
FEEDBACK_TEXT = "zqfeedbacktextzq"
FEEDBACK_ADDRESS = "zqfeedbackaddress@example.net"
MUST_NOT_SEE = {
    "anonymous": [DRAFT, SUBMITTED, RETURNED_COMMENT, FEEDBACK_TEXT, FEEDBACK_ADDRESS] + PERSONAL,
    "police_officer": [DRAFT, SUBMITTED, RETURNED_COMMENT, "demo-council-officer", FEEDBACK_TEXT, FEEDBACK_ADDRESS],
    "council_officer": [FEEDBACK_TEXT, FEEDBACK_ADDRESS],
    "administrator": [FEEDBACK_TEXT, FEEDBACK_ADDRESS],
}


def all_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else None, prefix + str(pattern.pattern), pattern


def fill(route, name, values):
    """Turn a route (path or regex syntax) into a concrete URL."""
    def value(param):
        return str(values[param](name))

    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\", "")


@pytest.fixture
def demo(seeded, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo(settings.BASE_DIR / "fixtures" / "demo.yaml")
    draft = ProgressUpdate.objects.get(narrative__contains=DRAFT)
    submitted = ProgressUpdate.objects.get(narrative__contains=SUBMITTED)
    values = {"workflow:review-value": IndicatorValue.objects.get(state="submitted").pk}
    values.update(dict.fromkeys(("workflow:value-edit", "workflow:value-submit", "workflow:value-discard"),
                                IndicatorValue.objects.get(state="draft").pk))
    # Not on the staff's domain: the manage page shows the reader their own address.
    subscription = alerts.subscribe("reader@example.net", "item", "JAY-10", "daily")
    public_feedback = feedback.receive("JAY-10", f"{FEEDBACK_TEXT} is not what is happening", FEEDBACK_ADDRESS,
                                       "198.51.100.1")
    tokens = {"alerts:confirm": alerts.confirm_token(subscription, "daily"),
              "alerts:unsubscribe": alerts.unsubscribe_token(subscription),
              "alerts:manage": alerts.manage_token(subscription)}
    return {
        "reference": lambda name: REFERENCES.get(name, "JAY-10"),
        "code": lambda name: "JAY",
        "slug": lambda name: "lac-visits-on-time" if name == "workflow:value-new" else "looked-after-children",
        "pk": lambda name: values.get(name) or (submitted.pk if name == "workflow:review-update" else draft.pk),
        "table": lambda name: TABLES[name],
        "token": lambda name: tokens[name],
        "day": lambda name: MEETING_DAYS.get(name, lambda: "2015-06-30")(),
        "feedback_id": lambda name: public_feedback.pk,
    }


def is_admin(route):
    return route.startswith("admin/")


def test_every_url_has_an_entry_in_the_matrix():
    named = {name for name, route, _ in all_patterns() if name and not is_admin(route)}
    unnamed = [route for name, route, _ in all_patterns() if not name and not is_admin(route)]
    assert not unnamed, f"Give these URL patterns a name and a row in EXPECTED: {unnamed}"
    assert named - set(EXPECTED) == set(), "New URLs need a row in EXPECTED"
    assert set(EXPECTED) - named == set(), "EXPECTED names URLs that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_from_every_url(demo, client, role):
    if role != "anonymous":
        client.force_login(User.objects.get(username=DEMO_USERS[role]))
    wrong = []
    for name, route, _ in all_patterns():
        if is_admin(route):
            continue
        url = fill(route, name, demo) + QUERIES.get(name, "")
        response = client.get(url)
        if response.status_code != EXPECTED[name][role]:
            wrong.append(f"{name} {url}: {response.status_code}, expected {EXPECTED[name][role]}")
        if response.status_code == FOUND and role == "anonymous":
            assert response["Location"].startswith("/accounts/login/"), url
        if role != "anonymous":
            # Signed-in responses hold unpublished work: the browser keeps none of them.
            assert "no-store" in response.get("Cache-Control", ""), f"{url} can be stored for {role}"
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        for secret in MUST_NOT_SEE.get(role, []):
            assert secret not in text, f"{role} sees {secret!r} at {url}"
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_staff_reach_the_admin(demo, client, role):
    """Every admin URL: a redirect to the admin sign-in for everyone but staff."""
    if role != "anonymous":
        client.force_login(User.objects.get(username=DEMO_USERS[role]))
    admin_values = {
        "object_id": lambda name: 1,
        "app_label": lambda name: "recommendations",
        "content_type_id": lambda name: 1,
        "url": lambda name: "no-such-page/",
        "id": lambda name: 1,
        "pk": lambda name: 1,
    }
    checked = 0
    for name, route, _ in all_patterns():
        if not is_admin(route) or name in {"admin:login", "admin:logout"}:
            continue
        response = client.get(fill(route, name, admin_values))
        checked += 1
        if role != "anonymous":
            assert "no-store" in response.get("Cache-Control", ""), f"{route} can be stored for {role}"
        if role == "administrator":
            assert response.status_code < 500, name
        else:
            assert response.status_code == FOUND, name
            assert response["Location"].startswith("/admin/login/"), name
    assert checked > 50
