"""Nothing machine-specific is tracked, so a clone works on a machine that has never seen the project.

A tracked `.venv` link to a folder that only one machine had once broke the
README's set-up everywhere else; these checks read what git tracks.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
# Names that only a virtual environment or an installed package tree has.
ENVIRONMENT_MARKERS = {"pyvenv.cfg", "site-packages", "node_modules", "__pycache__"}
ENVIRONMENT_FOLDERS = {".venv", "venv", "env", ".tox", ".nox"}

pytestmark = pytest.mark.skipif(
    not shutil.which("git") or not (ROOT / ".git").exists(), reason="needs git and a git checkout"
)


def tracked():
    """(mode, path) of every tracked file."""
    output = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    entries = []
    for record in filter(None, output.split("\0")):
        meta, path = record.split("\t", 1)
        entries.append((meta.split()[0], path))
    return entries


def links_leaving(root, entries):
    """Tracked symbolic links whose target is absolute or resolves outside the checkout."""
    found = []
    for mode, path in entries:
        if mode != "120000":
            continue
        target = os.readlink(root / path)
        resolved = (root / path).parent.joinpath(target).resolve()
        if os.path.isabs(target) or not resolved.is_relative_to(root):
            found.append(f"{path} -> {target}")
    return found


def environments(entries):
    """Tracked paths that are, or are inside, a virtual environment or installed packages."""
    found = []
    for _, path in entries:
        parts = Path(path).parts
        if ENVIRONMENT_MARKERS & set(parts) or ENVIRONMENT_FOLDERS & set(parts):
            found.append(path)
    return found


def test_no_tracked_link_leaves_the_repository():
    assert links_leaving(ROOT, tracked()) == []


def test_no_virtual_environment_or_installed_packages_are_tracked():
    assert environments(tracked()) == []


def test_no_tracked_text_names_this_checkouts_absolute_path():
    output = subprocess.run(
        ["git", "grep", "-l", "-F", str(ROOT) + "/"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert output.split() == []


def test_the_checks_catch_a_link_out_and_a_tracked_environment(tmp_path):
    """The same checks, on a repository made to break them, do find the problems."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "inside.txt").write_text("fine\n")
    (tmp_path / ".venv").symlink_to("/nowhere/venv")
    (tmp_path / "ok-link").symlink_to("inside.txt")
    (tmp_path / "up-link").symlink_to("../outside")
    (tmp_path / "env-copy").mkdir()
    (tmp_path / "env-copy" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    output = subprocess.run(["git", "ls-files", "-s"], cwd=tmp_path, capture_output=True, text=True).stdout
    entries = [(line.split()[0], line.split("\t", 1)[1]) for line in output.splitlines()]

    assert sorted(links_leaving(tmp_path.resolve(), entries)) == [".venv -> /nowhere/venv", "up-link -> ../outside"]
    assert sorted(environments(entries)) == [".venv", "env-copy/pyvenv.cfg"]
