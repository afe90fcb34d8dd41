"""The tracker's defined words (recommendations/words.py) on pages, each linked to its
entry on the glossary page, and the home page's chart of items behind the first agreed date.

  {% load glossary %}
  {% term_link "past_target" %}       -> <a href="/glossary/#past-target-date">past target date</a>
  {% term_tag "update_overdue" %}     -> the term as its own GOV.UK tag (words.Term.tag_colour)
  {% meaning_link "slipping" %}       -> a link "What “slipping” means"
  {{ glance.behind_first_agreed|behind_first_agreed_chart }} -> public.headlines.BehindFirstAgreed's bar
      (charts.behind_first_agreed)
"""
from django import template
from django.urls import reverse
from django.utils.html import format_html

from recommendations import charts, words

register = template.Library()

TERMS = words.TERMS


def glossary_url(term):
    return f"{reverse('public:glossary')}#{term.anchor}"


@register.simple_tag
def term_link(key, text=""):
    """The term (or `text`) linked to its meaning on the glossary page."""
    term = TERMS[key]
    return format_html('<a class="govuk-link" href="{}">{}</a>', glossary_url(term), text or term.lower)


@register.simple_tag
def meaning_link(key):
    """A small link to what the term means: "What “past target date” means"."""
    term = TERMS[key]
    return format_html('<a class="govuk-link govuk-!-font-size-16" href="{}">What “{}” means</a>',
                       glossary_url(term), term.lower)


@register.simple_tag
def term_tag(key):
    """The term as a GOV.UK tag in its own colour: "Past target date" and "Update overdue" never look alike."""
    term = TERMS[key]
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', term.tag_colour, term.name)


@register.simple_tag
def term_definition(key):
    return TERMS[key].definition


@register.filter
def behind_first_agreed_chart(behind):
    return charts.behind_first_agreed(behind)
