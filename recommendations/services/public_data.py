"""
What the public may see: the one place that decides it.

Every public page, download and feed reads through these functions, so a rule
about what is public is written once. Public means:

- items, sources, themes and actions (they carry no personal details; an
  item's lead is a job title);
- progress updates that a reviewer approved (published), and only their
  public fields (see UPDATE_FIELDS): never the author, the reviewer, the
  review comment or anything about drafts, submitted or returned updates;
- evidence added directly to an item, or attached to a published update.

A published update is attributed to the organisation that owns the item, not
to the officer who wrote it.
"""
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Max, Prefetch
from django.shortcuts import get_object_or_404

from recommendations.filters import ItemFilter
from recommendations.models import EvidenceLink, Item, ProgressUpdate, Source


def items():
    """Every tracked item, with what lists and downloads show alongside it."""
    return Item.objects.select_related("source", "owner")


def theme_slugs_by_item(items):
    """{item id: [theme slug, ...]} for the given items, in one query and without model instances."""
    slugs = {}
    links = Item.themes.through.objects.filter(item_id__in=items.values("pk")).order_by("theme__slug")
    for item_id, slug in links.values_list("item_id", "theme__slug"):
        slugs.setdefault(item_id, []).append(slug)
    return slugs


def item_filter(params):
    """The public item filters (source, status, owner, theme, overdue, search) over items()."""
    return ItemFilter(params, queryset=items())


def published_updates():
    """Published updates, newest first, with their item but never their people."""
    return (
        ProgressUpdate.objects.published()
        .select_related("item", "item__source", "item__owner")
        # Keep the private fields out of memory altogether, so no template or
        # export can reach them by accident.
        .defer("author", "reviewer", "review_comment")
        .order_by("-published_at", "-pk")
    )


def published_updates_for(params):
    """Published updates on the items that match the public item filters."""
    filterset = item_filter(params)
    return filterset, published_updates().filter(item__in=filterset.qs.values("pk"))


def public_evidence():
    return EvidenceLink.objects.public().only("id", "item_id", "update_id", "title", "url", "date")


def evidence_by_update(updates):
    """{update id: [evidence, ...]} for a queryset of published updates, in one query."""
    evidence = public_evidence().filter(update__in=updates.order_by().values("pk"))
    evidence = evidence.order_by("update_id", "-date", "title")
    return {update_id: list(links) for update_id, links in groupby(evidence, key=lambda link: link.update_id)}


@dataclass
class HistoryEntry:
    date: object
    value: object
    reason: str = ""


@dataclass
class ItemDetail:
    item: Item
    themes: list
    updates: list  # published, newest first, each with .public_evidence
    direct_evidence: list  # evidence added to the item itself, not through an update
    related: list  # [(action, [other items])]
    status_history: list  # [HistoryEntry(date, status value)], oldest first
    target_history: list  # [HistoryEntry(date, target date, reason)], oldest first


def item_detail(reference):
    """Everything the public item page shows, in a fixed number of queries. 404 if unknown."""
    item = get_object_or_404(items(), reference=reference)
    updates = list(published_updates().filter(item=item))
    evidence = {}
    direct_evidence = []
    for link in public_evidence().filter(item=item):
        if link.update_id is None:
            direct_evidence.append(link)
        else:
            evidence.setdefault(link.update_id, []).append(link)
    for update in updates:
        update.public_evidence = evidence.get(update.pk, [])
    actions = item.actions.select_related("owner").prefetch_related(
        Prefetch("items", queryset=items().exclude(pk=item.pk), to_attr="other_items")
    )
    return ItemDetail(
        item=item,
        themes=list(item.themes.all()),
        updates=updates,
        direct_evidence=direct_evidence,
        related=[(action, action.other_items) for action in actions],
        status_history=status_history(updates),
        target_history=target_history(item, updates),
    )


def status_history(updates):
    """The status after each published update that changed it, oldest first."""
    history = []
    current = Item.Status.NOT_STARTED
    for update in sorted(updates, key=lambda update: update.published_at):
        if update.proposed_status != current:
            current = update.proposed_status
            history.append(HistoryEntry(update.published_at, current))
    return history


def target_history(item, updates):
    """The first agreed target date, then each published move with its reason, oldest first."""
    history = []
    current = item.baseline_target_date
    if current:
        history.append(HistoryEntry(None, current, "First agreed target date"))
    for update in sorted(updates, key=lambda update: update.published_at):
        if update.proposed_target_date and update.proposed_target_date != current:
            current = update.proposed_target_date
            history.append(HistoryEntry(update.published_at, current, update.target_date_reason))
    return history


def sources():
    return Source.objects.annotate(item_count=Count("items"))


def source_detail(code):
    source = get_object_or_404(Source, code=code)
    return source, list(items().filter(source=source))


def status_counts_by_source():
    """Per source, in source order: its items counted by status, and its total. Two queries."""
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
    """When the latest progress update was published (the home page's "last updated")."""
    return ProgressUpdate.objects.published().aggregate(latest=Max("published_at"))["latest"]
