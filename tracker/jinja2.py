"""The Jinja2 environment of the tracker's pages (settings.TEMPLATES, the first backend).

Templates live in <app>/jinja2/ (the layouts in tracker/jinja2/) and import the
GOV.UK Design System's macros as the Design System's own examples do:

    {% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}
    {{ govukTag(status_tag(item.status)) }}

Globals: url(name, *args) (reverse), address(name) (reverse, remembered),
static(path), can(user, action) (policies.may), and recommendations/govuk.py's
parameter builders (status_tag, rag_tag, grade_tag, update_state_tag, term_tag,
nav_item, field_params, error_summary_items, pagination), support_services()
(the signpost's services), remembered (a part
kept per public version), constant (a part of the layout rendered once per process), terms (words.TERMS: terms.past_target...). Filters: the date
words of words.py (long_date, short_date, date_and_time, long_date_and_time,
time_ago), and Django's capfirst, linebreaks, linebreaksbr, pluralize and truncatewords. Django's backend adds
request, csrf_input and csrf_token; the context processors in settings add
user, perms and messages.
"""
from collections import ChainMap

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import capfirst, linebreaks_filter, linebreaksbr, pluralize, truncatewords
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, PrefixLoader

from recommendations import charts, govuk, words
from recommendations import policies
from recommendations.public import page_cache
from recommendations.services import support_services


class Undefined(ChainableUndefined):
    """Lenient where the Design System's macros test optional params ({% if params.classes %}),
    loud where a template prints a name that does not exist ({{ itme.title }} raises), so a
    typo fails the test that renders it instead of printing nothing. StrictUndefined would
    also raise on the macros' own tests of optional params."""

    def __str__(self):
        self._fail_with_undefined_error()


# What a plain dict answers to as attributes (items, get, values...): `params.items` is the method.
DICT_ATTRIBUTES = frozenset(dir(dict))


class Globals(ChainMap):
    """A template's globals (Environment.make_globals) whose keys() is a set: Jinja2 compares
    them with the importing template's on every {% from ... import %} of every render, and
    through ChainMap's own keys() view that took 13 µs an import (the item page has 20)."""

    def keys(self):
        return set().union(*self.maps)


class TrackerEnvironment(Environment):
    """Jinja2's environment, reading a dict's keys without first failing to find an attribute.

    The Design System's macros take dicts and read them as attributes ({{ params.text }},
    {% if params.classes %}): Jinja2 tries getattr() first, and the AttributeError raised for
    every key was about a tenth of a page's time. The result is the same as Jinja2's: a
    dict's own attributes still come first (`params.items` is the method, as the macros
    expect: they write params['items']), then the key, else Undefined."""

    def make_globals(self, d):
        return Globals({} if d is None else d, self.globals)

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        # Jinja2's own, written here rather than called: every record's attribute comes this way.
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def remembered(request, name, caller):
    """{% call remembered(request, "name") %}...{% endcall %}: the enclosed part rendered once per
    public version (page_cache.remembered), even with the page cache off. Only for parts that
    show public data alone, the same for every visitor (nothing from the request or the user)."""
    return page_cache.remembered(request, f"fragment:{name}", caller)


_constant_parts = {}


def constant(name, caller):
    """{% call constant("name") %}...{% endcall %}: a part of the layout that is the same on every
    page for everyone (a component called with fixed words and addresses only: nothing from the
    user or the data, and from the request only what the name holds, such as the page's name),
    rendered once per process instead of on every page. Rendered every time with DEBUG on, so an
    edited template shows at once."""
    if settings.DEBUG:
        return caller()
    part = _constant_parts.get(name)
    if part is None:
        part = _constant_parts[name] = caller()
    return part


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options):
    options["loader"] = ChoiceLoader([
        options["loader"],
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    options["undefined"] = Undefined
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.do"]  # {% do rows.append(...) %}
    env = TrackerEnvironment(**options)
    env.globals.update(
        url=url, address=govuk.address, static=static, can=policies.may,
        status_tag=govuk.status_tag, rag_tag=govuk.rag_tag, grade_tag=govuk.grade_tag,
        update_state_tag=govuk.update_state_tag, term_tag=govuk.term_tag, nav_item=govuk.nav_item, field_params=govuk.field_params,
        error_summary_items=govuk.error_summary_items, pagination=govuk.pagination,
        support_services=support_services.current, remembered=remembered, constant=constant, terms=words.TERMS,
        charts=charts,  # the public charts (SVG): {{ charts.glance(glance) }}
    )
    env.filters.update(
        long_date=words.long_date, short_date=words.short_date, date_and_time=words.date_and_time,
        long_date_and_time=words.long_date_and_time, time_ago=words.time_ago,
        could_not_be_opened=words.could_not_be_opened,
        capfirst=capfirst, linebreaks=linebreaks_filter, linebreaksbr=linebreaksbr, pluralize=pluralize,
        truncatewords=truncatewords,
        intcomma=intcomma, plain_number=words.plain_number, period_words=words.period_words,
    )
    return env
