import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from recommendations.models import Item, Organisation, Source, Theme


class PlainSelect(forms.Select):
    """A select list written out in Python rather than one template per option.

    The item filters list every source and owner organisation (over a hundred
    options at national scale), and Django's per-option templates made up
    about a fifth of the item list's time. Same markup and attributes.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group_name, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


SELECT = PlainSelect(attrs={"class": "govuk-select govuk-!-width-full"})
SEARCH_MAX_LENGTH = 200


class ItemFilter(django_filters.FilterSet):
    """The public item filters. Every value is in the URL, so a filtered view can be shared."""

    # A length limit, because SQLite refuses a LIKE pattern of many thousand
    # characters (the page failed); nobody searches with more than this.
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        help_text="Reference, title or summary",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "govuk-input", "type": "search"}),
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="code", empty_label="All sources", widget=SELECT
    )
    status = django_filters.ChoiceFilter(choices=Item.Status.choices, empty_label="Any status", widget=SELECT)
    owner = django_filters.ModelChoiceFilter(
        # Exists, not a DISTINCT join over every item: the same organisations, far cheaper.
        queryset=Organisation.objects.filter(Exists(Item.objects.filter(owner=OuterRef("pk")))),
        to_field_name="slug",
        empty_label="Any owner",
        label="Owner organisation",
        widget=SELECT,
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=Theme.objects.all(), to_field_name="slug", empty_label="Any theme",
        label="Theme", widget=SELECT,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue only",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

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
