"""Template filters and tags for the tracker's GOV.UK-styled pages.

    {% load tracker %}
    {{ item.status|status_tag }}        -> <strong class="govuk-tag govuk-tag--blue">In progress</strong>
    {{ item.rag|rag_tag }}              -> <strong class="govuk-tag tracker-rag tracker-rag--amber">Amber</strong>
    {{ update.state|update_state_tag }} -> <strong class="govuk-tag govuk-tag--orange">Returned</strong>
    {{ part|percentage:total }}         -> 40 (whole number 0-100, for tracker-bar--N width classes)
    {% pagination_items page_obj as pages %}  (used by includes/pagination.html)
    {% service_nav_item "public:item-list" "Recommendations" "public:item-" %}
    {% address "public:contact" %}      -> /contact/ (an address without arguments, worked out once)
    {% item_rows items show_source %}   (the rows of the public item table, _item_table.html)
    {% form_groups form "govuk-label--s" %}  (every field as includes/field.html writes it)
    {% evidence_links links %}          (public evidence links, each with the site it goes to)
    {% published_updates updates %}     (an item page's published progress, newest first)
    {% table_rows table %}              (the rows of a board Table, board/_table.html)
    {% remembered "name" %}...{% endremembered %}  (rendered once per public version)
    {% if user|can:"review_update" %}  (the role's permission, see policies.may)
    {{ glance|glance_chart }}           -> the "at a glance" SVG chart (charts.glance)
    {{ update.published_at|long_date }} -> 9 September 2014 (as |date:"j F Y", in local time)
    {{ item.current_target_date|short_date }}, {{ entry.recorded_at|date_and_time }} (words.py)

Labels are the model choices' own and colours come from the tables next to
them in models.py. Markup is built with format_html, or, on the hottest
paths (item rows, published progress, evidence links), with every value
passed through html.escape first: no value is ever marked safe unescaped.
"""

import html
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import get_language

from recommendations import charts, figures, words
from recommendations.models import (
    GRADE_COLOURS, RAG_COLOURS, STATUS_COLOURS, UPDATE_STATE_COLOURS, Item, ProgressUpdate,
)
from recommendations.public import page_cache
from recommendations import policies
from recommendations.words import long_date, short_date

register = template.Library()

_COLOURS = {"status": STATUS_COLOURS, "update_state": UPDATE_STATE_COLOURS, "rag": RAG_COLOURS,
            "grade": GRADE_COLOURS}


def _choice(choices, value):
    """The choice for a stored value ("" or None is "not rated" for RAG), or None if unknown."""
    try:
        return choices("" if value is None else value)
    except ValueError:
        return None


# A tag depends only on its value, and a page shows hundreds of them: each is built once.
@lru_cache(maxsize=256)
def _govuk_tag(choices, colours_name, value, extra_class="govuk-tag--"):
    colours = _COLOURS[colours_name]
    choice = _choice(choices, value)
    if choice is None:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', value)
    return format_html('<strong class="govuk-tag {}{}">{}</strong>', extra_class, colours[choice], choice.label)


@register.filter(is_safe=True)
def status_tag(value):
    """GOV.UK tag for an item status value, e.g. "in_progress"."""
    return _govuk_tag(Item.Status, "status", value)


@register.filter(is_safe=True)
def grade_tag(value):
    """GOV.UK tag for a judgement's grade, e.g. "requires-improvement"."""
    return _govuk_tag(Item.Grade, "grade", value)


@register.filter(is_safe=True)
def update_state_tag(value):
    """GOV.UK tag for a progress update's review state, e.g. "submitted"."""
    return _govuk_tag(ProgressUpdate.State, "update_state", value)


@register.filter(is_safe=True)
def rag_tag(value):
    """RAG badge that always shows its text label, never colour alone."""
    return _govuk_tag(Item.Rag, "rag", value, extra_class="tracker-rag tracker-rag--")


register.filter("percentage", figures.percentage)


@register.simple_tag
def pagination_items(page_obj, on_each_side=1, on_ends=1):
    """Page links for the GOV.UK pagination component.

    Returns a list of dicts: {"number": int | None, "current": bool,
    "ellipsis": bool}, using Django's elided page range so long lists stay
    short ("1 … 4 5 6 … 20").
    """
    paginator = page_obj.paginator
    items = []
    for number in paginator.get_elided_page_range(
        page_obj.number, on_each_side=on_each_side, on_ends=on_ends
    ):
        if not isinstance(number, int):  # paginator.ELLIPSIS
            items.append({"number": None, "current": False, "ellipsis": True})
        else:
            items.append({"number": number, "current": number == page_obj.number, "ellipsis": False})
    return items


@register.simple_tag
def address(url_name):
    """The address of a page that takes no arguments, as {% url %} gives it, worked
    out once per process: the layout of every page links to the same dozen pages,
    and reverse() for them was a quarter of a plain page's time."""
    return _address(url_name, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=None)
def _address(url_name, urlconf, script_prefix):
    return reverse(url_name, urlconf=urlconf)


@register.simple_tag(takes_context=True)
def service_nav_item(context, url_name, text, *sections):
    """One item of the GOV.UK service navigation, marked when current.

    The link is aria-current="page" when the current view is url_name, and
    aria-current="true" when the current view name starts with one of
    `sections` (e.g. "public:item-" keeps "Recommendations" marked on an
    item's page). The label is wrapped in <strong> when current, so the state
    still shows if the user overrides colours or styles.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    view_name = getattr(match, "view_name", "") or ""
    if view_name == url_name:
        current = "page"
    elif view_name and any(view_name.startswith(section) for section in sections):
        current = "true"
    else:
        current = ""
    href = address(url_name)
    if not current:
        return format_html(
            '<li class="govuk-service-navigation__item">'
            '<a class="govuk-service-navigation__link" href="{}">{}</a></li>',
            href,
            text,
        )
    return format_html(
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        '<a class="govuk-service-navigation__link" href="{}" aria-current="{}">'
        '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
        href,
        current,
        text,
    )


@register.filter
def can(user, action):
    """Whether the user's role allows action: {% if user|can:"review_update" %}."""
    return policies.may(user, action)


@register.filter
def glance_chart(glance):
    return charts.glance(glance)


# Dates and moments as words.py writes them (a moment in local time; "" for anything else):
# the same words as |date with "j F Y", "j M Y", "j M Y, H:i" and "j F Y, H:i".
register.filter("long_date", words.long_date)
register.filter("short_date", words.short_date)
register.filter("date_and_time", words.date_and_time)
register.filter("long_date_and_time", words.long_date_and_time)
register.filter("time_ago", words.time_ago)


@register.simple_tag(takes_context=True)
def form_groups(context, form, label_class=""):
    """Every field of a public filter form, each as includes/field.html writes it.

    Text inputs, select lists and single checkboxes are written here in Python,
    with the include's markup: through the include, the item filters' nine
    fields were a third of the item list's time. Other kinds of field (radios,
    checkbox lists, fieldsets, hidden) still go through the include.

    A select list or checkbox without errors is the same for every visitor who
    chose the same value, until the next public change (its options come from
    public data): each is kept per public version and value, so a filtered list
    writes only its search box. Only for forms that show public data alone.
    """
    request = context.get("request")
    groups = []
    for field in form:
        if request is None or field.errors or field.widget_type not in ("plainselect", "checkbox"):
            groups.append(_form_group(field, label_class))
        else:
            key = f"form-group:{type(form).__name__}:{field.name}:{field.value()!r}:{label_class}"
            groups.append(page_cache.remembered(request, key, lambda field=field: _form_group(field, label_class)))
    return mark_safe("".join(groups))


def _form_group(field, label_class):
    widget_type = field.widget_type
    if field.is_hidden or field.use_fieldset or widget_type in ("radioselect", "checkboxselectmultiple"):
        return render_to_string("includes/field.html", {"field": field, "label_class": label_class})
    group_class = "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"
    errors = format_html(
        '<p class="govuk-error-message" id="{}_error">{}</p>', field.auto_id,
        mark_safe("<br>".join(format_html('<span class="govuk-visually-hidden">Error:</span> {}', error)
                              for error in field.errors)),
    ) if field.errors else ""
    if widget_type == "checkbox":
        hint = format_html('<div class="govuk-hint govuk-checkboxes__hint" id="{}_helptext">{}</div>',
                           field.auto_id, mark_safe(field.help_text)) if field.help_text else ""
        return format_html(
            '<div class="{}">{}<div class="govuk-checkboxes" data-module="govuk-checkboxes">'
            '<div class="govuk-checkboxes__item">{}'
            '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>{}</div></div></div>',
            group_class, errors, field, field.id_for_label, field.label, hint,
        )
    hint = format_html('<div class="govuk-hint" id="{}_helptext">{}</div>',
                       field.auto_id, mark_safe(field.help_text)) if field.help_text else ""
    return format_html(
        '<div class="{}"><label class="govuk-label{}" for="{}">{}</label>{}{}{}</div>',
        group_class, f" {label_class}" if label_class else "", field.id_for_label, field.label, hint, errors, field,
    )


@register.simple_tag
def evidence_links(links):
    """Public evidence links (PublicEvidence) as a bullet list, each with the site it really
    goes to and its date. A tag rather than an include: an item page lists the evidence of
    every published update."""
    return mark_safe(_evidence_list(links))


def _evidence_list(links):
    escape = html.escape
    return '<ul class="govuk-list govuk-list--bullet">' + "".join(
        f'<li><a class="govuk-link" href="{escape(link.url)}" rel="noopener nofollow">{escape(link.title)}</a> '
        f'<span class="govuk-hint govuk-!-display-inline">({escape(link.host)})</span> ({long_date(link.date)})</li>'
        for link in links
    ) + "</ul>"


@register.simple_tag
def published_updates(updates):
    """An item page's published progress (PublicUpdate records), one entry each.

    Written out in Python, like item_rows: an item with a long history lists
    every update, and the template loop was most of the page's rendering. Every
    value is escaped (the narrative as linebreaksbr escapes it).
    """
    escape = html.escape  # Django's escape without its lazy-text check: these are plain strings
    zone = timezone.get_current_timezone()
    entries = []
    for update in updates:
        what = update.kind_label if update.is_board_decision else update.status_label.capitalize()
        rag = f" RAG {rag_tag(update.rag)}" if update.rag else ""
        target = ""
        if update.target_date:
            reason = f". Reason for the change: {escape(update.target_date_reason)}" if update.target_date_reason else ""
            target = f'<p class="govuk-body">Target date: {long_date(update.target_date)}{reason}</p>'
        evidence = (f'<p class="govuk-body govuk-!-margin-bottom-1">Evidence:</p>{_evidence_list(update.evidence)}'
                    if update.evidence else "")
        narrative = escape(normalize_newlines(update.narrative)).replace("\n", "<br>")
        entries.append(
            f'<div class="tracker-update" id="update-{update.id}">'
            f'<h3 class="govuk-heading-s govuk-!-margin-bottom-1">'
            f'{long_date(timezone.localtime(update.published_at, zone))}: {escape(what)}</h3>'
            f'<p class="govuk-body-s govuk-!-margin-bottom-2">Reported by {escape(update.organisation_name)}. '
            f'Status {status_tag(update.status)}{rag}</p>'
            f'<p class="govuk-body">{narrative}</p>{target}{evidence}</div>'
        )
    return mark_safe("".join(entries))


# Past target date and update overdue (words.py), each in its own tag colour so they never look alike.
PAST_TARGET_TAG = f'<br><strong class="govuk-tag govuk-tag--{words.PAST_TARGET.tag_colour}">{words.PAST_TARGET.name}</strong>'
UPDATE_OVERDUE_TAG = (f'<br><strong class="govuk-tag govuk-tag--{words.UPDATE_OVERDUE.tag_colour}">'
                      f'{words.UPDATE_OVERDUE.name}</strong>')


@register.simple_tag
def item_rows(items, show_source=False):
    """The rows of the public item table (recommendations/public/_item_table.html), from PublicItem records.

    Written out in Python rather than template tags and filters per row: the
    items list shows 50 rows of eight values, and rendering them one template
    node at a time was the largest part of the page's time. Every value is
    escaped; the markup is the table's own. Cells after the first carry their
    column's name (data-label), which a phone shows as the table stacks.
    """
    hint = '<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">'
    escape = html.escape  # Django's escape without its lazy-text check: 300 plain strings a page
    language = get_language()
    rows = []
    for item in items:
        source = f"{hint}{escape(item.source.short_title)}</span>" if show_source else ""
        slipped = (f"{hint}First agreed: {short_date(item.baseline_target_date, language)}</span>"
                   if item.days_slipped else "")
        overdue = PAST_TARGET_TAG if item.is_overdue else ""
        update_overdue = UPDATE_OVERDUE_TAG if item.update_overdue else ""
        if item.is_judgement:  # a grade, not a task: its latest grade and when, never a status or target date
            latest = item.latest_grade
            where_it_stands = f"Judgement: {grade_tag(latest.grade)}"
            when = f"Graded {escape(short_date(latest.judged_on, language))}"
            when_label = "Date"
        else:
            where_it_stands = f"{status_tag(item.status)}<br>RAG: {rag_tag(item.rag)}{update_overdue}"
            when = (f"      {escape(short_date(item.current_target_date, language) or 'Not set')}\n"
                    f"      {slipped}\n"
                    f"      {overdue}\n")
            when_label = "Target date"
        rows.append(
            '  <tr class="govuk-table__row">\n'
            '    <td class="govuk-table__cell">\n'
            f'      <a class="govuk-link govuk-!-font-weight-bold" href="{escape(item.get_absolute_url())}">'
            f"{escape(item.reference)}</a><br>\n"
            f"      {escape(item.title)}\n"
            f"      {source}\n"
            "    </td>\n"
            f'    <td class="govuk-table__cell" data-label="Owner">{escape(item.owner_short_name)}</td>\n'
            f'    <td class="govuk-table__cell" data-label="Status">{where_it_stands}</td>\n'
            f'    <td class="govuk-table__cell" data-label="{when_label}">\n'
            f"{when}"
            "    </td>\n"
            "  </tr>\n"
        )
    return mark_safe("".join(rows))


def _cell_html(cell):
    """One dashboard cell as the template wrote it: a link, several links, or the value (localized, escaped)."""
    if getattr(cell, "url", None):
        return f'<a class="govuk-link" href="{conditional_escape(cell.url)}">{conditional_escape(cell.text)}</a>'
    links = getattr(cell, "links", None)
    if links:
        return ", ".join(
            f'<a class="govuk-link" href="{conditional_escape(link.url)}">{conditional_escape(link.text)}</a>'
            for link in links
        )
    return conditional_escape(formats.localize(cell))


@register.simple_tag
def table_rows(table):
    """The body rows of a board dashboard Table (views/board.py), for board/_table.html.

    Written out in Python: the overview's tables hold about 150 rows of up to
    ten cells, and resolving each cell through template tags was most of the
    page's time. The first cell is the row header; cells from
    table.numeric_from on are numbers.
    """
    numeric_from = table.numeric_from
    # Each cell's column name, shown beside it when the table stacks on a phone.
    labels = [f' data-label="{conditional_escape(heading)}"' for heading in table.header]
    header_class = "govuk-table__header govuk-table__header--numeric" if numeric_from == 0 else "govuk-table__header"
    rows = []
    for row in table.display_rows():
        cells = []
        for index, cell in enumerate(row):
            if index == 0:
                cells.append(f'<th scope="row" class="{header_class}">{_cell_html(cell)}</th>')
            else:
                numeric = " govuk-table__cell--numeric" if index >= numeric_from else ""
                label = labels[index] if index < len(labels) else ""
                cells.append(f'<td class="govuk-table__cell{numeric}"{label}>{_cell_html(cell)}</td>')
        rows.append('      <tr class="govuk-table__row">\n        ' + "\n        ".join(cells) + "\n      </tr>\n")
    return mark_safe("".join(rows))


class RememberedNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        return page_cache.remembered(request, f"fragment:{self.name}", lambda: self.nodelist.render(context))


@register.tag
def remembered(parser, token):
    """{% remembered "name" %}...{% endremembered %}: the enclosed part rendered once per public version.

    Only for parts that show public data alone, the same for every visitor and every
    signed-in person (nothing from the request, the user or messages): they are kept
    until the next public change (page_cache.remembered), in each process even when
    the page cache is off, and reused by every page that shows them.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% remembered "name" %}...{% endremembered %}.')
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    return RememberedNode(bits[1][1:-1], nodelist)
