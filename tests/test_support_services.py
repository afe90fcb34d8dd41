"""
The support services on the public pages come from a file the council keeps, with the day each entry was
checked (recommendations/data/support_services.yaml, services/support_services.py), and the advice on
browsing history beside "Exit this page" (includes/support.html).
"""
import datetime
import io

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.utils import timezone

from recommendations.words import long_date
from recommendations.services import support_services

pytestmark = pytest.mark.django_db

ADVICE = "it does not delete this site from your browsing history"
NEW_ENTRY = """
  - name: Rotherham test service
    audience: people testing the tracker
    phone: "01709 000000"
    website: https://support.rotherham.example/
    checked: 2026-12-01
"""


def test_the_council_file_is_loaded_and_every_entry_has_its_checked_date():
    loaded = support_services.load()
    assert loaded.problems == ()
    for service in loaded.services:
        assert isinstance(service.checked, datetime.date) and service.checked <= timezone.localdate()
    # It names a service for adults abused as children and a local one (the council may change which).
    audiences = [service.audience for service in loaded.services]
    assert any("adults who were abused as children" in audience for audience in audiences)
    assert any("Rotherham" in audience for audience in audiences)


def test_every_entry_shows_on_the_signpost_and_in_full_on_the_contact_page(seeded, client):
    page = client.get("/items/JAY-04/").content.decode()
    signpost = page[page.index('<aside class="tracker-support"'):]
    contact = " ".join(client.get("/contact/").content.decode().split())
    services = support_services.load().services
    assert services
    for service in services:
        assert f'href="{service.website}">{service.name}</a>, for {service.audience}' in signpost
        heading = f"{service.name} ({service.full_name})" if service.full_name else service.name
        assert f'<h3 class="govuk-heading-s">{heading}</h3>' in contact
        assert f"Details checked on {long_date(service.checked)}." in contact
        if service.phone:
            number = "&nbsp;".join(service.phone.split())
            assert f'href="{service.phone_link}">{number}</a>' in signpost
            assert f'href="{service.phone_link}">{number}</a>' in contact
    assert ADVICE in " ".join(signpost.split())
    assert 'id="staying-safe-online"' in contact and "private window" in contact


@pytest.fixture
def council_file(tmp_path, settings):
    """A copy of the council's file that the test can edit, used by the pages."""
    copy = tmp_path / "support_services.yaml"
    copy.write_text(support_services.path().read_text(encoding="utf-8"), encoding="utf-8")
    settings.TRACKER_SUPPORT_SERVICES_FILE = str(copy)
    return copy


def test_an_entry_added_to_the_file_shows_on_the_pages(seeded, client, council_file):
    assert "Rotherham test service" not in client.get("/").content.decode()
    with council_file.open("a", encoding="utf-8") as file:
        file.write(NEW_ENTRY)
    output = io.StringIO()
    call_command("support_services", stdout=output)  # as the council runs it after an edit
    assert "Rotherham test service: checked on 1 December 2026" in output.getvalue()
    assert "show 5 support services" in output.getvalue()
    home = client.get("/").content.decode()
    assert ('href="https://support.rotherham.example/">Rotherham test service</a>, for people testing the tracker: '
            '<a class="govuk-link" href="tel:01709000000">01709&nbsp;000000</a>') in home
    assert "Details checked on 1 December 2026." in client.get("/contact/").content.decode()


@pytest.mark.parametrize("entry, problem", [
    ('  - name: No date\n    audience: anyone\n    website: https://a.example/\n',
     "Entry 5 (No date) is not shown: it has no checked."),
    ('  - name: Later\n    audience: anyone\n    website: https://a.example/\n    checked: 2999-01-01\n',
     "Entry 5 (Later) is not shown: checked (2999-01-01) is a day still to come."),
    ('  - name: Unquoted\n    audience: anyone\n    phone: 01234567\n    website: https://a.example/\n'
     '    checked: 2026-12-01\n',  # an octal number to YAML: 342391
     'Entry 5 (Unquoted) is not shown: put the phone number in quotes, like phone: "0808 801 0331" '
     "(without them it is read as a number)."),
    ('  - name: Typo\n    audience: anyone\n    website: https://a.example/\n    cheked: 2026-12-01\n',
     "Entry 5 (Typo) is not shown: unknown field cheked (the fields are audience, checked, full_name, name, "
     "phone, website)."),
    ('  - name: Plain\n    audience: anyone\n    website: http://a.example/\n    checked: 2026-12-01\n',
     "Entry 5 (Plain) is not shown: the website 'http://a.example/' must be a full https:// address."),
], ids=["no-date", "future-date", "unquoted-phone", "unknown-field", "not-https"])
def test_an_entry_with_a_mistake_is_left_out_and_named(seeded, client, council_file, entry, problem):
    with council_file.open("a", encoding="utf-8") as file:
        file.write(entry)
    loaded = support_services.load()
    assert loaded.problems == (problem,)
    assert len(loaded.services) == 4  # the others still show
    page = client.get("/").content.decode()
    assert "NAPAC</a>" in page and entry.split("name: ")[1].split("\n")[0] + "</a>" not in page
    assert [message.msg for message in run_checks() if message.id == "recommendations.W010"] == [problem]
    with pytest.raises(CommandError):
        call_command("support_services", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_file_that_cannot_be_read_is_named(council_file):
    council_file.write_text("services: [unclosed", encoding="utf-8")
    (problem,) = support_services.load().problems
    assert problem.startswith(f"{council_file} cannot be read:")
    assert support_services.current() == ()


# --- In a real browser -------------------------------------------------------------


def expect(locator):
    from playwright.sync_api import expect

    return expect(locator)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_sees_the_services_and_the_browsing_advice(seeded, live_server, page):
    page.goto(live_server.url + "/items/JAY-04/")
    support = page.get_by_role("complementary", name="Support")
    for service in support_services.load().services:
        expect(support.get_by_role("link", name=service.name, exact=True)).to_be_visible()
    expect(support.get_by_text("Exit this page opens a weather page straight away, but it does not delete this "
                               "site from your browsing history.")).to_be_visible()
    support.get_by_role("link", name="Staying safe online").click()
    expect(page.get_by_role("heading", name="Staying safe online")).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Private browsing")).to_be_visible()
