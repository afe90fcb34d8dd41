import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommendations.models import Item, Organisation, Source, Theme
from recommendations import search, words
from recommendations.public import page_cache


SELECT = forms.Select(attrs={"class": "govuk-!-width-full"})
SEARCH_MAX_LENGTH = 200


class ItemFilter(django_filters.FilterSet):
    """The public item filters. Every value is in the URL, so a filtered view can be shared."""

    # A length limit, because SQLite refuses a LIKE pattern of many thousand
    # characters (the page failed); nobody searches with more than this.
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        help_text="Words to find in the items and their published progress, or a reference",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="code", empty_label="All sources", widget=SELECT
    )
    status = django_filters.ChoiceFilter(choices=Item.Status.choices, empty_label="Any status", widget=SELECT,
                                         method="filter_status")
    # "Not rated" is stored as "", which a URL cannot tell from "any": it is "none" here.
    rag = django_filters.ChoiceFilter(
        choices=[(rag.value or "none", rag.label) for rag in Item.Rag], method="filter_rag",
        empty_label="Any RAG rating", label="RAG rating", widget=SELECT,
    )
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
    formal_response = django_filters.ChoiceFilter(
        choices=Item.FormalResponse.choices, empty_label="Any response", label="Formal response", widget=SELECT,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=f"{words.PAST_TARGET.name} only",
        help_text=words.PAST_TARGET.definition,
        widget=forms.CheckboxInput(),
    )
    update_overdue = django_filters.BooleanFilter(
        method="filter_update_overdue",
        label=f"{words.UPDATE_OVERDUE.name} only",
        help_text=words.UPDATE_OVERDUE.definition,
        widget=forms.CheckboxInput(),
    )

    class Meta:
        model = Item
        fields = ["q", "source", "status", "formal_response", "rag", "owner", "theme", "overdue", "update_overdue"]

    # Filters whose values can go out of date (a source renamed, a theme removed).
    CHOICES = ("source", "status", "formal_response", "rag", "owner", "theme")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.left_out = []
        if self.is_bound and not self.form.is_valid():
            # A shared link with a value that no longer exists: leave that filter out, say
            # so once, and apply the rest, rather than showing nothing.
            gone = [name for name in self.CHOICES
                    if any(error.code == "invalid_choice" for error in self.form.errors.as_data().get(name, []))]
            if gone:
                self.left_out = [(self.filters[name].label or name.capitalize(), self.data.get(name)) for name in gone]
                self.data = self.data.copy()
                for name in gone:
                    self.data.pop(name)
                del self._form

    _form_class = None

    def get_form_class(self):
        # The same fields on every request: the form class is made once per process, not
        # per request (each form still works on its own copy of the fields, as Django's do).
        if ItemFilter._form_class is None:
            ItemFilter._form_class = super().get_form_class()
        return ItemFilter._form_class

    # Lists of options read from the database: the same for every visitor until the
    # next public change, so they are read once per public version (page_cache.remembered).
    MODEL_CHOICES = ("source", "owner", "theme")

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.request is not None:
                for name in self.MODEL_CHOICES:
                    field = form.fields[name]
                    field.widget.choices = page_cache.remembered(
                        self.request, f"item-filter-options:{name}",
                        lambda field=field: [(str(value), str(label)) for value, label in field.choices],
                    )
        return self._form

    def search(self, queryset, name, value):
        return search.search(queryset, value)

    def filter_status(self, queryset, name, value):
        # A judgement has no status (not even "not started"): the figures' links find tasks only.
        return queryset.tasks().filter(status=value)

    def filter_rag(self, queryset, name, value):
        # As for status: a judgement has no RAG rating, so is never "not rated".
        return queryset.tasks().filter(rag="" if value == "none" else value)

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset

    def filter_update_overdue(self, queryset, name, value):
        if value:
            return queryset.update_overdue(timezone.now())
        return queryset
