"""The SVG charts (recommendations/charts.py): each public chart, drawn from a small fixed input, is
compared with its golden file in tests/files/charts/, and every text a chart takes is tried with
hostile input.

A golden file is the chart as a page gets it (a <div> region holding the <svg> drawings), one element
a line so that a diff shows what changed. When a chart is meant to change, write the golden files
again and read their diff before committing it:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 0 tests/test_charts_golden.py
    git diff tests/files/charts/
"""
import datetime
import difflib
from decimal import Decimal
import inspect
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from recommendations import charts
from recommendations.public.headlines import Band, BehindFirstAgreed, Glance, Row
from recommendations.public.records import PublicIndicator, PublicIndicatorValue

GOLDEN = Path(__file__).resolve().parent / "files" / "charts"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 0 tests/test_charts_golden.py"


# --- One builder per public chart --------------------------------------------
# Each builder draws its chart from a small fixed input. Its keyword arguments are the texts the
# chart takes (each can be replaced by hostile text) and `count`: None for the fixed counts, or one
# value for every count in the chart; empty=True draws the chart with nothing to count.


def stacked_bars(chart_id="status-chart", title="Items by status", description="Jay: 3 items. Ofsted: 5 items.",
                 row_label="Jay report", segment_label="In progress", colour="blue", count=None, empty=False):
    counts = [[1, 2, 0], [0, 1, 4]] if count is None else [[count] * 3] * 2
    rows = [] if empty else [(row_label, counts[0]), ("Ofsted", counts[1])]
    segments = [("Not started", "grey"), (segment_label, colour), ("Implemented or assured", "green")]
    return charts.stacked_bars(chart_id, title, description, rows, segments)


def burn_up(chart_id="trend-jay-chart", title="Jay: items tracked, planned and done, month by month",
            description="By April 2015, 4 items were tracked.", month_label="Jan 2015", series_name="All items tracked",
            count=None, empty=False):
    labels = [month_label, "Feb 2015", "Mar 2015", "Apr 2015"]
    counts = [[2, 3, 4, 4], [0, 1, 2, 3], [0, 0, 1, 2], [1, 1, 0, 0]] if count is None else [[count] * 4] * 4
    series = [
        (series_name, "tracked", counts[0]),
        ("Planned (first agreed target dates)", "planned", counts[1]),
        ("Implemented or assured", "delivered", counts[2]),
        ("No target date", "no_target_date", counts[3]),
    ]
    return charts.burn_up(chart_id, title, description, [] if empty else labels, [] if empty else series)


def share_bars(chart_id="share-chart", title="Items by status", description="Status: 3 open, 1 done.",
               row_label="Status", segment_label="Open", colour="blue", count=None, empty=False):
    counts = [3, 1] if count is None else [count] * 2
    rows = [] if empty else [(row_label, [(segment_label, colour, counts[0]), ("Done", "green", counts[1])])]
    return charts.share_bars(chart_id, title, description, rows)


def glance(counted="recommendations and proposals", row_label="In progress", colour="blue", count=None, empty=False):
    counts = [2, 3, 1, 1, 0, 4, 3, 2, 1, 0] if count is None else [count] * 10
    by_status = [Row("in_progress", row_label, colour, counts[0], 5), Row("assured", "Assured", "green", counts[1], 5)]
    by_rag = [Row("red", "Red", "red", counts[2], 2), Row("green", "Green", "green", counts[3], 2),
              Row("none", "Not assessed", "grey", counts[4], None)]
    by_band = [Row(value, label, colour_, band_count, 5)
               for (value, label, colour_), band_count in zip(Band.CHOICES, counts[5:])]
    figures = Glance(
        total=5 if count is None else count, counted=counted, judgements=0, done=3, assured=3, overdue=1, slipping=1,
        rated=2, by_status=[] if empty else by_status, by_rag=[] if empty else by_rag,
        by_band=[] if empty else by_band, scope_query="", today=datetime.date(2015, 6, 1),
    )
    return charts.glance(figures)


def behind_first_agreed(count=None, empty=False):
    """BehindFirstAgreed is counts alone: its words are the tracker's own (words.py)."""
    if empty:
        return charts.behind_first_agreed(BehindFirstAgreed(dated=0, past_target=0, slipping=0, done_after=0))
    if count is None:
        return charts.behind_first_agreed(BehindFirstAgreed(dated=10, past_target=2, slipping=1, done_after=1))
    return charts.behind_first_agreed(
        BehindFirstAgreed(dated=4 * count, past_target=count, slipping=count, done_after=count))


def indicator_line(chart_id="indicator-visits", title="Visits on time (%)",
                   description="Jan 2025 80.5; Feb 2025 82; Apr 2025 85.", period_label="Jan 2025",
                   mark_label="Baseline (31 Dec 2024)", count=None, empty=False):
    """Three values with March missing (the line breaks before April), a baseline and a target."""
    values = [Decimal("80.5"), 82, 85] if count is None else [count] * 3
    periods = [(period_label, values[0], False), ("Feb 2025", values[1], False), ("Apr 2025", values[2], True)]
    return charts.indicator_line(chart_id, title, description, [] if empty else periods,
                                 (mark_label, 70 if count is None else count),
                                 ("Target (31 Mar 2026)", 95 if count is None else count))


def indicator(name="Looked-after children visited on time", unit="%", count=None, empty=False):
    """A public indicator record (records.PublicIndicator) as the item and theme pages draw it."""
    def value(pk, month, number):
        start = datetime.date(2025, month, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return PublicIndicatorValue(pk, "visits", start, end, Decimal(number) if count is None else count, "", "",
                                    "Council", datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc))
    values = () if empty else (value(1, 1, "80.5"), value(2, 2, "82"), value(3, 4, "85"))
    return charts.indicator(PublicIndicator(
        "visits", name, "Definition", unit, "Case records", "higher", Decimal(70), datetime.date(2024, 12, 31),
        None, None, ("OFSTED-F9",), (), values))


BUILDERS = {"stacked_bars": stacked_bars, "burn_up": burn_up, "share_bars": share_bars, "glance": glance,
            "behind_first_agreed": behind_first_agreed, "indicator_line": indicator_line, "indicator": indicator}
# The charts of counts of items (an indicator's values may be negative or fractions).
COUNTING = [name for name in BUILDERS if not name.startswith("indicator")]


def text_fields(builder):
    return [name for name in inspect.signature(builder).parameters if name not in ("count", "empty")]


# --- Reading a chart ----------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
# Every element and attribute a chart is made of: anything else was injected.
CHART_ELEMENTS = {"div", "svg", "title", "desc", "text", "tspan", "rect", "line", "polyline", "circle"}
CHART_ATTRIBUTES = {
    "class", "role", "aria-label", "aria-labelledby", "tabindex", "focusable", "id", "viewBox", "width", "height",
    "x", "y", "dy", "x1", "y1", "x2", "y2", "points", "fill", "stroke", "stroke-width", "stroke-dasharray",
    "text-anchor", "font-weight", "cx", "cy", "r",
}


def parse(output):
    """The chart as XML: it fails the test if the chart is not well-formed."""
    try:
        return ElementTree.fromstring(output)
    except ElementTree.ParseError as error:
        pytest.fail(f"not well-formed XML ({error}):\n{output[:2000]}")


def element_names(root):
    return [element.tag.removeprefix(SVG) for element in root.iter()]


def readable(root):
    """Every text and attribute value of the chart, without whitespace (long text is wrapped)."""
    attributes = [value for element in root.iter() for value in element.attrib.values()]
    return re.sub(r"\s", "", "".join(root.itertext()) + "".join(attributes))


def lines(output):
    """One element a line: the golden file's form, so that a diff is readable."""
    return output.replace("><", ">\n<") + "\n"


def compare_with_golden(name, output):
    path = GOLDEN / f"{name}.html"
    drawn = lines(output)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(drawn)
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: write it with {REGENERATE}")
    golden = path.read_text()
    if drawn != golden:
        diff = "".join(difflib.unified_diff(golden.splitlines(True), drawn.splitlines(True), str(path), "drawn now"))
        pytest.fail(f"the {name} chart is not its golden file:\n{diff}\n"
                    f"If the change is meant, write the golden files again ({REGENERATE}) and commit them.",
                    pytrace=False)


# --- Golden files ---------------------------------------------------------------


def test_every_public_chart_has_a_golden_test():
    public = {name for name, value in vars(charts).items()
              if inspect.isfunction(value) and value.__module__ == charts.__name__ and not name.startswith("_")}
    assert public == set(BUILDERS)


@pytest.mark.parametrize("name", BUILDERS)
def test_a_chart_is_its_golden_file(name):
    output = BUILDERS[name]()
    compare_with_golden(name, output)
    # The golden file itself is well-formed, and the chart is made only of a chart's elements.
    root = parse((GOLDEN / f"{name}.html").read_text())
    assert set(element_names(root)) <= CHART_ELEMENTS
    assert element_names(parse(output)) == element_names(root)


def test_a_chart_that_changed_fails_with_a_diff_of_its_lines(tmp_path, monkeypatch):
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    monkeypatch.setattr(f"{__name__}.GOLDEN", tmp_path)
    (tmp_path / "behind_first_agreed.html").write_text(lines(behind_first_agreed()))
    compare_with_golden("behind_first_agreed", behind_first_agreed())
    with pytest.raises(pytest.fail.Exception) as failure:
        compare_with_golden("behind_first_agreed", behind_first_agreed(count=0))
    assert "\n-<text x=\"22\" y=\"69\">Past target date: 2</text>" in str(failure.value)
    assert "\n+<text x=\"22\" y=\"69\">Past target date: 0</text>" in str(failure.value)
    assert REGENERATE in str(failure.value)


# --- Hostile input --------------------------------------------------------------

LONG = ("A long <name> & more " * 100)[:2000]
HOSTILE_TEXT = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><svg onload=alert(1)>',
    "entity": "&amp;",
    "quotes": "'single' \"double\" `back`",
    "long": LONG,
    "non-BMP": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 𠜎",
    "empty": "",
    # XML allows none of these, escaped or not: the chart drops them.
    "control": "bell\x07 null\x00 escape\x1b",
    "lone surrogate": "half\ud800 a pair",
}
DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

HOSTILE_CASES = [(name, field, kind) for name, builder in BUILDERS.items() for field in text_fields(builder)
                 for kind in HOSTILE_TEXT]


def assert_nothing_injected(output, svg_count):
    assert "\x00" not in output
    root = parse(output)
    names = element_names(root)
    assert set(names) <= CHART_ELEMENTS, set(names) - CHART_ELEMENTS
    assert names.count("svg") == svg_count  # no drawing was opened by the text
    attributes = {attribute for element in root.iter() for attribute in element.attrib}
    assert attributes <= CHART_ATTRIBUTES, attributes - CHART_ATTRIBUTES
    assert not [attribute for attribute in attributes if attribute.lower().startswith("on")]
    return root


def test_every_chart_but_behind_first_agreed_takes_text():
    assert {name for name, _, _ in HOSTILE_CASES} == set(BUILDERS) - {"behind_first_agreed"}


@pytest.mark.parametrize("name, field, kind", HOSTILE_CASES)
def test_hostile_text_is_shown_as_text_and_injects_nothing(name, field, kind):
    builder = BUILDERS[name]
    text = HOSTILE_TEXT[kind]
    output = builder(**{field: text})
    root = assert_nothing_injected(output, element_names(parse(builder())).count("svg"))
    # The text is there, as text: escaped in the markup, so parsing gives it back.
    assert re.sub(r"\s", "", DROPPED.sub("", text)) in readable(root)
    if kind in ("script", "attribute"):
        assert text not in output and "<script" not in output and "<svg onload" not in output


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize("count", [0, 10**400], ids=["zero", "huge"])
def test_zero_and_huge_counts_draw_a_chart(name, count):
    builder = BUILDERS[name]
    root = assert_nothing_injected(builder(count=count), element_names(parse(builder())).count("svg"))
    if count:
        assert str(count) in readable(root)


@pytest.mark.parametrize("name", BUILDERS)
def test_nothing_to_count_draws_an_empty_chart(name):
    builder = BUILDERS[name]
    assert_nothing_injected(builder(empty=True), element_names(parse(builder())).count("svg"))


@pytest.mark.parametrize("name", COUNTING)
@pytest.mark.parametrize("count", [-1, "5", 1.5, True], ids=["negative", "text", "fraction", "bool"])
def test_a_count_that_is_not_a_whole_number_of_items_is_a_value_error(name, count):
    """Counts come from the database: anything else is a mistake in the caller, not a chart to draw."""
    with pytest.raises(ValueError, match="whole numbers of items, 0 or more"):
        BUILDERS[name](count=count)


def test_more_items_behind_than_have_a_date_is_a_value_error():
    with pytest.raises(ValueError, match="not -2"):
        charts.behind_first_agreed(BehindFirstAgreed(dated=1, past_target=1, slipping=1, done_after=1))


@pytest.mark.parametrize("name", ["indicator_line", "indicator"])
@pytest.mark.parametrize("value", ["5", True, float("nan"), float("inf"), Decimal("NaN")],
                         ids=["text", "bool", "nan", "infinity", "decimal-nan"])
def test_an_indicator_value_that_is_not_a_finite_number_is_a_value_error(name, value):
    with pytest.raises(ValueError, match="finite numbers"):
        BUILDERS[name](count=value)


@pytest.mark.parametrize("value", [-12, Decimal("0.25"), Decimal("-3.5")])
def test_negative_and_fractional_indicator_values_draw(value):
    root = assert_nothing_injected(indicator_line(count=value), 2)
    assert charts.plain_number(value) in readable(root)


def _drawings(output):
    return [element for element in parse(output).iter() if element.tag == f"{SVG}svg"]


def test_a_missing_period_breaks_the_line_and_every_value_has_a_dot():
    for drawing in _drawings(indicator_line()):
        (line,) = [element for element in drawing.iter() if element.tag == f"{SVG}polyline"]
        # January to February is joined; March is missing, so April stands alone.
        assert len(line.get("points").split()) == 2
        dots = [float(element.get("cx")) for element in drawing.iter() if element.tag == f"{SVG}circle"]
        assert len(dots) == 3
        # The missing month keeps its place on the axis: April is two steps after February.
        assert abs((dots[2] - dots[1]) - 2 * (dots[1] - dots[0])) < 0.5


def test_periods_with_no_gap_are_one_line():
    periods = [("Jan 2025", 1, False), ("Feb 2025", 2, False), ("Mar 2025", 3, False)]
    for drawing in _drawings(charts.indicator_line("c", "T", "D", periods)):
        (line,) = [element for element in drawing.iter() if element.tag == f"{SVG}polyline"]
        assert len(line.get("points").split()) == 3


def test_an_indicator_with_no_values_draws_no_line():
    for drawing in _drawings(indicator(empty=True)):
        assert not [element for element in drawing.iter() if element.tag in (f"{SVG}polyline", f"{SVG}circle")]


def test_the_indicator_chart_fits_a_320_pixel_screen():
    """The narrow drawing (for phones) is 300 units wide, and nothing in it is drawn past that."""
    (narrow,) = [drawing for drawing in _drawings(indicator()) if "narrow" in drawing.get("class")]
    assert narrow.get("viewBox").split()[2] == str(charts.NARROW_WIDTH) == narrow.get("width")
    for element in narrow.iter():
        for name in ("x", "x1", "x2", "cx"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= charts.NARROW_WIDTH, (element.tag, name, element.get(name))
    for label in [element for element in narrow.iter() if element.tag == f"{SVG}text"]:
        # About 9 units a character at 16px: a label anchored at the end or middle stays inside.
        width = 9 * len("".join(label.itertext()))
        x = float(label.get("x") or 38)
        anchor = label.get("text-anchor", "start")
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        right = x if anchor == "end" else x + width / 2 if anchor == "middle" else x + width
        assert left >= 0 and right <= charts.NARROW_WIDTH + 1, "".join(label.itertext())


def test_a_line_style_the_charts_do_not_have_is_a_value_error():
    with pytest.raises(ValueError, match="no line style 'pink'"):
        charts.burn_up("chart", "Title", "Description", ["Jan 2015"], [("Items", "pink", [1])])
