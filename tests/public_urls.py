"""The list of public URLs, for the tests that crawl every public page."""
import io
import zipfile

from django.urls import reverse
from django.utils import timezone

from recommendations.models import BoardMeeting, Item, Source, Theme

# A sample day for the record "as at" a date (the demo's progress is in 2015),
# and a range of changes from the first source to today.
AS_AT_DAY = "2015-06-30"


def changes_range():
    return f"?from=2014-08-26&to={timezone.localdate().isoformat()}"


# Filters a visitor might share; none repeats text from the data, so a leak
# test cannot be fooled by a search term echoed back in the search box.
FILTERS = ["", "?source=JAY", "?status=in_progress", "?overdue=on", "?q=CSE", "?owner=rmbc-cyps",
           "?theme=looked-after-children", "?source=JAY&status=not_started&page=1",
           "?status=closed_not_implemented", "?status=superseded"]

DOWNLOADS = ["public:items-csv", "public:items-json", "public:updates-csv", "public:updates-json", "public:feed"]


def every_public_url():
    """Every public page, download and feed, with and without filters."""
    urls = [reverse(name) for name in ("public:home", "public:source-list", "public:theme-list", "public:accessibility", "public:glossary", "public:open-data",
                                       "public:publication-log", "public:publication-log-csv",
                                       "public:publication-log-json", "public:contact", "public:privacy",
                                       "public:as-at-choose", "public:changes", "public:board",
                                       "public:indicators-csv", "public:indicators-json",
                                       "public:indicator-values-csv", "public:indicator-values-json")]
    urls.append(reverse("public:as-at", args=[AS_AT_DAY]))
    urls.append(reverse("public:as-at", args=[timezone.localdate().isoformat()]))
    urls.extend(reverse(name) + changes_range() for name in ("public:changes", "public:changes-csv",
                                                               "public:changes-json"))
    for query in FILTERS:
        urls.append(reverse("public:item-list") + query)
        urls.extend(reverse(name) + query for name in DOWNLOADS)
    urls.extend(item.get_absolute_url() for item in Item.objects.all())
    urls.extend(source.get_absolute_url() for source in Source.objects.all())
    # Each source's progress report, and the same report as an OpenDocument text file.
    for code in Source.objects.values_list("code", flat=True):
        urls.extend(reverse(name, args=[code]) for name in ("public:source-report", "public:source-report-odt"))
    urls.extend(theme.get_absolute_url() for theme in Theme.objects.all())
    # Every board meeting's page, and each pack published as a meeting's public record.
    for day, published in BoardMeeting.objects.values_list("date", "pack_entry"):
        urls.append(reverse("public:board-meeting", args=[day.isoformat()]))
        if published:
            urls.append(reverse("public:board-meeting-pack", args=[day.isoformat()]))
    # Each one's feed, and its e-mail alerts form (a page, though never cached: it has a form).
    for name, model, field in [("item-feed", Item, "reference"), ("source-feed", Source, "code"),
                               ("theme-feed", Theme, "slug")]:
        urls.extend(reverse(f"public:{name}", args=[key]) for key in model.objects.values_list(field, flat=True))
    urls.extend(reverse("alerts:subscribe") + query for query in ("?item=JAY-04", "?source=JAY", "?theme=resources"))
    urls.append(reverse("alerts:requested") + "?item=JAY-04")
    # "Is this right? Tell the board": its form and the page after sending (never cached: a form).
    urls.extend(reverse(name, args=[reference]) for name in ("public:tell-the-board", "public:feedback-sent")
                for reference in ("JAY-03", "JAY-04"))
    return urls


ODT = "application/vnd.oasis.opendocument.text"


def readable_text(response):
    """What a public response says, to search: its body, or for an OpenDocument file (a zip of XML
    parts) every part of it read as text: the words, the metadata and the links alike."""
    if response["Content-Type"] == ODT:
        with zipfile.ZipFile(io.BytesIO(response.content)) as document:
            return "\n".join(document.read(name).decode("utf-8", "replace") for name in document.namelist())
    return response.content.decode()
