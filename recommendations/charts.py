"""
Server-rendered SVG charts for the board dashboards.

No JavaScript and no style="" attributes (the Content Security Policy forbids
them): colours come from the .tracker-svg-chart classes in tracker.scss or SVG
presentation attributes. Every chart has role="img", a <title> and a <desc>
that says the main numbers in words, and every page prints the same numbers
in a table beside the chart, so a chart is never the only way to read one.

This is the one module that builds markup in Python (tests/test_no_python_markup.py):
templates and template tags call the public functions here (glance, behind_first_agreed,
stacked_bars, burn_up, share_bars, indicator_line, indicator) and print what they return.

What the charts accept (tests/test_charts_golden.py holds every chart's output for
a fixed input, and tests each text it takes with hostile input):
- Any text (ids, titles, descriptions, labels, legend entries) is escaped by
  format_html, so it can never add an element or an attribute. Characters XML does
  not allow (control characters, lone surrogates) are dropped, so a drawing is
  always well-formed.
- Counts are whole numbers, 0 or more, however large: anything else (a negative
  count, a number in a string, a fraction) is a ValueError, a mistake in the
  caller and not a chart to draw. Nothing to count draws an empty chart.
- An outcome indicator's values are finite numbers of any sign (indicator_line);
  its line is broken where a period is missing, never drawn through it.
"""
import math
import re
import textwrap
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from recommendations.words import period_words, plain_number, short_date

WIDTH = 640
# The width of the drawing shown on phones: drawn at 300 units and shown 290-360 CSS pixels wide
# (on 320 and 390 pixel screens), so its 16px labels stay above 15px.
NARROW_WIDTH = 300
LABEL_WIDTH = 200
VALUE_WIDTH = 50
BAR_HEIGHT = 24
ROW_GAP = 12
LEGEND_ROW = 28


def _svg(chart_id, title, description, height, body, width, drawing=None):
    """One drawing of a chart. A chart may be drawn twice, "wide" and "narrow" (for phones), and
    the stylesheet shows one by the screen's width; the hidden one (display: none) is hidden
    from assistive technology too. Both carry the same title and description."""
    ids = f"{chart_id}-narrow" if drawing == "narrow" else chart_id
    classes = f"tracker-svg-chart tracker-svg-chart--{drawing}" if drawing else "tracker-svg-chart"
    return format_html(
        '<svg class="{}" xmlns="http://www.w3.org/2000/svg"'
        ' viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        classes, width, height, width, height, ids, ids, ids, title, ids, description, body,
    )


# Characters XML does not allow anywhere, even escaped: control characters, lone surrogates
# and the two non-characters. Escaping leaves them as they are, so they are dropped instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _chart(title, *drawings):
    """The chart's drawings in one labelled region. Each drawing fits the width it is shown at,
    so nothing scrolls; the region still scrolls as a fallback (for a browser without CSS)."""
    chart = format_html(
        '<div class="tracker-chart-wrapper govuk-!-margin-bottom-6" role="region" aria-label="Chart: {}" tabindex="0">'
        "{}</div>",
        title, mark_safe("".join(drawings)),
    )
    # Everything in it was escaped above: dropping characters cannot make markup.
    return mark_safe(_NOT_XML.sub("", chart))


def _check_counts(values):
    """Counts are whole numbers of items, 0 or more (see the module's docstring)."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"a chart counts whole numbers of items, 0 or more, not {value!r}")


def _lines(text, x, width):
    """Text as <tspan> lines starting at x that fit width units (about 9 units a character at
    16px), and how many lines that is."""
    lines = textwrap.wrap(str(text), max(1, int(width // 9))) or [""]
    tspans = format_html_join(
        "", '<tspan x="{}" dy="{}">{}</tspan>', ((x, 0 if index == 0 else 20, line) for index, line in enumerate(lines))
    )
    return tspans, len(lines)


def _legend(entries, top, width=WIDTH):
    """Swatches with their names, so colour is explained in words."""
    parts = []
    x = 0
    y = top
    for label, colour in entries:
        entry_width = 28 + 9 * len(label)
        if x + entry_width > width and x:
            x, y = 0, y + LEGEND_ROW
        parts.append(
            format_html(
                '<rect class="tracker-svg-chart__bar tracker-svg-chart__bar--{}" x="{}" y="{}" width="16" height="16"/>'
                '<text x="{}" y="{}">{}</text>',
                colour, x, y, x + 22, y + 13, label,
            )
        )
        x += entry_width + 16
    return mark_safe("".join(parts)), y + LEGEND_ROW


def stacked_bars(chart_id, title, description, rows, segments):
    """Horizontal stacked bars on one scale, drawn wide (labels beside the bars) and narrow
    (labels above them, for phones).

    rows: [(row label, [value per segment])]; segments: [(segment label, colour)].
    The row's total is printed at the end of its bar.
    """
    for _, values in rows:
        _check_counts(values)
    return _chart(
        title,
        _stacked_bars_drawing(chart_id, title, description, rows, segments, WIDTH),
        _stacked_bars_drawing(chart_id, title, description, rows, segments, NARROW_WIDTH),
    )


def _stacked_bars_drawing(chart_id, title, description, rows, segments, width):
    # Too narrow for a column of labels beside the bars: each label goes on its own line above its bar.
    labels_above = width < WIDTH
    left = 0 if labels_above else LABEL_WIDTH
    largest = max((sum(values) for _, values in rows), default=0) or 1
    room = width - left - VALUE_WIDTH
    parts = []
    y = 0
    for label, values in rows:
        parts.append(format_html('<text x="0" y="{}">{}</text>', y + 17, label))
        if labels_above:
            y += 24
        x = left
        for (segment_label, colour), value in zip(segments, values):
            if value:
                # Multiplied before dividing: a count too large for a float still draws.
                segment_width = round(value * room / largest, 1)
                parts.append(_segment(colour, x, y, segment_width, label, value, segment_label))
                x += segment_width
        parts.append(format_html('<text x="{}" y="{}">{}</text>', round(x + 6, 1), y + 17, sum(values)))
        y += BAR_HEIGHT + ROW_GAP
    parts.append(
        format_html('<line class="tracker-svg-chart__axis" x1="{}" y1="0" x2="{}" y2="{}"/>', left, left, y - ROW_GAP)
    )
    legend, height = _legend(segments, y + 8, width)
    drawing = "wide" if width == WIDTH else "narrow"
    return _svg(chart_id, title, description, height, mark_safe("".join(parts) + legend), width, drawing)


def _segment(colour, x, y, width, label, value, segment_label):
    """One coloured part of a bar, with a tooltip naming what it counts."""
    return format_html(
        '<rect class="tracker-svg-chart__bar tracker-svg-chart__bar--{}" x="{}" y="{}" width="{}" height="{}">'
        "<title>{}: {} {}</title></rect>",
        colour, round(x, 1), y, width, BAR_HEIGHT, label, value, segment_label,
    )


# Line styles by series: colour and dash pattern, so the lines differ by more than colour.
LINE_STYLES = {
    "tracked": {"stroke": "#0b0c0c", "dash": "2 4", "legend": "black"},
    "planned": {"stroke": "#505a5f", "dash": "8 5", "legend": "grey"},
    "delivered": {"stroke": "#1d3a5f", "dash": "none", "legend": "blue"},
    "no_target_date": {"stroke": "#912b88", "dash": "14 4 3 4", "legend": "purple"},
}
# The legend of a line chart: two entries a row, under the month labels.
LEGEND_COLUMN = 340
LEGEND_TOP = 248


def burn_up(chart_id, title, description, labels, series):
    """A line chart of cumulative counts over months, drawn wide and narrow (for phones: fewer
    month labels, one legend entry a row).

    labels: one text per point (e.g. "Mar 2015"); series: [(name, style key, [values])]. The
    scale reaches the largest value of any series, so a series of every item keeps a part
    done from looking like the whole.
    """
    for _, style_key, values in series:
        if style_key not in LINE_STYLES:
            raise ValueError(f"no line style {style_key!r}: one of {', '.join(LINE_STYLES)}")
        _check_counts(values)
    return _chart(
        title,
        _burn_up_drawing(chart_id, title, description, labels, series, WIDTH),
        _burn_up_drawing(chart_id, title, description, labels, series, NARROW_WIDTH),
    )


def _burn_up_drawing(chart_id, title, description, labels, series, width):
    narrow = width < WIDTH
    left, right, top, bottom = 40, width - 10, 10, 200
    largest = max((max(values, default=0) for _, _, values in series), default=0) or 1
    steps = max(len(labels) - 1, 1)

    def x(index):
        return round(left + (right - left) * index / steps, 1)

    def y(value):
        return round(bottom - (bottom - top) * value / largest, 1)

    parts = [
        format_html('<line class="tracker-svg-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', left, bottom, right, bottom),
        format_html('<line class="tracker-svg-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', left, top, left, bottom),
    ]
    for value in sorted({0, largest // 2, largest}):
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', left - 6, y(value) + 5, value))
    for index, anchor in _month_ticks(labels, x, 3 if narrow else 6):
        parts.append(
            format_html('<text x="{}" y="{}" text-anchor="{}">{}</text>', x(index), bottom + 22, anchor, labels[index])
        )
    for name, style_key, values in series:
        style = LINE_STYLES[style_key]
        points = " ".join(f"{x(index)},{y(value)}" for index, value in enumerate(values))
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                points, style["stroke"], style["dash"],
            )
        )
    # The legend: two entries a row, or one a row with long names wrapped when narrow.
    columns = 1 if narrow else 2
    line_y = LEGEND_TOP
    for row_start in range(0, len(series), columns):
        row_lines = 1
        for column, (name, style_key, _) in enumerate(series[row_start:row_start + columns]):
            style = LINE_STYLES[style_key]
            column_x = column * LEGEND_COLUMN
            text, lines = _lines(name, column_x + 38, width - 38 if narrow else LEGEND_COLUMN - 38)
            row_lines = max(row_lines, lines)
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>'
                    '<text y="{}">{}</text>',
                    column_x, line_y, column_x + 30, line_y, style["stroke"], style["dash"], line_y + 5, text,
                )
            )
        line_y += LEGEND_ROW + 20 * (row_lines - 1)
    height = line_y - LEGEND_ROW + 12
    drawing = "narrow" if narrow else "wide"
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)), width, drawing)


def _month_ticks(labels, x, how_many):
    """About how_many month labels along the axis, as (index, text-anchor): always the first and the
    last (ending at the axis' end), neither cut off at the chart's edge, and between them only labels
    that do not run into their neighbours (about 9 units a character)."""
    if not labels:
        return []
    last = len(labels) - 1
    if not last:
        return [(0, "start")]
    label_width = 9 * max(len(label) for label in labels)
    gap = 12

    def extent(index, anchor):
        if anchor == "start":
            return x(index), x(index) + label_width
        if anchor == "end":
            return x(index) - label_width, x(index)
        return x(index) - label_width / 2, x(index) + label_width / 2

    every = max(1, round(len(labels) / how_many))
    ticks = [(0, "middle" if extent(0, "middle")[0] >= 0 else "start")]
    for index in range(every, last, every):
        left, right = extent(index, "middle")
        if left >= extent(*ticks[-1])[1] + gap and right + gap <= extent(last, "end")[0]:
            ticks.append((index, "middle"))
    ticks.append((last, "end"))
    return ticks


SHARE_WIDTH = 360


def share_bars(chart_id, title, description, rows):
    """One full-width bar per row, split into the row's shares, each row with its
    own legend; labels sit above the bars, so the chart stays narrow enough for a
    phone without shrinking its text.

    rows: [(row label, [(segment label, colour, value)])]. A row with nothing to
    count is drawn as an empty outline. The legend gives each segment's number.
    """
    for _, segments in rows:
        _check_counts(value for _, _, value in segments)
    parts = []
    y = 0
    for label, segments in rows:
        parts.append(format_html('<text x="0" y="{}" font-weight="bold">{}</text>', y + 16, label))
        y += 24
        total = sum(value for _, _, value in segments)
        x = 0
        for segment_label, colour, value in segments:
            if value:
                width = round(value * SHARE_WIDTH / total, 1)
                parts.append(_segment(colour, x, y, width, label, value, segment_label))
                x += width
        parts.append(
            format_html(
                '<rect class="tracker-svg-chart__outline" x="0" y="{}" width="{}" height="{}"/>',
                y, SHARE_WIDTH, BAR_HEIGHT,
            )
        )
        legend, y = _legend(
            [(f"{segment_label}: {value}", colour) for segment_label, colour, value in segments],
            y + BAR_HEIGHT + 8,
            SHARE_WIDTH,
        )
        parts.append(legend)
        y += ROW_GAP
    # Narrow enough for a phone already: one drawing for every screen.
    return _chart(title, _svg(chart_id, title, description, y, mark_safe("".join(parts)), SHARE_WIDTH))


# --- The public pages' charts ------------------------------------------------


def glance(glance):
    """The "at a glance" figures (public.headlines.Glance) as a chart: status, RAG and on-time band."""
    groups = [(heading, rows) for _, heading, rows, _ in glance.tables]
    description = " ".join(
        f"{name}: " + ", ".join(f"{row.count} {row.label.lower()}" for row in rows) + "."
        for name, rows in groups
    )
    return share_bars(
        "glance-chart",
        f"{glance.total} {glance.counted} by status, RAG rating and against the first agreed target date",
        description,
        [(name, [(row.label, row.colour, row.count) for row in rows]) for name, rows in groups],
    )


def behind_first_agreed(behind):
    """One bar of the items with a first agreed target date (public.headlines.BehindFirstAgreed):
    the three ways of being behind it (past target date, slipping, done after it), then on time."""
    _check_counts([behind.dated, behind.past_target, behind.slipping, behind.done_after])
    parts = behind.parts
    description = (
        f"Of {behind.dated} items with a first agreed target date, {behind.count} are behind it: "
        + ", ".join(f"{count} {label.lower()}" for label, _, count in parts[:3])
        + f"; {behind.on_time} on time or on track."
    )
    return share_bars(
        "behind-first-agreed-chart", "Items against their first agreed target date: how far behind it they are",
        description, [(f"{behind.dated} with a first agreed date", parts)],
    )


# --- Outcome indicators ------------------------------------------------------------

INDICATOR_HEIGHT = 200


def _check_numbers(values):
    """An indicator's values are finite numbers (whole or not, negative or not)."""
    for value in values:
        if (isinstance(value, bool) or not isinstance(value, (int, float, Decimal))
                or (not isinstance(value, int) and not math.isfinite(value))):
            raise ValueError(f"an indicator chart draws finite numbers, not {value!r}")


def indicator_line(chart_id, title, description, periods, baseline=None, target=None):
    """An indicator's published values over its periods, drawn wide and narrow (for phones).

    periods: [(label, value, follows_gap)], oldest first; follows_gap is True where the
    periods before it are missing: the line stops there and starts again, so no line is ever
    drawn through a period with no value. Each value has a dot, so a lone value shows.
    baseline and target: (label, value) or None, drawn as labelled dashed lines.
    """
    marks = [mark for mark in (baseline, target) if mark is not None]
    _check_numbers([value for _, value, _ in periods] + [value for _, value in marks])
    return _chart(
        title,
        _indicator_drawing(chart_id, title, description, periods, baseline, target, WIDTH),
        _indicator_drawing(chart_id, title, description, periods, baseline, target, NARROW_WIDTH),
    )


def _indicator_drawing(chart_id, title, description, periods, baseline, target, width):
    narrow = width < WIDTH
    left, right, top, bottom = 60, width - 10, 10, INDICATOR_HEIGHT
    numbers = [Decimal(str(value)) for _, value, _ in periods]
    numbers += [Decimal(str(mark[1])) for mark in (baseline, target) if mark is not None]
    lowest, highest = min(numbers + [Decimal(0)]), max(numbers + [Decimal(0)])
    span = (highest - lowest) or Decimal(1)
    # Each period has a place along the axis, and a missing stretch one empty place, so a gap shows as one.
    places = []
    for _, _, follows_gap in periods:
        places.append((places[-1] + 1 + bool(follows_gap)) if places else 0)
    steps = max(places[-1] if places else 0, 1)

    def x(index):
        return round(left + (right - left) * (places[index] / steps if len(periods) > 1 else 0.5), 1)

    def y(value):
        return round(float(bottom - (bottom - top) * (Decimal(str(value)) - lowest) / span), 1)

    parts = [
        format_html('<line class="tracker-svg-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', left, bottom, right, bottom),
        format_html('<line class="tracker-svg-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', left, top, left, bottom),
    ]
    for value in sorted({lowest, highest}):
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', left - 6, y(value) + 5,
                                 plain_number(value)))
    labels = [label for label, _, _ in periods]
    for index, anchor in _month_ticks(labels, x, 2 if narrow else 5):
        parts.append(format_html('<text x="{}" y="{}" text-anchor="{}">{}</text>', x(index), bottom + 22, anchor,
                                 labels[index]))
    # The line, in pieces: a new piece after every missing period.
    pieces = []
    for index, (_, value, follows_gap) in enumerate(periods):
        if follows_gap or not pieces:
            pieces.append([])
        pieces[-1].append(f"{x(index)},{y(value)}")
    for piece in pieces:
        if len(piece) > 1:
            parts.append(format_html('<polyline points="{}" fill="none" stroke="#1d3a5f" stroke-width="3"/>',
                                     " ".join(piece)))
    for index, (label, value, _) in enumerate(periods):
        parts.append(format_html('<circle cx="{}" cy="{}" r="5" fill="#1d3a5f"><title>{}: {}</title></circle>',
                                 x(index), y(value), label, plain_number(value)))
    # Baseline and target: dashed lines across, named in words in the legend below.
    legend_y = bottom + 48
    for mark, stroke, dash in ((baseline, "#505a5f", "8 5"), (target, "#00703c", "2 4")):
        if mark is None:
            continue
        name, value = mark
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>',
            left, y(value), right, y(value), stroke, dash))
        text, lines = _lines(f"{name}: {plain_number(value)}", 38, width - 38)
        parts.append(format_html(
            '<line x1="0" y1="{}" x2="30" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>'
            '<text y="{}">{}</text>', legend_y, legend_y, stroke, dash, legend_y + 5, text))
        legend_y += LEGEND_ROW + 20 * (lines - 1)
    height = legend_y - LEGEND_ROW + 12 if (baseline or target) else bottom + 32
    drawing = "narrow" if narrow else "wide"
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)), width, drawing)


def indicator(indicator, chart_id=None):
    """A public.records.PublicIndicator's published values as a line chart, with its baseline and
    target marked; the page prints the same numbers in a table beside it."""
    _check_numbers([value.value for value in indicator.values]
                   + [mark for mark in (indicator.baseline_value, indicator.target_value) if mark is not None])
    periods = [(period_words(value.period_start, value.period_end), value.value, gap)
               for value, gap in indicator.periods()]
    baseline = (f"Baseline ({short_date(indicator.baseline_date)})", indicator.baseline_value) \
        if indicator.baseline_value is not None else None
    target = (f"Target ({short_date(indicator.target_date)})", indicator.target_value) \
        if indicator.target_value is not None else None
    gaps = sum(1 for _, _, gap in periods if gap)
    description = (
        f"{indicator.name}, in {indicator.unit}, {indicator.better_label.lower()}: "
        + "; ".join(f"{label} {plain_number(value)}" for label, value, _ in periods) + "."
        + (f" {gaps} gap{'s' if gaps != 1 else ''} where periods have no published value." if gaps else "")
        + (f" {baseline[0]} {plain_number(baseline[1])}." if baseline else "")
        + (f" {target[0]} {plain_number(target[1])}." if target else "")
    )
    return indicator_line(chart_id or f"indicator-{indicator.slug}", f"{indicator.name} ({indicator.unit})",
                          description, periods, baseline, target)
