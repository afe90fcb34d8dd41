import csv
import io

import pytest

from recommendations.services.csv_export import csv_response, neutralise


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_formula_like_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value, expected", [("Plain text", "Plain text"), (12, "12"), (None, "")])
def test_other_cells_are_unchanged(value, expected):
    assert neutralise(value) == expected


def test_csv_response_is_an_attachment_with_safe_cells():
    response = csv_response("items.csv", ["reference", "title"], [["JAY-01", "=HYPERLINK(\"x\")"]])
    assert response["Content-Disposition"] == 'attachment; filename="items.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["reference", "title"], ["JAY-01", "'=HYPERLINK(\"x\")"]]
