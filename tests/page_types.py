"""
Every page type, public and signed in, for the tests that visit each of them
in a browser (the axe check, the small-screen check). A page type added here
is checked by all of them.
"""
import datetime

TODAY = datetime.date.today().isoformat()
# The demo's board meetings (fixtures/demo.yaml): 100 days ago with its pack published, 20 days ago not.
PACK_MEETING = (datetime.date.today() - datetime.timedelta(days=100)).isoformat()
MEETING = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()

PAGE_TYPES = {
    "home": "/",
    "item list": "/items/",
    "filtered item list": "/items/?source=JAY&status=in_progress&overdue=on",
    "item with published updates and evidence": "/items/JAY-04/",
    "item with a moved target date": "/items/JAY-05/",
    "source list": "/sources/",
    "source": "/sources/OFSTED/",
    "a source's progress report": "/sources/JAY/report/",
    "a progress report with judgements": "/sources/OFSTED/report/",
    "theme list": "/themes/",
    "theme": "/themes/looked-after-children/",
    "accessibility statement": "/accessibility/",
    "glossary": "/glossary/",
    "open data": "/open-data/",
    "publication log": "/publication-log/",
    "e-mail alerts form": "/alerts/subscribe/?item=JAY-04",
    "e-mail alerts requested": "/alerts/subscribe/check-your-email/?item=JAY-04",
    "tell the board form": "/items/JAY-04/tell-the-board/",
    "tell the board sent": "/items/JAY-04/tell-the-board/sent/",
    "contact and feedback": "/contact/",
    "privacy notice": "/privacy/",
    "the record as at a past date (picker)": "/as-at/",
    "the record as at a date": f"/as-at/{TODAY}/",
    "changes between two dates": f"/changes/?from=2014-08-26&to={TODAY}",
    "the improvement board": "/improvement-board/",
    "a board meeting and its decisions": f"/improvement-board/meetings/{MEETING}/",
    "a meeting pack published as the meeting's record": f"/improvement-board/meetings/{PACK_MEETING}/pack/",
    "sign in": "/accounts/login/",
}

DEMO_PASSWORDS = {"demo-council-officer": "demo-council-password", "demo-reviewer": "demo-reviewer-password"}


def plant_feedback():
    """The public's feedback for the pages that show it: one waiting, one passed to the safeguarding
    contact, and one answered with a published "You said, we did" on JAY-04. Returns the waiting one.
    Needs the demo data (load_demo)."""
    from django.test import override_settings

    from recommendations.models import User
    from recommendations.services import feedback

    reviewer = User.objects.get(username="demo-reviewer")
    waiting, concern, answered = (
        feedback.receive("JAY-04", f"Message {number}: the meetings described here stopped last year.",
                         f"reader{number}@example.net", f"198.51.100.{number}")
        for number in range(3)
    )
    with override_settings(TRACKER_SAFEGUARDING_EMAIL="safeguarding@rotherham.gov.uk"):
        feedback.mark_safeguarding(reviewer, concern, concern.version)
    feedback.publish(reviewer, answered, answered.version, "The case meetings had stopped last year.",
                     "We asked the council to restart them, and will report back at the next meeting.")
    return waiting


def signed_in_pages():
    """{demo account: [its screens]}: every signed-in screen type. Needs the demo data (load_demo)."""
    from recommendations.models import Feedback, ProgressUpdate

    submitted = ProgressUpdate.objects.get(state=ProgressUpdate.State.SUBMITTED)
    draft = ProgressUpdate.objects.get(state=ProgressUpdate.State.DRAFT)
    waiting = Feedback.objects.filter(state=Feedback.State.NEW).first() or plant_feedback()
    return {
        "demo-council-officer": ["/work/", "/work/items/JAY-03/", "/work/items/JAY-01/updates/new/",
                                 f"/work/updates/{draft.pk}/discard/", "/accounts/two-factor/setup/"],
        "demo-reviewer": [
            "/work/review/", f"/work/updates/{submitted.pk}/review/", "/work/items/OFSTED-F3/correct/",
            "/work/items/OFSTED-F3/reopen/", "/work/items/OFSTED-F3/assure/", "/board/", "/board/owners/",
            "/board/trend/", "/board/overlap/", "/board/assurance/?strength=audited", "/board/as-at/?day=1&month=6&year=2015",
            "/board/as-at/?day=31&month=2&year=2015", "/board/pack/", "/board/pack/?day=31&month=2&year=2015",
            "/work/meetings/", f"/work/meetings/{MEETING}/publish-pack/",
            "/work/feedback/", f"/work/feedback/{waiting.pk}/", "/work/feedback/safeguarding/",
        ],
    }


def sign_in_as_demo(page, live_server, username):
    """Sign in a Playwright page as a demo account, starting afresh, and wait until it has."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
