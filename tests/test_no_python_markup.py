"""No markup is built in Python (#24): pages are templates, and the one module that draws markup
in code is recommendations/charts.py (the SVG charts, tested in tests/test_charts_golden.py).

Every Python file of the tracker's own code (recommendations/ and tracker/, but not migrations or
tests) is read, and any of these is reported with its line:
- a name that builds or trusts markup: format_html, format_html_join, mark_safe, SafeString,
  SafeData, SafeText, markupsafe's Markup (imported or used);
- a string that holds an HTML tag (docstrings may show a tag: they are words about code).
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["recommendations", "tracker"]

ALLOWED = {
    # The SVG charts: the one module that builds markup in Python.
    "recommendations/charts.py",
}

MARKUP_NAMES = {"format_html", "format_html_join", "mark_safe", "SafeString", "SafeData", "SafeText", "Markup"}
HTML_TAG = re.compile(
    r"</?(a|p|div|span|strong|em|b|i|br|code|pre|table|caption|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|form|label"
    r"|input|select|option|textarea|button|fieldset|legend|details|summary|img|svg|nav|main|section|html|body"
    r"|script|style|h[1-6])[\s>/]",
    re.IGNORECASE,
)


def docstrings(tree):
    """The docstring nodes of a module, its classes and functions."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                yield first.value


def markup_in(source):
    """Where Python source builds markup: ["line N: what"], in line order."""
    tree = ast.parse(source)
    words_about_code = {id(node) for node in docstrings(tree)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in MARKUP_NAMES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and node.attr in MARKUP_NAMES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names
                      if alias.name.rsplit(".", 1)[-1] in MARKUP_NAMES or alias.name == "markupsafe"]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in words_about_code
              and (tag := HTML_TAG.search(node.value))):
            found.append((node.lineno, f"HTML in a string: {tag.group()!r}"))
    return [f"line {line}: {what}" for line, what in sorted(set(found))]


def tracker_modules(root):
    """The tracker's own Python files under root, as paths relative to it (not migrations or tests)."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if {"migrations", "tests"} & set(relative.parts) or path.name.startswith("test_"):
                continue
            yield relative.as_posix(), path


def markup_outside_the_charts(root):
    return {name: found for name, path in tracker_modules(root)
            if name not in ALLOWED and (found := markup_in(path.read_text()))}


def test_no_markup_is_built_in_python_outside_the_charts():
    found = markup_outside_the_charts(ROOT)
    report = "\n".join(f"{name}:\n    " + "\n    ".join(lines) for name, lines in found.items())
    assert found == {}, f"markup built in Python (it belongs in a template, or in charts.py if it is a chart):\n{report}"


def test_the_allowed_modules_exist():
    assert {name for name, _ in tracker_modules(ROOT)} >= ALLOWED


def test_each_way_of_building_markup_is_found():
    assert markup_in("from django.utils.html import format_html\n") == ["line 1: import format_html"]
    assert markup_in("import markupsafe\nx = markupsafe.Markup('')\n") == ["line 1: import markupsafe", "line 2: Markup"]
    assert markup_in("from django.utils import safestring\nx = safestring.SafeString('')\n") == ["line 2: SafeString"]
    assert markup_in("def f(x):\n    return mark_safe(x)\n") == ["line 2: mark_safe"]
    assert markup_in("isinstance(x, SafeData)\n") == ["line 1: SafeData"]
    assert markup_in("x = f'<li class=\"{c}\">{v}</li>'\n") == [
        "line 1: HTML in a string: '</li>'", "line 1: HTML in a string: '<li '"]
    assert markup_in("x = '</td><td>'\n") == ["line 1: HTML in a string: '</td>'"]
    assert markup_in("x = '<H2>Heading'\n") == ["line 1: HTML in a string: '<H2>'"]


def test_words_about_markup_are_not_markup():
    assert markup_in('"""Writes "<page>/<table>.csv" and <p> paragraphs."""\n') == []
    assert markup_in('def f():\n    """A <strong> tag."""\n    return "a <name> or <tablet>, 1 < 2"\n') == []
    assert markup_in("# format_html is not used here\nx = 'format_html'\n") == []


def test_a_module_that_builds_markup_is_reported_but_not_in_migrations_or_tests(tmp_path):
    for folder in ["recommendations/views", "recommendations/migrations", "recommendations/tests", "tracker"]:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "recommendations/charts.py").write_text("x = '<svg>'\n")
    (tmp_path / "recommendations/views/pages.py").write_text("x = '<p>'\n")
    (tmp_path / "recommendations/migrations/0001_initial.py").write_text("x = '<p>'\n")
    (tmp_path / "recommendations/tests/test_x.py").write_text("x = '<p>'\n")
    (tmp_path / "tracker/test_settings.py").write_text("x = '<p>'\n")
    (tmp_path / "tracker/urls.py").write_text("from django.utils.safestring import mark_safe\n")
    assert markup_outside_the_charts(tmp_path) == {
        "recommendations/views/pages.py": ["line 1: HTML in a string: '<p>'"],
        "tracker/urls.py": ["line 1: import mark_safe"],
    }
