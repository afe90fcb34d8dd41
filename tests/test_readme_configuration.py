"""The README's configuration table names every environment variable tracker/settings.py reads, and
nothing it does not read, so the table cannot fall behind the settings or list a setting long gone."""
import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
VARIABLE = re.compile(r"(?:DJANGO|TRACKER|DATABASE)_[A-Z0-9_]+")


def variables_read(source):
    """The environment variables a settings module reads: every string that is a whole variable name
    (os.environ.get("X"), env_bool("X"), os.environ["X"]), and DATABASE_URL where dj-database-url reads it."""
    names = {
        node.value for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.fullmatch(node.value)
    }
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")
    return names


def variables_in_table(readme):
    """The variables named in the first column of the table under "## Configuration"."""
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])}


def test_the_table_names_every_variable_the_settings_read_and_no_other():
    read = variables_read((ROOT / "tracker" / "settings.py").read_text(encoding="utf-8"))
    listed = variables_in_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert sorted(read - listed) == [], "read by tracker/settings.py, missing from the README's table"
    assert sorted(listed - read) == [], "in the README's table, not read by tracker/settings.py"


def test_a_new_variable_or_a_stale_row_is_caught():
    source = 'import os\nA = os.environ.get("TRACKER_NEW_THING", "")\nB = env_bool("DJANGO_DEBUG")\n'
    readme = (
        "# Tracker\n\n## Configuration\n\n| variable | meaning |\n|---|---|\n| `DJANGO_DEBUG` | debug |\n"
        "| `TRACKER_GONE` | no longer read |\n\n## Next\n| `TRACKER_NEW_THING` | another table |\n"
    )
    assert variables_read(source) == {"TRACKER_NEW_THING", "DJANGO_DEBUG"}
    assert variables_in_table(readme) == {"DJANGO_DEBUG", "TRACKER_GONE"}
