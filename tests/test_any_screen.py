"""
Every page type, public and signed in, fits a phone screen: at 320 and 390
CSS pixels wide nothing makes the page scroll sideways (wide tables scroll
inside their own region), every chart fits the width without scrolling inside
its box, and chart labels stay at least 12px high on screen.
"""
import pytest

from tests.helpers import browser_page
from tests.page_types import PAGE_TYPES, sign_in_as_demo, signed_in_pages

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (bin/setup installs it)")

WIDTHS = (320, 390)
SMALLEST_LABEL = 12  # CSS pixels

MEASURE = """() => {
    const viewport = document.documentElement.clientWidth;
    const wider = [...document.querySelectorAll("body *")]
        .filter(element => element.getBoundingClientRect().right > viewport + 1)
        .filter(element => !element.closest(".tracker-table-wrapper, .tracker-chart-wrapper, .govuk-visually-hidden"))
        .slice(0, 5)
        .map(element => element.tagName.toLowerCase() + (element.className && element.className.baseVal === undefined
            ? "." + element.className.split(" ").join(".") : "")
            + " (" + Math.round(element.getBoundingClientRect().right) + "px)");
    const labels = [];
    const charts = [];
    // Only the drawing on show: each chart is drawn twice (narrow and wide), one of them hidden.
    const shown = [...document.querySelectorAll("svg.tracker-svg-chart")].filter(svg => svg.getClientRects().length);
    for (const svg of shown) {
        const box = svg.closest(".tracker-chart-wrapper");
        const rect = svg.getBoundingClientRect();
        charts.push({
            id: svg.querySelector("title").id,
            left: rect.left,
            right: rect.right,
            boxScrolls: box.scrollWidth > box.clientWidth + 1,
        });
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        for (const text of svg.querySelectorAll("text")) {
            labels.push({
                text: text.textContent,
                size: parseFloat(getComputedStyle(text).fontSize) * scale,
                height: text.getBoundingClientRect().height,
            });
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, viewport, wider, labels, charts};
}"""


def check(page, url, where, failures):
    response = page.goto(url)
    assert response.status == 200, where
    measured = page.evaluate(MEASURE)
    if measured["scrollWidth"] > measured["viewport"]:
        failures.append(f"{where}: the page is {measured['scrollWidth']}px wide on a {measured['viewport']}px "
                        f"screen; too wide: {', '.join(measured['wider'])}")
    check_charts(measured, where, failures)
    for label in measured["labels"]:
        if label["size"] < SMALLEST_LABEL or label["height"] < SMALLEST_LABEL:
            failures.append(f"{where}: chart label {label['text']!r} is {label['size']:.1f}px "
                            f"({label['height']:.1f}px high)")
    return measured


def check_charts(measured, where, failures):
    for chart in measured["charts"]:
        if chart["boxScrolls"] or chart["left"] < 0 or chart["right"] > measured["viewport"]:
            failures.append(f"{where}: chart {chart['id']} does not fit the screen "
                            f"({chart['left']:.0f}px to {chart['right']:.0f}px; scrolls in its box: {chart['boxScrolls']})")


@pytest.fixture
def small_page(browser):
    with browser_page(browser, viewport={"width": WIDTHS[0], "height": 700}) as page:
        yield page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_on_a_phone_and_charts_fit_with_readable_labels(
    demo_progress, live_server, small_page, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failures = []
    charts_seen = 0
    for width in WIDTHS:
        small_page.set_viewport_size({"width": width, "height": 700})
        small_page.context.clear_cookies()
        for name, path in PAGE_TYPES.items():
            measured = check(small_page, live_server.url + path, f"{name} ({path}) at {width}px", failures)
            charts_seen += bool(measured["labels"])
        for username, paths in signed_in_pages().items():
            sign_in_as_demo(small_page, live_server, username)
            for path in paths:
                measured = check(small_page, live_server.url + path, f"{username} {path} at {width}px", failures)
                assert "/accounts/login/" not in small_page.url, f"{username} was not signed in"
                charts_seen += bool(measured["labels"])
    # Home, a source, a theme, the board's overview, owners, trend and as-at have charts, at both widths.
    assert charts_seen >= 2 * 7
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_check_does_catch_a_page_too_wide_and_a_label_too_small(seeded, live_server, small_page):
    small_page.goto(live_server.url + "/")
    # A block wider than the screen, as a table outside a scrolling region would be; and the
    # chart squeezed until its labels are too small and sticking out past the screen's edge. (The CSP
    # forbids style attributes in the page's markup, not changes made through the DOM.)
    small_page.evaluate("""() => {
        document.querySelector("main").insertAdjacentHTML("beforeend", '<p id="too-wide">Wide</p>');
        document.getElementById("too-wide").style.width = "700px";
        const chart = document.querySelector("svg.tracker-svg-chart");
        chart.style.width = "150px";
        chart.style.marginLeft = "-20px";
    }""")
    measured = small_page.evaluate(MEASURE)
    assert measured["scrollWidth"] > measured["viewport"]
    assert any(entry.startswith("p (") for entry in measured["wider"]), measured["wider"]
    assert min(label["size"] for label in measured["labels"]) < SMALLEST_LABEL
    failures = []
    check_charts(measured, "home", failures)
    assert failures and "does not fit the screen" in failures[0], failures
