"""
The benchmark's reference view: the same server, middleware and settings as
the real pages, but no database and no template. Its throughput is the limit
the real pages are measured against. Routed only when TRACKER_BENCH_VIEW is on.
"""
from django.http import HttpResponse


def bare_view(request):
    return HttpResponse(b"ok\n", content_type="text/plain")
