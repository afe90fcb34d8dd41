"""
The layout's rules, checked from the code's own imports.

The public wing (recommendations/public/) is everything an anonymous request
reaches. It must not depend on the signed-in wing: what it shows is built from
published records only, so it imports nothing from services/, the views, the
forms or filters (the UI) or the permission rules. What both wings count lives
in recommendations/figures.py and every wording of dates in words.py.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "recommendations" / "public"
SIGNED_IN_OR_UI = (
    "recommendations.services",
    "recommendations.views",
    "recommendations.forms",
    "recommendations.filters",
    "recommendations.rules",
    "recommendations.policies",
    "recommendations.admin",
    "recommendations.templatetags",
)
NEUTRAL = (ROOT / "recommendations" / name for name in ("figures.py", "words.py", "versions.py", "kept_values.py"))


def imported_modules(path):
    """Every module a file imports, as dotted names (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def forbidden_imports(path):
    return sorted({name for name in imported_modules(path) if name.startswith(SIGNED_IN_OR_UI)})


@pytest.mark.parametrize("path", sorted(PUBLIC.glob("*.py")) + sorted(NEUTRAL), ids=lambda path: path.name)
def test_the_public_wing_and_the_neutral_modules_import_nothing_from_the_signed_in_wing(path):
    assert forbidden_imports(path) == []


def test_the_check_sees_an_import_from_services(tmp_path):
    """The check itself can fail: an import from services/, plain or relative, is seen."""
    planted = PUBLIC / "_planted_for_test.py"
    planted.write_text("from recommendations.services import workflow\nfrom ..services.duties import why_not_decider\n")
    try:
        assert forbidden_imports(planted) == [
            "recommendations.services", "recommendations.services.duties",
            "recommendations.services.duties.why_not_decider", "recommendations.services.workflow",
        ]
    finally:
        planted.unlink()


def test_the_public_wing_exists_and_holds_the_public_modules():
    assert {path.stem for path in PUBLIC.glob("*.py")} >= {
        "records", "open_data", "headlines", "history", "log", "page_cache", "conditional_get",
    }
