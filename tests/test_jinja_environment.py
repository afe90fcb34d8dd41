"""The Jinja2 environment's speed-ups (tracker/jinja2.py) read templates exactly as Jinja2 does."""
import pytest
from django.template import engines
from jinja2 import Environment, UndefinedError

from tracker.jinja2 import Undefined


def render(source, **context):
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("source", [
    "{{ params.text }}",  # a key
    "{{ params['items'] }}",  # a key named like a dict method, read as the macros read it
    "{{ params.items is callable }}",  # ...and as an attribute: the method, as in Jinja2
    "{{ params.get('text') }}",
    "{% if params.classes %}classes{% else %}none{% endif %}",  # a missing optional parameter
    "{{ params.nested.text }}",
    "{{ params.count + 1 }}",
])
def test_a_dict_reads_as_in_jinja2(source):
    params = {"text": "Beta", "items": ["a", "b"], "nested": {"text": "inner"}, "count": 2}
    plain = Environment(autoescape=True, undefined=Undefined).from_string(source)
    assert render(source, params=params) == plain.render(params=params)


def test_a_missing_key_printed_still_fails_loudly():
    with pytest.raises(UndefinedError):
        render("{{ params.txet }}", params={"text": "Beta"})


def test_imports_still_see_the_globals():
    """Globals.keys() is a set: an imported macro still reads the environment's globals."""
    page = render('{% from "includes/words.html" import term_link %}{{ term_link("slipping") }}')
    assert 'href="/glossary/#slipping"' in page
