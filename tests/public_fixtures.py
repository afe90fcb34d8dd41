"""Shared set-up for the public pages' tests: demo progress and the list of public URLs."""
import pytest
from django.conf import settings
from django.urls import reverse

from recommendations.models import Item, Source
from recommendations.services.demo import load_demo

DEMO = settings.BASE_DIR / "fixtures" / "demo.yaml"

# Filters a visitor might share; none repeats text from the data, so a leak
# test cannot be fooled by a search term echoed back in the search box.
FILTERS = ["", "?source=JAY", "?status=in_progress", "?overdue=on", "?q=CSE", "?owner=rmbc-cyps",
           "?theme=looked-after-children", "?source=JAY&status=not_started&page=1"]

DOWNLOADS = ["public:items-csv", "public:items-json", "public:updates-csv", "public:updates-json", "public:feed"]


@pytest.fixture
def demo_progress(seeded):
    """The fictional demo progress: approved, submitted, returned and draft updates."""
    load_demo(DEMO)


def every_public_url():
    """Every public page, download and feed, with and without filters."""
    urls = [reverse(name) for name in ("public:home", "public:source-list", "public:accessibility", "public:open-data")]
    for query in FILTERS:
        urls.append(reverse("public:item-list") + query)
        urls.extend(reverse(name) + query for name in DOWNLOADS)
    urls.extend(item.get_absolute_url() for item in Item.objects.all())
    urls.extend(source.get_absolute_url() for source in Source.objects.all())
    return urls
