"""On a phone (320 and 390 CSS pixels wide) the item lists, the source and theme lists, the home
summary, *My items* and the board's tables show every key column without scrolling sideways: their
rows stack, each cell named by its column. The item list's filters wait behind a "Show filters"
button after the results count."""
import pytest

from tests.helpers import browser_page
from tests.page_types import sign_in_as_demo

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390)

# Each page, the table to look at, and the columns each of its rows must show (None: every cell after
# the first names its column, whatever the columns are).
PUBLIC_TABLES = {
    "/items/": ("table.tracker-item-table", ["Owner", "Status", "Target date"]),
    "/sources/JAY/": ("table.tracker-item-table", ["Owner", "Status", "Target date"]),
    "/sources/": ("main table", ["Type", "Published", "Items"]),
    "/themes/": ("main table", ["Items"]),
    "/": ("main table.tracker-stack-table", None),
}
SIGNED_IN_TABLES = {
    "demo-council-officer": {"/work/": ("main table", ["Status", "Target date", "What needs doing"])},
    "demo-reviewer": {
        "/board/": ("main table.tracker-stack-table", None),
        "/board/owners/": ("main table.tracker-stack-table", None),
        "/board/pack/": ("main table.tracker-stack-table", None),
    },
}

# Whether the page scrolls sideways, and for the table: its first rows' cells, each with its
# column's name (shown before it), where it stands on the screen and whether the table scrolls.
MEASURE = """(selector) => {
    const viewport = document.documentElement.clientWidth;
    const table = document.querySelector(selector);
    const rows = [...table.querySelectorAll("tbody tr")].slice(0, 3).map(row => [...row.cells].map(cell => ({
        label: cell.dataset.label || null,
        shown: getComputedStyle(cell, "::before").content,
        left: cell.getBoundingClientRect().left,
        right: cell.getBoundingClientRect().right,
        height: cell.getBoundingClientRect().height,
        text: cell.textContent.trim(),
    })));
    const wrapper = table.closest(".tracker-table-wrapper");
    return {
        scrollWidth: document.documentElement.scrollWidth, viewport, rows,
        tableScrolls: wrapper ? wrapper.scrollWidth > wrapper.clientWidth : false,
    };
}"""


def check_table(page, url, selector, columns, where):
    assert page.goto(url).status == 200, where
    measured = page.evaluate(MEASURE, selector)
    assert measured["scrollWidth"] <= measured["viewport"], f"{where}: the page scrolls sideways"
    assert not measured["tableScrolls"], f"{where}: the table scrolls sideways"
    assert measured["rows"], f"{where}: no rows"
    for row in measured["rows"]:
        labels = [cell["label"] for cell in row[1:]]
        if columns is not None:
            assert labels == columns, (where, labels)
        else:
            assert all(labels), (where, labels)
        for cell in row:
            assert 0 <= cell["left"] and cell["right"] <= measured["viewport"] + 1, (where, cell)
            assert cell["height"] > 0, (where, cell)
        for cell in row[1:]:
            if cell["label"]:
                assert cell["shown"] == f'"{cell["label"]}: "', (where, cell)  # the column's name is shown


@pytest.fixture
def phone(browser):
    with browser_page(browser, viewport={"width": WIDTHS[0], "height": 700}) as page:
        yield page


def test_every_key_column_shows_on_a_phone_without_scrolling_sideways(demo_progress, live_server, phone):
    for width in WIDTHS:
        phone.set_viewport_size({"width": width, "height": 700})
        phone.context.clear_cookies()
        for path, (selector, columns) in PUBLIC_TABLES.items():
            check_table(phone, live_server.url + path, selector, columns, f"{path} at {width}px")
        for username, pages in SIGNED_IN_TABLES.items():
            sign_in_as_demo(phone, live_server, username)
            for path, (selector, columns) in pages.items():
                check_table(phone, live_server.url + path, selector, columns, f"{username} {path} at {width}px")


def test_on_a_phone_the_filters_wait_behind_a_button_after_the_results_count(demo_progress, live_server, phone):
    for width in WIDTHS:
        phone.set_viewport_size({"width": width, "height": 700})
        phone.goto(f"{live_server.url}/items/")
        button = phone.get_by_role("button", name="Show filters")
        filters = phone.get_by_role("search", name="Filter items")
        expect(button).to_be_visible()
        expect(filters).to_be_hidden()
        # After the results count, before the results.
        order = phone.evaluate("""() => {
            const top = element => element.getBoundingClientRect().top;
            return [top(document.getElementById("results-heading")),
                    top(document.querySelector(".tracker-filters-toggle")),
                    top(document.querySelector("table.tracker-item-table"))];
        }""")
        assert order == sorted(order), order
        assert phone.evaluate("document.documentElement.scrollWidth") <= width

        button.click()
        expect(filters).to_be_visible()
        expect(phone.get_by_role("button", name="Hide filters")).to_have_attribute("aria-expanded", "true")
        filters.get_by_label("Status").select_option("implemented")
        filters.get_by_role("button", name="Apply filters").click()
        phone.wait_for_url("**/items/?*status=implemented*")
        expect(phone.locator("#results-heading")).to_contain_text("match your filters")
        expect(phone.get_by_role("button", name="Show filters")).to_be_visible()

    # From tablet width up the filters are always shown, and there is no button.
    phone.set_viewport_size({"width": 1024, "height": 700})
    expect(phone.get_by_role("search", name="Filter items")).to_be_visible()
    expect(phone.locator(".tracker-filters-toggle")).to_be_hidden()


def test_without_javascript_the_filters_are_shown_on_a_phone(demo_progress, live_server, browser):
    with browser_page(browser, java_script_enabled=False, viewport={"width": 320, "height": 700}) as page:
        page.goto(f"{live_server.url}/items/")
        expect(page.get_by_role("search", name="Filter items")).to_be_visible()
        expect(page.locator(".tracker-filters-toggle")).to_be_hidden()
