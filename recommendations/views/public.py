"""
Public pages, downloads and feed: no sign-in, and only approved, published content.

What is public is decided in recommendations.public.records; the open
data fields in recommendations.public.open_data. Every view here is
wrapped in public_cache (recommendations/public/page_cache.py), so browsers, proxies and
the page cache can reuse a page until something is published.
"""
import hashlib

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django_filters.views import FilterView

from recommendations.filters import ItemFilter
from recommendations.public.page_cache import public_cache, remembered
from recommendations.public import headlines, open_data, records, report, report_document
from recommendations.services.csv_export import csv_response
from recommendations.words import long_date, plain_number


# The query parameters of the item filters, which the item list, the downloads and the feed read.
ITEM_FILTERS = tuple(ItemFilter.base_filters)


def _query_string(request, without=("page",), sort=None):
    """The request's filters without the page number (and whatever else is `without`), for
    pagination and download links; with `sort` given, the address of the list in that order."""
    query = request.GET.copy()
    for name in without:
        query.pop(name, None)
    if sort is not None:
        query.pop("page", None)
        query.pop("sort", None)
        if sort:
            query["sort"] = sort
    return query.urlencode()


@public_cache
def home(request):
    return render(
        request,
        "recommendations/public/home.html",
        {
            # The same for every visitor until the next public change: counted once per version.
            "source_counts": remembered(request, "status-counts-by-source", records.status_counts_by_source),
            "glance": remembered(request, "glance", headlines.for_everything),
            "last_published": remembered(request, "last-published", records.last_published_at),
        },
    )


class ItemListView(FilterView):
    filterset_class = ItemFilter
    template_name = "recommendations/public/item_list.html"
    paginate_by = 50
    context_object_name = "items"

    def get_queryset(self):
        return records.items_in_list_order()

    def paginate_queryset(self, queryset, page_size):
        # Pages of ids (a search's in order of relevance, unless sorted); the rows are read (or found)
        # in get_context_data.
        queryset = records.sorted_items(queryset, records.item_sort(self.request.GET.get("sort")))
        return super().paginate_queryset(queryset.values_list("pk", flat=True), page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's public records stand in for its ids everywhere the template could look. They
        # are the same on every list showing these items until the next public change (or day), so
        # they are kept by the page's ids: a list rendered again reads none of its rows.
        ids = list(context["items"])
        ids_digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()  # a short key, whatever the page
        page_records = remembered(self.request, f"item-list-rows:{ids_digest}", lambda: records.public_items_by_id(ids))
        context["page_obj"].object_list = context["object_list"] = context["items"] = page_records
        context["rows_key"] = records.rows_key(page_records)
        context["query_string"] = _query_string(self.request)
        # The page links depend on the page, the number of pages and the filters: a short key for them.
        pages = f'{context["page_obj"].number}:{context["paginator"].num_pages}:{context["query_string"]}'
        context["pages_key"] = hashlib.sha256(pages.encode()).hexdigest()
        context["filters_query_string"] = _query_string(self.request, without=("page", "sort"))
        context["is_filtered"] = any(value for key, value in self.request.GET.items() if key not in ("page", "sort"))
        sort = records.item_sort(self.request.GET.get("sort"))
        context["sort"] = sort
        context["sorts"] = [
            (label, value == sort, _query_string(self.request, sort=value))
            for value, label in [("", records.DEFAULT_SORT_LABEL), *records.ITEM_SORTS.items()]
        ]
        if not page_records:
            # An empty result says what the tracker covers, so a reader knows where else to look.
            context["sources_covered"] = remembered(self.request, "sources", records.sources)
        return context


item_list = public_cache(ItemListView.as_view(), query=(*ITEM_FILTERS, "page", "sort"))


@public_cache
def item_detail(request, reference):
    # The page's record is the same for every visitor until the next public change (or day), so it
    # is kept by reference: a page rendered again reads nothing but the public version. (What
    # changes within a day, "update overdue" and "3 months ago", is worked out as the page renders.)
    detail = remembered(request, f"item-detail:{reference}", lambda: records.item_detail(reference))
    return render(request, "recommendations/public/item_detail.html", {"detail": detail})


@public_cache
def source_list(request):
    return render(request, "recommendations/public/source_list.html", {"sources": records.sources()})


@public_cache
def source_detail(request, code):
    source, items = records.source_detail(code)
    return render(
        request,
        "recommendations/public/source_detail.html",
        {"source": source, "items": items, "glance": headlines.for_source(source)},
    )


@public_cache
def source_report(request, code):
    return render(request, "recommendations/public/source_report.html", {"report": report.source_report(code)})


@public_cache
def source_report_odt(request, code):
    """The same report as an OpenDocument text file, to download."""
    source_report = report.source_report(code)
    response = HttpResponse(report_document.odt_bytes(source_report, request.build_absolute_uri), content_type=report_document.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{source_report.filename}"'
    response["Link"] = f'<{open_data.LICENCE["url"]}>; rel="license"'
    return response


@public_cache
def theme_list(request):
    return render(request, "recommendations/public/theme_list.html", {"themes": records.themes()})


@public_cache
def theme_detail(request, slug):
    theme, items = records.theme_detail(slug)
    return render(
        request, "recommendations/public/theme_detail.html",
        {"theme": theme, "items": items, "glance": headlines.for_theme(theme),
         "indicators": records.indicators_for_theme(theme.slug)},
    )


@public_cache
def accessibility(request):
    return render(request, "recommendations/public/accessibility.html")


@public_cache(query=("page",))
def publication_log(request):
    paginator = Paginator(records.publication_log(), 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "recommendations/public/publication_log.html", {
        "entries": page.object_list, "page_obj": page, "paginator": paginator, "query_string": "",
        "head": open_data.log_head(page.object_list[:1], paginator.count),
    })


@public_cache
def open_data_page(request):
    return render(
        request,
        "recommendations/public/open_data.html",
        {
            "licence": open_data.LICENCE,
            "field_tables": [
                ("Fields of the tracked items", open_data.ITEM_FIELD_HELP.items()),
                ("Fields of the published updates", open_data.UPDATE_FIELD_HELP.items()),
                ("Fields of the publication log", open_data.LOG_FIELD_HELP.items()),
                ("Fields of the outcome indicators", open_data.INDICATOR_FIELD_HELP.items()),
                ("Fields of the outcome indicators' published values", open_data.INDICATOR_VALUE_FIELD_HELP.items()),
            ],
        },
    )


# Open data downloads. The item downloads take the same filters as the items
# page; the update downloads take them too, and keep updates on matching items.


def _filtered_items(params):
    """The public items that match the item filters (none if the filters are not valid)."""
    filterset = ItemFilter(params, queryset=records.items())
    return filterset.qs if filterset.is_valid() else records.items().none()


def _item_records(request):
    items = _filtered_items(request.GET)
    items_address = request.build_absolute_uri(reverse("public:item-list"))
    return open_data.item_records(
        records.item_values(items), items_address, records.theme_slugs_by_item(items)
    )


def _update_records(request):
    updates = records.published_updates_on(_filtered_items(request.GET))
    items_address = request.build_absolute_uri(reverse("public:item-list"))
    return [open_data.update_record(update, items_address) for update in updates]


def _csv(filename, fields, records):
    response = csv_response(filename, fields, open_data.csv_rows(fields, records))
    # A CSV file has no room for metadata: the licence travels in the headers (RFC 8288).
    response["Link"] = f'<{open_data.LICENCE["url"]}>; rel="license"'
    return response


def _json(key, records, **extra):
    response = JsonResponse(
        {"generated_at": timezone.now().isoformat(), "licence": open_data.LICENCE, "count": len(records),
         **extra, key: records},
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    # Open data: other websites may read it from a browser (no cookies are involved).
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _log_records(request):
    return [open_data.log_record(entry) for entry in records.publication_log()]


def _indicator_records(request):
    return [open_data.indicator_record(indicator) for indicator in records.public_indicators()]


def _indicator_value_records(request):
    return open_data.indicator_value_records(records.public_indicators())


# name: (CSV file name, fields, records builder)
DOWNLOADS = {
    "indicators": ("outcome-indicators.csv", open_data.INDICATOR_FIELDS, _indicator_records),
    "indicator-values": ("outcome-indicator-values.csv", open_data.INDICATOR_VALUE_FIELDS, _indicator_value_records),
    "items": ("tracked-items.csv", open_data.ITEM_FIELDS, _item_records),
    "updates": ("published-updates.csv", open_data.UPDATE_FIELDS, _update_records),
    "publication-log": ("publication-log.csv", open_data.LOG_FIELDS, _log_records),
}


@public_cache(query=ITEM_FILTERS)
def download_csv(request, name):
    filename, fields, records = DOWNLOADS[name]
    return _csv(filename, fields, records(request))


@public_cache(query=ITEM_FILTERS)
def download_json(request, name):
    records = DOWNLOADS[name][2](request)
    if name == "publication-log":
        # The head, for anyone to save and check later (docs/security.md, "Anyone can witness the log").
        return _json(name, records, head=open_data.log_record_head(records))
    return _json(name, records)


class PublishedUpdatesFeed(Feed):
    """Atom feed of the latest published updates (the same filters as the items page work here).

    One instance serves every request, in every thread of a worker (gunicorn
    --threads): nothing of a request is kept on it. Each method is given what it
    needs (the request to get_object, the object to the rest), and each entry's
    id is the default, its link made absolute with this request's host.
    """

    feed_type = Atom1Feed
    title = "Rotherham inquiry recommendations: published progress"
    subtitle = "Progress updates approved by the improvement board, newest first."
    author_name = "Rotherham Metropolitan Borough Council"
    feed_copyright = f"{open_data.LICENCE['name']}: {open_data.LICENCE['url']}"
    limit = 50

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The syndication framework dates the response by its newest entry;
        # public_cache dates it by the latest public change instead, like
        # every other public URL, so conditional requests agree.
        del response.headers["Last-Modified"]
        return response

    def get_object(self, request):
        return request.GET

    def link(self):
        return reverse("public:item-list")

    def items(self, params):
        items = _filtered_items(params)
        return records.newest_first(
            records.published_updates_on(items, limit=self.limit),
            records.values_on(items),
            limit=self.limit,
        )

    # Each entry is a published update (PublicUpdate) or an outcome indicator's published value
    # (PublishedValue).

    def item_title(self, entry):
        if isinstance(entry, records.PublishedValue):
            return f"{entry.indicator.name}: {plain_number(entry.value.value)} {entry.indicator.unit}"
        return f"{entry.item_reference}: {entry.item_title}"

    def item_description(self, entry):
        # Atom summaries are read as HTML: escape the officer's text.
        if isinstance(entry, records.PublishedValue):
            return escape(f"Outcome indicator value for {long_date(entry.value.period_start)} to "
                          f"{long_date(entry.value.period_end)}. {entry.value.note}")
        return escape(f"{entry.status_label}. {entry.narrative}")

    def item_link(self, entry):
        if isinstance(entry, records.PublishedValue):
            return entry.url
        return f"{entry.item_url}#update-{entry.id}"

    item_guid_is_permalink = True

    def item_author_name(self, entry):
        # The organisation, never the officer who wrote it.
        return entry.value.organisation_name if isinstance(entry, records.PublishedValue) else entry.organisation_name

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.published_at

    def item_categories(self, entry):
        return ["Outcome indicators"] if isinstance(entry, records.PublishedValue) else [entry.source_title]


updates_feed = public_cache(PublishedUpdatesFeed(), query=ITEM_FILTERS)


class FollowedUpdatesFeed(PublishedUpdatesFeed):
    """Atom feed of the latest published updates on one item, source or theme."""

    def __init__(self, kind):
        self.kind = kind

    def get_object(self, request, **url_parameters):
        (key,) = url_parameters.values()  # the reference, code or slug in the address
        return records.followed(self.kind, key)

    def title(self, followed):
        return f"{followed.name}: published progress"

    def subtitle(self, followed):
        return (f"Progress updates on {followed.name} approved by the improvement board, and its responses to "
                "feedback, newest first.")

    def link(self, followed):
        return followed.url

    def items(self, followed):
        # The indicators' published values and the board's published responses to feedback ("You said,
        # we did") too, in one order by date.
        return records.newest_first(records.updates_about(followed, limit=self.limit), records.values_about(followed),
                                    records.responses_about(followed, limit=self.limit), limit=self.limit)

    def item_title(self, entry):
        if isinstance(entry, records.PublicFeedbackResponse):
            return f"{entry.item_reference}: the board's response to feedback"
        return super().item_title(entry)

    def item_description(self, entry):
        if isinstance(entry, records.PublicFeedbackResponse):
            return escape(f"You said: {entry.you_said} We did: {entry.we_did}")
        return super().item_description(entry)

    def item_link(self, entry):
        if isinstance(entry, records.PublicFeedbackResponse):
            return f"{entry.item_url}#response-{entry.id}"
        return super().item_link(entry)

    def item_author_name(self, entry):
        if isinstance(entry, records.PublicFeedbackResponse):
            return records.BOARD
        return super().item_author_name(entry)

    def item_categories(self, entry):
        if isinstance(entry, records.PublicFeedbackResponse):
            return ["You said, we did"]
        return super().item_categories(entry)


item_feed = public_cache(FollowedUpdatesFeed("item"))
source_feed = public_cache(FollowedUpdatesFeed("source"))
theme_feed = public_cache(FollowedUpdatesFeed("theme"))


class PublicationLogFeed(Feed):
    """Atom feed of the publication log's latest entries; its subtitle gives the log's head.

    Keeps no state on the instance: one object serves every request and thread."""

    feed_type = Atom1Feed
    title = "Rotherham inquiry recommendations: publication log"
    author_name = "Rotherham Metropolitan Borough Council"
    feed_copyright = f"{open_data.LICENCE['name']}: {open_data.LICENCE['url']}"
    limit = 50

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        del response.headers["Last-Modified"]  # public_cache dates it, as PublishedUpdatesFeed
        return response

    def get_object(self, request):
        entries = list(records.publication_log()[:self.limit])
        return entries, open_data.log_head(entries[:1], records.publication_log().count())

    def subtitle(self, obj):
        head = obj[1]
        return (f"Head of the log: {head['entries']} entries, latest entry hash {head['entry_hash']}, recorded "
                f"{head['recorded_at']}. Save it to check later that the log still contains it.")

    def link(self):
        return reverse("public:publication-log")

    def items(self, obj):
        return obj[0]

    def item_title(self, entry):
        if entry.kind == entry.Kind.MEETING_PACK:
            subject = "(a board meeting)"
        else:
            subject = entry.item_reference or ("(an outcome indicator)" if '"indicator":' in entry.content
                                               else "(a source)")
        return f"Entry {entry.pk}: {entry.get_kind_display()} {subject}"

    def item_description(self, entry):
        return escape(f"By {entry.by}. Entry hash {entry.entry_hash}; previous {entry.previous_hash}.")

    def item_link(self, entry):
        return f"{reverse('public:publication-log')}#entry-{entry.pk}"

    def item_author_name(self, entry):
        return entry.by

    def item_pubdate(self, entry):
        return entry.recorded_at

    def item_updateddate(self, entry):
        return entry.recorded_at


publication_log_feed = public_cache(PublicationLogFeed())
