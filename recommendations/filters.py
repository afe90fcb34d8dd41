import django_filters
from django.db.models import Q
from django.utils import timezone

from recommendations.models import Item, Organisation, Source, Theme

SEARCH_MAX_LENGTH = 200


class ItemFilter(django_filters.FilterSet):
    # A length limit, because SQLite refuses a LIKE pattern of many thousand
    # characters (the page failed); nobody searches with more than this.
    q = django_filters.CharFilter(method="search", label="Search", max_length=SEARCH_MAX_LENGTH)
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
