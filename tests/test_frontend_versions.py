"""The GOV.UK Frontend release our styles and scripts are built from (package.json) is the one
the Jinja macros that write our pages (govuk-frontend-jinja) are tested against, so the
markup and the CSS/JavaScript always come from the same release."""
import json
import re
from importlib.metadata import metadata, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def frontend_release_of_the_macros():
    """The GOV.UK Frontend version that the installed govuk-frontend-jinja's own compatibility
    table (in its package description) lists against its own version."""
    macros_version = version("govuk-frontend-jinja")
    description = metadata("govuk-frontend-jinja").get_payload()
    row = re.search(rf"^\|\s*\[{re.escape(macros_version)}\]\(.*?\)\s*\|\s*\[(\d+\.\d+\.\d+)\]", description, re.M)
    assert row, f"govuk-frontend-jinja {macros_version} is not in its own compatibility table"
    return row.group(1)


def test_the_compatibility_table_is_read():
    assert re.fullmatch(r"\d+\.\d+\.\d+", frontend_release_of_the_macros())


def test_package_json_pins_the_release_the_macros_are_tested_against():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["govuk-frontend"]
    assert pinned == frontend_release_of_the_macros()


def test_the_installed_govuk_frontend_is_that_release():
    installed = json.loads((ROOT / "node_modules" / "govuk-frontend" / "package.json").read_text())["version"]
    assert installed == frontend_release_of_the_macros()
