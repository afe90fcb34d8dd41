"""The layout in docs/architecture.md ("The layout") matches the tree: everything it names exists,
and every folder of the checkout and every module of the app is in it."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
APP = ROOT / "recommendations"
# Lines that name an entry start here; deeper lines go on describing the entry above.
TOP, IN_APP = 0, 2


def layout():
    document = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = document.split("## The layout", 1)[1]
    return section.split("```", 2)[1]


def entries(text):
    """The paths the layout's entry lines name, from the checkout's top."""
    found = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent not in (TOP, IN_APP):
            continue
        name = line.split()[0]
        found.append(name if indent == TOP else f"recommendations/{name}")
    return found


def named_files(text):
    """File names mentioned anywhere in the layout (proxies.py, outage_demo.sh, ...)."""
    return set(re.findall(r"[\w.]+\.(?:py|sh|yaml)\b", text))


def modules(folder):
    return {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}


def test_every_entry_names_a_path_that_exists():
    missing = [name for name in entries(layout()) if not (ROOT / name).exists()]
    assert missing == []


def test_every_file_it_mentions_exists():
    text = layout()
    folders = [ROOT / name for name in entries(text) if (ROOT / name).is_dir()]
    present = {path.name for folder in folders for path in folder.rglob("*")}
    assert named_files(text) - present == set()


def test_every_module_of_the_app_is_in_it():
    text = layout()
    words = set(re.findall(r"\w+", text))
    unnamed = {f"{name}.py" for name in modules(APP) - {"apps"}} - named_files(text)
    for folder in ("public", "services", "views", "urls", "management/commands"):
        unnamed |= {f"{folder}/{name}" for name in modules(APP / folder) - words}
    assert unnamed == set()


@pytest.mark.skipif(not shutil.which("git") or not (ROOT / ".git").exists(), reason="needs git and a git checkout")
def test_every_tracked_folder_is_in_it():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, check=True, text=True).stdout.split()
    folders = {Path(path).parts[0] for path in files if len(Path(path).parts) > 1}
    listed = {name.split("/")[0] for name in entries(layout())}
    assert folders - listed == set()
