"""
The benchmark's reference view: the same server, middleware and settings as
the real pages, but no database and no template. It answers with 8 KB of
HTML (bench/bare_page.html, read once), about the size of a small real page,
so its throughput is the limit the real pages are measured against (the cost
of the server, the middleware and sending a page). Routed only when
TRACKER_BENCH_VIEW is on.
"""
from pathlib import Path

from django.http import HttpResponse

PAGE = (Path(__file__).resolve().parent.parent / "bench" / "bare_page.html").read_bytes()


def bare_view(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")
