import django_filters
from django.db.models import Q
from django.utils import timezone

from recommendations.models import Item, Organisation, Source, Theme


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="code", empty_label="All sources"
    )
    status = django_filters.ChoiceFilter(choices=Item.Status.choices, empty_label="Any status")
    owner = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(owned_items__isnull=False).distinct(),
        to_field_name="slug",
        empty_label="Any owner",
        label="Owner",
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=Theme.objects.all(), to_field_name="slug", empty_label="Any theme"
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue only")

    class Meta:
        model = Item
        fields = ["q", "source", "status", "owner", "theme", "overdue"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(summary__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset
