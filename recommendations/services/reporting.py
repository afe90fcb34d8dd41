"""Read-only figures for the public pages and the board, aggregated in the database."""
from django.db.models import Count, Max

from recommendations.models import Item, ProgressUpdate, Source


def status_counts_by_source():
    """[(source, {status: count}, total)] in source order, in two queries."""
    counts = {}
    for row in Item.objects.order_by().values("source_id", "status").annotate(n=Count("id")):
        counts.setdefault(row["source_id"], {})[row["status"]] = row["n"]
    result = []
    for source in Source.objects.all():
        by_status = counts.get(source.pk, {})
        result.append(
            {
                "source": source,
                "by_status": [(value, label, by_status.get(value, 0)) for value, label in Item.Status.choices],
                "total": sum(by_status.values()),
            }
        )
    return result


def last_published_at():
    return ProgressUpdate.objects.published().aggregate(latest=Max("published_at"))["latest"]
