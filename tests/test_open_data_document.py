"""docs/open-data.md is generated from the open data definitions (recommendations/public/open_data.py)
by `manage.py document_open_data`, and the committed file is what it generates today."""
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from recommendations.public import open_data

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "open-data.md"
REGENERATE = "python manage.py document_open_data > docs/open-data.md"


def generated():
    output = StringIO()
    call_command("document_open_data", stdout=output)
    return output.getvalue()


def test_the_committed_document_is_what_the_definitions_generate():
    assert DOCUMENT.read_text(encoding="utf-8") == generated(), f"run: {REGENERATE}"


def test_a_field_added_without_regenerating_is_caught(monkeypatch):
    monkeypatch.setitem(open_data.ITEM_FIELD_HELP, "new_field", "A field added to the code.")
    text = generated()
    assert "| `new_field` | A field added to the code. |" in text
    assert DOCUMENT.read_text(encoding="utf-8") != text


def test_it_documents_every_published_field_with_its_meaning():
    text = generated()
    for help_texts in (open_data.ITEM_FIELD_HELP, open_data.UPDATE_FIELD_HELP, open_data.LOG_FIELD_HELP):
        for field in help_texts:
            assert f"| `{field}` |" in text, field
    assert open_data.LICENCE["url"] in text


def test_a_description_cannot_break_its_table_row(monkeypatch):
    monkeypatch.setitem(open_data.LOG_FIELD_HELP, "joined", "a|b, as <url>")
    assert "| `joined` | a\\|b, as &lt;url&gt; |" in generated()
