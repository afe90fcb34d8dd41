"""
Improvement board dashboards: overview, by owner, trend, overlap, "as at" and the meeting pack.

The board sees every item; an officer sees the same pages counted over the
items their organisation works on (policies.dashboards.items_counted_for). Each page is a set of
Tables; every Table is shown on the page and can be downloaded as CSV from
"<page>/<table>.csv", built by the same code so the numbers always agree.
"""
import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from recommendations import charts, words
from recommendations.forms import AsAtForm, StrengthFilterForm
from recommendations.models import RAG_COLOURS, STATUS_COLOURS, Item, ProgressUpdate
from recommendations import policies
from recommendations import figures
from recommendations import duties
from recommendations.services import dashboards, escalation, feedback, link_checker, meeting_pack, workflow
from recommendations.services.csv_export import csv_response

# Item lists (overdue, slipping, update overdue) show this many rows on the page, the most
# urgent first; at national scale they run to thousands, which the CSV has in full.
LISTED_ON_PAGE = 25


@dataclass
class Link:
    """A table cell that links to a page on the site; CSV gets the text."""

    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Links:
    """A table cell of several links; CSV gets their texts, joined by commas."""

    links: list

    def __str__(self):
        return ", ".join(link.text for link in self.links)


@dataclass
class Table:
    slug: str
    caption: str
    header: list
    rows: list
    # Columns from this index on hold numbers (right-aligned, as GOV.UK tables do).
    numeric_from: int = 1
    empty_text: str = "None."
    csv_url: str = field(default="", repr=False)
    # How many rows there are in all, when the page holds only the first few
    # (the CSV, built with every row, has them all).
    total_rows: int | None = None

    def display_rows(self):
        return [[_display(cell) for cell in row] for row in self.rows]

    @property
    def is_cut_short(self):
        return self.total_rows is not None and self.total_rows > len(self.rows)

    def csv_rows(self):
        return [[cell.isoformat() if isinstance(cell, datetime.date) else cell for cell in row] for row in self.rows]


def _display(cell):
    if isinstance(cell, datetime.datetime):
        return words.short_date(timezone.localtime(cell).date())
    if isinstance(cell, datetime.date):
        return words.short_date(cell)
    if cell is None:
        return ""
    return cell


def _keyed(tables):
    """Tables by a name templates can use: "status_by_source" for "status-by-source"."""
    return {table.slug.replace("-", "_"): table for table in tables}


def _item_link(item):
    return _reference_link(item.reference)


def _reference_link(reference):
    return Link(reference, reverse("public:item-detail", args=[reference]))


# --- Tables and charts shared by several pages -------------------------------


def _status_table(slug, caption, first_column, groups, total):
    header = [first_column] + [label for _, label in Item.Status.choices] + ["Total", "% implemented or assured"]
    rows = [
        [group.label] + [group.by_status[value] for value in Item.Status.values] + [group.total, group.percent_done]
        for group in [*groups, total]
    ]
    return Table(slug, caption, header, rows)


def _rag_table(slug, caption, first_column, groups, total):
    header = [first_column] + Item.Rag.labels + [words.PAST_TARGET.name, words.SLIPPING.name, words.UPDATE_OVERDUE.name]
    rows = [
        [group.label]
        + [group.by_rag[value] for value in Item.Rag.values]
        + [group.overdue, group.slipping, group.update_overdue]
        for group in [*groups, total]
    ]
    return Table(slug, caption, header, rows)


def _short(label, length=26):
    return label if len(label) <= length else label[: length - 1] + "…"


def _status_chart(chart_id, title, groups):
    segments = [(status.label, STATUS_COLOURS[status]) for status in Item.Status]
    rows = [(_short(group.label), [group.by_status[value] for value in Item.Status.values]) for group in groups]
    description = "; ".join(
        f"{group.label}: {group.total} items, "
        + ", ".join(f"{group.by_status[value]} {label.lower()}" for value, label in Item.Status.choices)
        for group in groups
    )
    return charts.stacked_bars(chart_id, title, description + ".", rows, segments)


def _rag_chart(chart_id, title, groups):
    segments = [(rag.label, RAG_COLOURS[rag]) for rag in Item.Rag]
    rows = [(_short(group.label), [group.by_rag[value] for value in Item.Rag.values]) for group in groups]
    description = "; ".join(
        f"{group.label}: " + ", ".join(f"{group.by_rag[rag]} {rag.label.lower()}" for rag in Item.Rag)
        for group in groups
    )
    return charts.stacked_bars(chart_id, title, description + ".", rows, segments)


def _overview_context(items, moment, listed):
    data = dashboards.overview(items, moment, listed)
    by_source, total = data["by_source"], data["total"]
    queue = data["queue"]
    tables = [
        _status_table("status-by-source", "Items by status", "Source", by_source, total),
        _rag_table("rag-by-source", "Items by RAG rating, and items needing attention", "Source", by_source, total),
        Table(
            "overdue",
            f"Items {words.PAST_TARGET.lower}: {words.PAST_TARGET.definition}",
            ["Item", "Title", "Owner", "Lead role", "Current target date", "Days past target date"],
            [
                [_item_link(item), item.title, item.owner.short_name, item.lead_role, item.current_target_date,
                 item.days_overdue]
                for item in data["overdue"]
            ],
            numeric_from=5,
            empty_text="No item is past its target date.",
            total_rows=total.overdue,
        ),
        Table(
            "slipping",
            f"{words.SLIPPING.name} items: {words.SLIPPING.definition}",
            ["Item", "Title", "Owner", "First target date", "Current target date", "Days slipped"],
            [
                [_item_link(item), item.title, item.owner.short_name, item.baseline_target_date,
                 item.current_target_date, item.slipped_by]
                for item in data["slipping"]
            ],
            numeric_from=5,
            empty_text="No target dates have moved.",
            total_rows=total.slipping,
        ),
        Table(
            "update-overdue",
            f"Items with an {words.UPDATE_OVERDUE.lower}: {words.UPDATE_OVERDUE.definition}",
            ["Item", "Title", "Owner", "Status", "Last report from the owner"],
            [
                [_item_link(item), item.title, item.owner.short_name, item.get_status_display(),
                 item.last_reported_at or "Never"]
                for item in data["update_overdue"]
            ],
            numeric_from=99,
            empty_text="Every open item has a recent published update.",
            total_rows=total.update_overdue,
        ),
        Table(
            "review-queue",
            "Review queue",
            ["Updates waiting for review", "Oldest waiting since", "Oldest waiting update is on", "Days waiting"],
            [[queue.size, queue.oldest_submitted_at, queue.oldest_reference or "", queue.days_waiting]],
            numeric_from=0,
        ),
    ]
    return {
        **data,
        "tables": _keyed(tables),
        "status_chart": _status_chart("status-chart", "Items by status, by source", by_source),
        "rag_chart": _rag_chart("rag-chart", "Items by RAG rating, by source", by_source),
    }


# --- Pages -------------------------------------------------------------------


def _escalation_table(items):
    """Items escalating now, listed on the overview (a separate table: not part of its cached figures)."""
    return Table(
        "escalations",
        "Items escalating (past their target date, or with an update overdue)",
        ["Item", "Title", "Owner", "Step", "Escalating since", "Why", "Last told"],
        [
            [_item_link(step.item), step.item.title, step.item.owner.short_name,
             f"{step.step}: {step.get_step_display()}", step.escalating_since, step.get_reason_display(), step.sent_to]
            for step in escalation.open_escalations(items)
        ],
        numeric_from=99,
        empty_text="No item is escalating.",
    )


def _broken_links_table(items):
    """Published evidence links the link checker counts as broken (services/link_checker.py), on
    the overview: read fresh, as the checker runs apart from the workflow. One query."""
    return Table(
        "broken-links",
        "Evidence links that could not be opened (failed on checks on two different days)",
        ["Item", "Owner", "Link", "Web address", "Answer when last checked", "Last checked", "Failing since"],
        [
            [_item_link(link.item), link.item.owner.short_name, link.title, link.url, link.check_answer,
             link.checked_at, link.failing_since]
            for link in link_checker.broken_links(items)
        ],
        numeric_from=99,
        empty_text="Every published evidence link opened when last checked.",
    )


def _another_organisation_table(items):
    """Updates waiting for review that no current reviewer may decide (recommendations/duties.py): each
    reviewer belongs to the organisation whose update it is, or worked on it. Three queries."""
    return Table(
        "another-organisation",
        "Updates waiting only for a reviewer from another organisation",
        ["Item", "Title", "From", "Submitted", "Reviewers who may not decide it"],
        [
            [Link(update.item.reference, reverse("workflow:review-update", args=[update.pk])), update.item.title,
             update.organisation.short_name if update.organisation else "", update.submitted_at, update.ruled_out]
            for update in duties.waiting_for_another_organisation(workflow.waiting_for_review(items))
        ],
        numeric_from=99,
        empty_text="No update is waiting only for a reviewer from another organisation: "
                   "each update waiting for review has a reviewer who may decide it.",
    )


def _overview(request, listed):
    # The board's busiest page: its figures are worked out once per change of the data (and hour).
    user = request.user
    items = policies.dashboards.items_counted_for(user)
    kept = dashboards.kept_figures(
        f"overview:{policies.dashboards.scope(user)}:{listed}",
        lambda: _overview_context(items, figures.live(), listed),
    )
    # Escalations are recorded by a scheduled command, not by the workflow, so they are read
    # fresh; the kept figures are shared, so they are copied, never changed.
    tables = {**kept["tables"], "escalations": _escalation_table(items), "broken_links": _broken_links_table(items),
              "public_feedback": _feedback_table(feedback.counts(items), "Feedback from the public")}
    if policies.dashboards.may(user, "view_board"):
        # Fresh too: who may decide depends on reviewers' roles and organisations, which the kept
        # figures do not follow. For the whole board only: officers do not see others' submitted updates.
        tables["another_organisation"] = _another_organisation_table(items)
    return {**kept, "tables": tables}


def _owners(request, listed):
    items = policies.dashboards.items_counted_for(request.user)
    moment = figures.live()
    by_owner, owner_total = figures.counts_by_owner(items, moment)
    by_role, role_total = figures.counts_by_lead_role(items, moment)
    tables = [
        _status_table("status-by-organisation", "Items by status, by owner organisation", "Organisation",
                      by_owner, owner_total),
        _rag_table("rag-by-organisation", "RAG ratings and items needing attention, by owner organisation",
                   "Organisation", by_owner, owner_total),
        _status_table("status-by-lead-role", "Items by status, by lead role", "Lead role", by_role, role_total),
        _rag_table("rag-by-lead-role", "RAG ratings and items needing attention, by lead role", "Lead role",
                   by_role, role_total),
    ]
    return {
        "tables": _keyed(tables),
        "owner_chart": _status_chart("owner-chart", "Items by status, by owner organisation", by_owner),
    }


def _counted(n, singular, plural):
    return f"{n} {singular if n == 1 else plural}"


def _trend(request, listed):
    sections = []
    tables = []
    this_month = timezone.localdate().replace(day=1)

    def month_label(point):
        # This month has not ended: its figures are as they stand today.
        return words.month_and_year(point.month) + (" (to date)" if point.month == this_month else "")

    for series in dashboards.trend(policies.dashboards.items_counted_for(request.user)):
        source, points = series["source"], series["points"]
        table = Table(
            f"trend-{source.code.lower()}",
            f"{source.short_title}: items at the end of each month",
            ["Month", "Items tracked at the end of the month",
             "Planned to be done by the end of the month (first agreed target date)",
             "Implemented or assured at the end of the month",
             "Closed without being implemented at the end of the month (not implemented or superseded)",
             "No target date at the end of the month"],
            [[month_label(point), point.tracked, point.planned, point.delivered, point.closed, point.no_target_date]
             for point in points],
        )
        tables.append(table)
        last = points[-1]
        chart = charts.burn_up(
            f"trend-{source.code.lower()}-chart",
            f"{source.short_title}: items tracked, planned and done, month by month",
            f"By {words.month_and_year(last.month)}, {_counted(last.tracked, 'item was', 'items were')} tracked: "
            f"{_counted(last.planned, 'was', 'were')} planned to be done, "
            f"{_counted(last.delivered, 'was', 'were')} implemented or assured, "
            f"{last.closed} closed without being implemented and "
            f"{last.no_target_date} had no target date.",
            [words.short_month(point.month) for point in points],
            [
                ("All items tracked", "tracked", [point.tracked for point in points]),
                ("Planned (first agreed target dates)", "planned", [point.planned for point in points]),
                ("Implemented or assured", "delivered", [point.delivered for point in points]),
                ("No target date", "no_target_date", [point.no_target_date for point in points]),
            ],
        )
        sections.append({"source": source, "chart": chart, "table": table})
    return {"sections": sections, "tables": _keyed(tables)}


def _overlap(request, listed):
    data = dashboards.overlap(policies.dashboards.items_counted_for(request.user))
    sources = data["sources"]
    tables = [
        Table(
            "actions-by-source",
            "Which actions answer which items, by source",
            ["Action", "Title"] + [source.short_title for source in sources] + ["Sources answered"],
            [
                [row["reference"], row["title"]]
                + [Links([_reference_link(reference) for reference in cell]) for cell in row["cells"]]
                + [row["source_count"]]
                for row in data["actions"]
            ],
            numeric_from=2 + len(sources),
            empty_text="No actions answer these items yet.",
        ),
        Table(
            "uncovered-items",
            "Items no action answers",
            ["Item", "Title", "Source", "Owner"],
            [[_item_link(item), item.title, item.source.short_title, item.owner.short_name]
             for item in data["uncovered"]],
            numeric_from=99,
            empty_text="Every item is answered by at least one action.",
        ),
    ]
    return {"tables": _keyed(tables), "overlapping": sum(
        1 for row in data["actions"] if row["source_count"] > 1
    )}


def _assurance(request, listed):
    form = StrengthFilterForm(request.GET)
    strength = form.cleaned_data["strength"] if form.is_valid() else ""
    data = dashboards.assurance(policies.dashboards.items_counted_for(request.user), strength, listed)
    page = reverse("board:assurance")
    labels = dict(ProgressUpdate.EvidenceStrength.choices)
    tables = [
        Table(
            "assured-by-strength",
            "Assured items by the strength of the evidence the board saw",
            ["Evidence strength", "Assured items"],
            [[Link(label, f"{page}?strength={value}") if value else label, n]
             for value, label, n in data["by_strength"]] + [["All assured items", data["total"]]],
        ),
        Table(
            "assured-items",
            f"Assured items{': evidence ' + labels[strength].lower() if strength else ''}",
            ["Item", "Title", "Owner", "Assured on", "Evidence strength"],
            [[_item_link(item), item.title, item.owner.short_name, item.assured_at,
              labels.get(item.evidence_strength, dashboards.NOT_RECORDED)] for item in data["items"]],
            numeric_from=99,
            empty_text="No items are assured with this strength of evidence." if strength else "No items are assured yet.",
            total_rows=data["listed_total"],
        ),
    ]
    return {"form": form, "strength": strength, "tables": _keyed(tables),
            "query_string": f"strength={strength}" if strength else ""}


def _as_at(request, listed):
    form = AsAtForm(request.GET if request.GET else None)
    context = {"form": form, "tables": {}, "query_string": request.GET.urlencode()}
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"]
        items = policies.dashboards.items_counted_for(request.user)
        context.update(_overview_context(items, figures.at_end_of(day), listed))
        context["as_at"] = day
        # Items added to the tracker after that day are not counted: say so, with how many.
        context["tracked_now"] = items.count()
        context["not_yet_tracked"] = context["tracked_now"] - context["total"].total
    return context


def _feedback_table(counts, caption):
    """Feedback from the public ("Is this right? Tell the board"): received, answered, waiting."""
    return Table(
        "public-feedback", caption, ["Received", "Answered (a reply or a published response)", "Waiting now"],
        [[counts["received"], counts["answered"], counts["waiting"]]], numeric_from=0,
    )


def _pack_tables(pack):
    since = words.short_date(pack["since"])
    return [
        _feedback_table(pack["feedback"], f"Feedback from the public since {since}"),
        Table(
            "headline",
            f"Headline figures: at the end of {since} and today",
            ["Figure", f"End of {since}", "Today", "Change"],
            [[figure.label, figure.then, figure.now, figure.change_text] for figure in pack["headline"]],
        ),
        Table(
            "published",
            f"Updates and board decisions published since {since}",
            ["Item", "Title", "What", "By", "Published"],
            [[_item_link(update.item), update.item.title, update.get_kind_display(),
              update.organisation.short_name if update.organisation else update.BOARD_NAME, update.published_at]
             for update in pack["published"]],
            numeric_from=99,
            empty_text="Nothing has been published since then.",
        ),
        Table(
            "returned",
            f"Updates returned to officers since {since}",
            ["Item", "Organisation", "Returned"],
            [[_reference_link(row["item__reference"]), row["organisation__short_name"] or "", row["reviewed_at"]]
             for row in pack["returned"]],
            numeric_from=99,
            empty_text="No update has been returned since then.",
        ),
        Table(
            "slipped",
            f"Items whose target date moved later since {since}",
            ["Item", "Title", "Owner", "Target date then", "Target date now", "Days moved"],
            [[_item_link(item), item.title, item.owner.short_name, item.was_target, item.current_target_date,
              item.moved_by] for item in pack["slipped"]],
            numeric_from=5,
            empty_text="No target date has moved later since then.",
        ),
        Table(
            "became-overdue",
            f"Items that went past their target date since {since}",
            ["Item", "Title", "Owner", "Current target date", "Days past target date"],
            [[_item_link(item), item.title, item.owner.short_name, item.current_target_date, item.days_overdue]
             for item in pack["became_overdue"]],
            numeric_from=4,
            empty_text="No item has gone past its target date since then.",
        ),
        Table(
            "waiting-for-assurance",
            "Items waiting for assurance (reported implemented, not yet assured)",
            ["Item", "Title", "Owner", "Lead role"],
            [[_item_link(item), item.title, item.owner.short_name, item.lead_role] for item in pack["to_assure"]],
            numeric_from=99,
            empty_text="No item is waiting for assurance.",
        ),
        Table(
            "indicators",
            f"Outcome indicators: the latest published value at the end of {since} and today",
            ["Indicator", "Unit", f"End of {since}", "Today", "Period of today's value", "Published since",
             "Baseline", "Target"],
            [[row.indicator.name, row.indicator.unit, _indicator_value(row.then), _indicator_value(row.now),
              words.period_words(row.now.period_start, row.now.period_end) if row.now else "",
              row.new_values, _indicator_mark(row.indicator.baseline_value, row.indicator.baseline_date),
              _indicator_mark(row.indicator.target_value, row.indicator.target_date)]
             for row in pack["indicators"]],
            numeric_from=99,
            empty_text="No outcome indicator is linked to these items.",
        ),
        Table(
            "decisions",
            "Decisions needed",
            ["Item", "Decision", "Title", "Detail", "Waiting since"],
            [[_item_link(decision.item), decision.kind, decision.item.title, decision.detail, decision.since]
             for decision in pack["decisions"]],
            numeric_from=99,
            empty_text="No decision is waiting for the board.",
        ),
    ]


def _indicator_value(value):
    return words.plain_number(value.value) if value else "None published"


def _indicator_mark(number, day):
    return f"{words.plain_number(number)} ({words.short_date(day)})" if number is not None else "Not yet agreed"


def _pack(request, listed):
    today = timezone.localdate()
    default = meeting_pack.default_since(today)
    form = AsAtForm(request.GET or None, initial={"date": default}, legend="Changes since the last meeting, held on")
    context = {"form": form, "tables": {}, "query_string": request.GET.urlencode()}
    if form.is_bound and not form.is_valid():
        return context
    since = form.cleaned_data["date"] if form.is_bound else default
    pack = meeting_pack.meeting_pack(policies.dashboards.items_counted_for(request.user), since)
    context.update(pack=pack, since=since, tables=_keyed(_pack_tables(pack)), board_name=meeting_pack.BOARD_NAME)
    return context


# Each page's builder takes the request and how many rows of long item lists to
# fetch (None: all of them, for a CSV download); only the overview lists items.
PAGES = {
    "overview": (_overview, "Overview"),
    "owners": (_owners, "By owner"),
    "trend": (_trend, "Trend"),
    "overlap": (_overlap, "Overlap"),
    "assurance": (_assurance, "Assurance"),
    "as-at": (_as_at, "As at a date"),
    "pack": (_pack, "Meeting pack"),
}


def _page(name):
    build, _ = PAGES[name]

    @login_required
    def view(request, table=None):
        if not policies.dashboards.may(request.user, "view_own_dashboard"):
            raise PermissionDenied
        # A page lists the first few rows of long item lists; a CSV has every row.
        # A copy: the overview's context is kept between requests (dashboards.kept_figures).
        context = dict(build(request, None if table is not None else LISTED_ON_PAGE))
        tables = {each.slug: each for each in context["tables"].values()}
        for slug, each in tables.items():
            each.csv_url = reverse(f"board:{name}-csv", args=[slug])
            if context.get("query_string"):
                each.csv_url += "?" + context["query_string"]
        if table is not None:
            if table not in tables:
                raise Http404("No such table on this dashboard.")
            chosen = tables[table]
            return csv_response(f"{name}-{table}.csv", chosen.header, chosen.csv_rows())
        context.update(
            page=name,
            pages=[(key, label, reverse(f"board:{key}")) for key, (_, label) in PAGES.items()],
            whole_board=policies.dashboards.may(request.user, "view_board"),
        )
        return render(request, f"recommendations/board/{name.replace('-', '_')}.html", context)

    view.__name__ = name.replace("-", "_")
    return view


overview = _page("overview")
owners = _page("owners")
trend = _page("trend")
overlap = _page("overlap")
assurance = _page("assurance")
as_at = _page("as-at")
pack = _page("pack")
