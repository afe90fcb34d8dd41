"""
Server-rendered SVG charts for the board dashboards.

No JavaScript and no style="" attributes (the Content Security Policy forbids
them): colours come from the .tracker-svg-chart classes in tracker.scss or SVG
presentation attributes. Every chart has role="img", a <title> and a <desc>
that says the main numbers in words, and every page prints the same numbers
in a table beside the chart, so a chart is never the only way to read one.
All text goes through format_html, so names are escaped.
"""
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 50
BAR_HEIGHT = 24
ROW_GAP = 12
LEGEND_ROW = 28


def _svg(chart_id, title, description, height, body, width=WIDTH):
    # The chart scales down with the screen, but never below 3/4 of its size (the
    # --<width> class), so its 16px labels stay at least 12px; a narrower screen
    # scrolls the chart inside its own region rather than the page.
    return format_html(
        '<div class="tracker-chart-wrapper govuk-!-margin-bottom-6" role="region" aria-label="Chart: {}" tabindex="0">'
        '<svg class="tracker-svg-chart tracker-svg-chart--{}" xmlns="http://www.w3.org/2000/svg"'
        ' viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg></div>',
        title, width, width, height, width, height, chart_id, chart_id, chart_id, title, chart_id, description, body,
    )


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
    """Horizontal stacked bars on one scale.

    rows: [(row label, [value per segment])]; segments: [(segment label, colour)].
    The row's total is printed at the end of its bar.
    """
    largest = max((sum(values) for _, values in rows), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    parts = []
    y = 0
    for label, values in rows:
        parts.append(format_html('<text x="0" y="{}">{}</text>', y + 17, label))
        x = LABEL_WIDTH
        for (segment_label, colour), value in zip(segments, values):
            if value:
                width = round(value * scale, 1)
                parts.append(_segment(colour, x, y, width, label, value, segment_label))
                x += width
        parts.append(format_html('<text x="{}" y="{}">{}</text>', round(x + 6, 1), y + 17, sum(values)))
        y += BAR_HEIGHT + ROW_GAP
    parts.append(
        format_html(
            '<line class="tracker-svg-chart__axis" x1="{}" y1="0" x2="{}" y2="{}"/>', LABEL_WIDTH, LABEL_WIDTH, y - ROW_GAP
        )
    )
    legend, height = _legend(segments, y + 8)
    return _svg(chart_id, title, description, height, mark_safe("".join(parts) + legend))


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
    """A line chart of cumulative counts over months.

    labels: one text per point (e.g. "Mar 2015"); series: [(name, style key, [values])]. The
    scale reaches the largest value of any series, so a series of every item keeps a part
    done from looking like the whole.
    """
    legend_rows = (len(series) + 1) // 2
    height = LEGEND_TOP + 12 + (legend_rows - 1) * LEGEND_ROW
    left, right, top, bottom = 40, WIDTH - 10, 10, 200
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
    # About six month labels along the axis, always including the first and last.
    every = max(1, round(len(labels) / 6))
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            # The last label ends at the axis' end, so it is not cut off at the chart's edge.
            anchor = "end" if index == len(labels) - 1 and index else "middle"
            parts.append(
                format_html('<text x="{}" y="{}" text-anchor="{}">{}</text>', x(index), bottom + 22, anchor, label)
            )
    legend = []
    for name, style_key, values in series:
        style = LINE_STYLES[style_key]
        points = " ".join(f"{x(index)},{y(value)}" for index, value in enumerate(values))
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>',
                points, style["stroke"], style["dash"],
            )
        )
        legend.append((name, style_key))
    legend_parts = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>'
        '<text x="{}" y="{}">{}</text>',
        (
            (
                column, line_y, column + 30, line_y, LINE_STYLES[key]["stroke"], LINE_STYLES[key]["dash"],
                column + 38, line_y + 5, name,
            )
            for column, line_y, name, key in (
                (index % 2 * LEGEND_COLUMN, LEGEND_TOP + index // 2 * LEGEND_ROW, name, key)
                for index, (name, key) in enumerate(legend)
            )
        ),
    )
    return _svg(chart_id, title, description, height, mark_safe("".join(parts) + legend_parts))


SHARE_WIDTH = 360


def share_bars(chart_id, title, description, rows):
    """One full-width bar per row, split into the row's shares, each row with its
    own legend; labels sit above the bars, so the chart stays narrow enough for a
    phone without shrinking its text.

    rows: [(row label, [(segment label, colour, value)])]. A row with nothing to
    count is drawn as an empty outline. The legend gives each segment's number.
    """
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
    return _svg(chart_id, title, description, y, mark_safe("".join(parts)), SHARE_WIDTH)
