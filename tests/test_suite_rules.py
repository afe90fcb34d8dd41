"""The suite's own rules, read from the test modules' source: each module runs alone, and a
machine without Playwright loses only the browser tests."""
import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULES = sorted(TESTS.glob("test_*.py"))


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def mentions_browser_mark(node):
    return any(isinstance(part, ast.Attribute) and part.attr == "browser" for part in ast.walk(node))


def skips_without_playwright(statement):
    """A module-level `... = pytest.importorskip("playwright...")` (or a bare call): it skips the whole module."""
    value = getattr(statement, "value", None)
    calls = list(ast.walk(value)) if value is not None else []
    return any(
        isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "importorskip"
        and call.args and isinstance(call.args[0], ast.Constant) and str(call.args[0].value).startswith("playwright")
        for call in calls
    )


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_a_test_module_imports_no_other_test_module_or_conftest(path):
    tree = ast.parse(path.read_text())
    wrong = [name for name in imported_modules(tree)
             if name.startswith(("tests.test_", "tests.conftest")) or name in ("conftest", "tests.conftest")]
    assert wrong == [], "shared code belongs in a helper module (tests/helpers.py, ...)"


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_a_module_that_skips_without_playwright_holds_only_browser_tests(path):
    tree = ast.parse(path.read_text())
    if not any(skips_without_playwright(statement) for statement in tree.body):
        return
    marked_module = any(
        isinstance(statement, ast.Assign) and mentions_browser_mark(statement.value)
        and any(getattr(target, "id", "") == "pytestmark" for target in statement.targets)
        for statement in tree.body
    )
    unmarked = [
        statement.name for statement in tree.body
        if isinstance(statement, ast.FunctionDef) and statement.name.startswith("test_")
        and not any(mentions_browser_mark(decorator) for decorator in statement.decorator_list)
    ]
    assert marked_module or unmarked == [], (
        "these tests would be skipped with the browser tests: import Playwright inside the browser tests instead"
    )
