"""A source file with a value of the wrong type anywhere (a list, a mapping, a number, nothing or
true/false where text is expected, and so on) is refused with a message naming the key and its line,
and nothing is written: through the admin upload and through load_sources.

The cases are made from a valid file that uses every key (tests/files/every_field.yaml): each of its
values, and each entry of each of its lists, is replaced in turn by every type it is not."""
import html
import re
from io import StringIO

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from recommendations.models import Source
from recommendations.services import sources
from tests.admin_helpers import sign_in_with_two_factor
from tests.helpers import SEEDS, tracker_snapshot

VALID = SEEDS.parent / "tests" / "files" / "every_field.yaml"
UPLOAD = "/admin/recommendations/source/upload/"
APPLY = "/admin/recommendations/source/upload/apply/"
# Each wrong value on one line, so the lines after it keep their numbers.
WRONG = {"list": "[wrong, values]", "mapping": "{wrong: value}", "number": "42", "null": "null", "bool": "yes"}
PYTHON_TYPES = {"list": list, "mapping": dict, "number": int, "null": type(None), "bool": bool}


def kind_of(node):
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "number" if node.tag == "tag:yaml.org,2002:int" else "text"


def places(node, path=()):
    """(path, what the message must name, line, node) for each value and each list entry in the file."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield path + (key.value,), f"'{key.value}'", key.start_mark.line + 1, value
            yield from places(value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for index, entry in enumerate(node.value, start=1):
            yield path + (index - 1,), f"'{path[-1]}' entry {index}", entry.start_mark.line + 1, entry
            yield from places(entry, path + (index - 1,))


def end_of(node):
    """Where the text of a value ends (a block list or mapping ends with its last value)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        return node.end_mark.index
    last = node.value[-1]
    return end_of(last[1] if isinstance(node, yaml.MappingNode) else last)


def cases(wrong):
    """(where, broken file, what the message must name, line) for each place that is not of type `wrong`."""
    text = VALID.read_text()
    for path, named, line, node in places(yaml.compose(text)):
        if kind_of(node) != wrong:
            yield path, text[:node.start_mark.index] + WRONG[wrong] + text[end_of(node):], named, line


def keys_of(shape, path=()):
    """The path of every key a source file may have, from the description of its shape (sources.DOCUMENT)."""
    shape = getattr(shape, "entry", shape)  # a list: what its entries may have
    for key, value in getattr(shape, "fields", {}).items():
        yield path + (key,)
        yield from keys_of(value, path + (key,))


def test_the_file_has_every_key_a_source_file_may_have():
    def keys_in(value, path=()):
        if isinstance(value, list):
            for entry in value:
                yield from keys_in(entry, path)
        elif isinstance(value, dict):
            for key, entry in value.items():
                yield path + (key,)
                yield from keys_in(entry, path + (key,))

    assert set(keys_in(yaml.safe_load(VALID.read_text()))) == set(keys_of(sources.DOCUMENT))


def test_the_cases_cover_every_key_and_put_the_wrong_type_where_they_say():
    places_of = {}
    for wrong in WRONG:
        for path, broken, _, _ in cases(wrong):
            value = yaml.safe_load(broken)
            for step in path:
                value = value[step]
            assert isinstance(value, PYTHON_TYPES[wrong]), (path, wrong)
            places_of.setdefault(path, set()).add(wrong)
    assert {path[-1] for path in places_of} >= {
        "organisations", "themes", "source", "items", "actions", "published_on", "owner", "partners",
        "official_wording", "formal_response_date", "lead_contact_email", "due_date", 0}
    assert places_of[("source", "title")] == set(WRONG)
    assert places_of[("items", 0, "number")] == set(WRONG) - {"number"}
    assert places_of[("items", 0, "themes")] == set(WRONG) - {"list"}


def problems_on(page):
    listed = re.search(r'<ul class="errorlist">(.*?)</ul>', page, re.S)
    return [html.unescape(problem) for problem in re.findall(r"<li>(.*?)</li>", listed.group(1) if listed else "")]


def unnamed(named, line, problems):
    """The problems, if none of them names the key (or list entry) and its line; else nothing."""
    if any(f"every_field.yaml, line {line}" in problem and named in problem for problem in problems):
        return []
    return [f"{named} on line {line}: {problems}"]


@pytest.fixture
def admin_client(client, administrator, settings):
    return sign_in_with_two_factor(client, administrator, settings)


def test_the_valid_file_loads(admin_client):
    response = admin_client.post(UPLOAD, {"file": SimpleUploadedFile("every_field.yaml", VALID.read_bytes())})
    assert response.status_code == 200, problems_on(response.content.decode())
    assert admin_client.post(APPLY).status_code == 302
    assert Source.objects.get(code="EXFIELDS").items.get().grade == "requires-improvement"


@pytest.mark.parametrize("wrong", WRONG)
def test_a_wrong_type_in_an_upload_is_named_with_its_line_and_nothing_is_written(admin_client, wrong):
    before = tracker_snapshot()
    missed = []
    for path, broken, named, line in cases(wrong):
        response = admin_client.post(UPLOAD, {"file": SimpleUploadedFile("every_field.yaml", broken.encode())})
        page = response.content.decode()
        assert response.status_code == 400 and "The file was not loaded: nothing was changed" in page, path
        missed += unnamed(named, line, problems_on(page))
        admin_client.post(APPLY)  # nothing waits to be applied either
    assert missed == []
    assert tracker_snapshot() == before


@pytest.mark.parametrize("wrong", WRONG)
def test_a_wrong_type_in_a_seed_file_is_named_with_its_line_and_nothing_is_written(seeded, tmp_path, wrong):
    before = tracker_snapshot()
    missed = []
    for path, broken, named, line in cases(wrong):
        (tmp_path / "every_field.yaml").write_text(broken)
        with pytest.raises(CommandError) as raised:
            call_command("load_sources", "--dir", str(tmp_path), stdout=StringIO())
        problems = str(raised.value).splitlines()
        assert "nothing was changed" in problems[0], path
        missed += unnamed(named, line, problems)
    assert missed == []
    assert tracker_snapshot() == before


@pytest.mark.parametrize("text, message", [
    ("items: " + "[" * 5000 + "]" * 5000, "every_field.yaml: has lists or mappings nested too deeply"),
    ("source: " + "{a: " * 3000 + "1" + "}" * 3000, "every_field.yaml: has lists or mappings nested too deeply"),
    ("just some words", "every_field.yaml: the file must be a mapping of keys to values (source:, items: ...), "
                        "not text"),
    ("- source: {}", "the file must be a mapping of keys to values (source:, items: ...), not a list"),
    ("source: !!binary aGVsbG8=", "every_field.yaml, line 1: 'source' must be a mapping of keys to values"),
    ("1: one", "every_field.yaml, line 1: a key must be text, not the number 1"),
])
def test_a_file_that_is_no_source_file_at_all_gets_a_message(admin_client, text, message):
    before = tracker_snapshot()
    response = admin_client.post(UPLOAD, {"file": SimpleUploadedFile("every_field.yaml", text.encode())})
    assert response.status_code == 400
    assert any(message in problem for problem in problems_on(response.content.decode()))
    assert tracker_snapshot() == before
