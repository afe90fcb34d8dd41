"""Improvement board dashboards."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from recommendations.services import reporting


@permission_required("recommendations.view_board", raise_exception=True)
def overview(request):
    return render(
        request, "recommendations/board/overview.html", {"source_counts": reporting.status_counts_by_source()}
    )
