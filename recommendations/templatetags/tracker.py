"""Template filters and tags for the tracker's GOV.UK-styled pages.

    {% load tracker %}
    {{ item.status|status_tag }}        -> <strong class="govuk-tag govuk-tag--blue">In progress</strong>
    {{ item.rag|rag_tag }}              -> <strong class="govuk-tag tracker-rag tracker-rag--amber">Amber</strong>
    {{ update.state|update_state_tag }} -> <strong class="govuk-tag govuk-tag--orange">Returned</strong>
    {{ part|percentage:total }}         -> 40 (whole number 0-100, for tracker-bar--N width classes)
    {% pagination_items page_obj as pages %}  (used by includes/pagination.html)
    {% service_nav_item "public:item-list" "Recommendations" "public:item-" %}
    {% if user|can:"recommendations.review_update" %}  (the role's permission, see rules.allowed)
    {{ glance|glance_chart }}           -> the "at a glance" SVG chart (charts.share_bars)

Labels are the model choices' own and colours come from the tables next to
them in models.py. Everything is built with format_html, so any unexpected
value is escaped, never marked safe.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from recommendations import charts
from recommendations.models import RAG_COLOURS, STATUS_COLOURS, UPDATE_STATE_COLOURS, Item, ProgressUpdate
from recommendations.rules import allowed

register = template.Library()


def _choice(choices, value):
    """The choice for a stored value ("" or None is "not rated" for RAG), or None if unknown."""
    try:
        return choices("" if value is None else value)
    except ValueError:
        return None


def _govuk_tag(choices, colours, value, extra_class="govuk-tag--"):
    choice = _choice(choices, value)
    if choice is None:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', value)
    return format_html('<strong class="govuk-tag {}{}">{}</strong>', extra_class, colours[choice], choice.label)


@register.filter(is_safe=True)
def status_tag(value):
    """GOV.UK tag for an item status value, e.g. "in_progress"."""
    return _govuk_tag(Item.Status, STATUS_COLOURS, value)


@register.filter(is_safe=True)
def update_state_tag(value):
    """GOV.UK tag for a progress update's review state, e.g. "submitted"."""
    return _govuk_tag(ProgressUpdate.State, UPDATE_STATE_COLOURS, value)


@register.filter(is_safe=True)
def rag_tag(value):
    """RAG badge that always shows its text label, never colour alone."""
    return _govuk_tag(Item.Rag, RAG_COLOURS, value, extra_class="tracker-rag tracker-rag--")


@register.filter
def percentage(part, total):
    """Whole-number percentage of part in total, clamped to 0-100.

    For bar widths: class="tracker-bar--{{ n|percentage:total }}". Returns 0
    when total is 0 or either value is not a number.
    """
    try:
        part = float(part)
        total = float(total)
    except (TypeError, ValueError):
        return 0
    if total <= 0:
        return 0
    return max(0, min(100, round(part * 100 / total)))


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
    href = reverse(url_name)
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
def can(user, perm):
    """Whether the user's role allows perm: {% if user|can:"recommendations.review_update" %}."""
    return allowed(user, perm)


@register.filter
def glance_chart(glance):
    """The "at a glance" figures (services.headlines.Glance) as a chart: status, RAG and on-time band."""
    groups = [(heading, rows) for _, heading, rows, _ in glance.tables]
    description = " ".join(
        f"{name}: " + ", ".join(f"{row.count} {row.label.lower()}" for row in rows) + "."
        for name, rows in groups
    )
    return charts.share_bars(
        "glance-chart",
        f"{glance.total} items by status, RAG rating and against the first agreed target date",
        description,
        [(name, [(row.label, row.colour, row.count) for row in rows]) for name, rows in groups],
    )
