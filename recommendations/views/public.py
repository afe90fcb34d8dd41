"""Public pages: no sign-in, and only approved, published content."""
from django.shortcuts import get_object_or_404, render
from django_filters.views import FilterView

from recommendations.filters import ItemFilter
from recommendations.models import EvidenceLink, Item, ProgressUpdate, Source
from recommendations.services import reporting


def home(request):
    return render(
        request,
        "recommendations/public/home.html",
        {"source_counts": reporting.status_counts_by_source(), "last_published": reporting.last_published_at()},
    )


class ItemListView(FilterView):
    filterset_class = ItemFilter
    template_name = "recommendations/public/item_list.html"
    paginate_by = 50
    context_object_name = "items"

    def get_queryset(self):
        return Item.objects.select_related("source", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


def item_detail(request, reference):
    item = get_object_or_404(Item.objects.select_related("source", "owner"), reference=reference)
    return render(
        request,
        "recommendations/public/item_detail.html",
        {
            "item": item,
            "updates": ProgressUpdate.objects.published().filter(item=item).order_by("-published_at"),
            "evidence": EvidenceLink.objects.public().filter(item=item),
            "themes": item.themes.all(),
            "actions": item.actions.prefetch_related("items").select_related("owner"),
        },
    )


def source_list(request):
    return render(request, "recommendations/public/source_list.html", {"sources": Source.objects.all()})


def source_detail(request, code):
    source = get_object_or_404(Source, code=code)
    return render(
        request,
        "recommendations/public/source_detail.html",
        {"source": source, "items": source.items.select_related("owner")},
    )


def accessibility(request):
    return render(request, "recommendations/public/accessibility.html")


def open_data(request):
    return render(request, "recommendations/public/open_data.html")
