"""
The benchmark's reference view: the same server, middleware and settings as
the real pages, but no database and no template. It answers with 8 KB of
HTML, about the size of a small real page, so its throughput is the limit the
real pages are measured against (the cost of the server, the middleware and
sending a page). Routed only when TRACKER_BENCH_VIEW is on.
"""
from django.http import HttpResponse

SIZE = 8192
_HEAD = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Bare reference page</title></head>\n' \
        '<body><main><h1>Bare reference page</h1>\n<table class="govuk-table">\n'
_ROW = '<tr class="govuk-table__row"><td class="govuk-table__cell">Row {n}</td>' \
       '<td class="govuk-table__cell">A line of text, as a real page has.</td></tr>\n'
_TAIL = "</table></main></body></html>\n"


def _page():
    rows, n = "", 0
    while len(_HEAD) + len(rows) + len(_ROW.format(n=n)) + len(_TAIL) <= SIZE:
        rows += _ROW.format(n=n)
        n += 1
    page = _HEAD + rows + _TAIL
    return (page[: -len("</html>\n")] + " " * (SIZE - len(page)) + "</html>\n").encode()


PAGE = _page()


def bare_view(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")
