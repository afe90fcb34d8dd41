"""Template filters and tags for the tracker's GOV.UK-styled pages.

    {% load tracker %}
    {{ item.status|status_tag }}        -> <strong class="govuk-tag govuk-tag--blue">In progress</strong>
    {{ item.rag|rag_tag }}              -> <strong class="govuk-tag tracker-rag tracker-rag--amber">Amber</strong>
    {{ update.state|update_state_tag }} -> <strong class="govuk-tag govuk-tag--orange">Returned</strong>
    {{ part|percentage:total }}         -> 40 (whole number 0-100, for tracker-bar--N width classes)
    {% pagination_items page_obj as pages %}  (used by includes/pagination.html)
    {% service_nav_item "public:item-list" "Recommendations" "public:item-" %}
    {% address "public:contact" %}      -> /contact/ (an address without arguments, worked out once)
    {% if user|can:"review_update" %}  (the role's permission, see policies.may)
    {{ glance|glance_chart }}           -> the "at a glance" SVG chart (charts.glance)
    {{ update.published_at|long_date }} -> 9 September 2014 (as |date:"j F Y", in local time)
    {{ item.current_target_date|short_date }}, {{ entry.recorded_at|date_and_time }} (words.py)

Labels are the model choices' own and colours come from the tables next to
them in models.py. Markup is built with format_html: no value is ever
marked safe unescaped. The Jinja2 pages use none of this
(tracker/jinja2.py); it serves the pages still in Django's template language.
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html

from recommendations import charts, figures, words
from recommendations.models import (
    GRADE_COLOURS, RAG_COLOURS, STATUS_COLOURS, UPDATE_STATE_COLOURS, Item, ProgressUpdate,
)
from recommendations import policies

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
