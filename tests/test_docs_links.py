"""Every relative link in README.md and docs/ leads to a file of the checkout, and every #anchor to a heading
of that file, so moving a section between the README and docs/ cannot leave a link behind."""
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(text):
    """GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def broken_links(document):
    text = document.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text(encoding="utf-8")):
            broken.append(target)
    return broken


def test_every_link_of_the_readme_and_docs_leads_somewhere():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {str(doc.relative_to(ROOT)): broken_links(doc) for doc in documents if broken_links(doc)} == {}


def test_a_link_to_a_missing_file_or_heading_is_caught(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## The page cache\n")
    page = tmp_path / "page.md"
    page.write_text("[a](other.md#the-page-cache) [b](gone.md) [c](other.md#no-such-heading) [d](https://x.example)\n")
    assert broken_links(page) == ["gone.md", "other.md#no-such-heading"]
