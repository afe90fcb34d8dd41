"""The shared page cache cannot be flooded: a public page is stored under a key built only
from the query parameters its view reads (sorted, the last value of each, blank ones left
out), so unknown, repeated, reordered or blank parameters add no entry, and the view never
sees them (nothing a visitor adds to an address is written into a page others are sent)."""
import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

# A page of each kind that reads query parameters, and one that reads none.
PAGES = ["/items/?source=JAY&status=not_started", "/items/?q=CSE&page=1", "/items.csv?source=JAY",
         "/updates.json?theme=looked-after-children", "/feed/?source=JAY", "/publication-log/",
         "/changes/?from=2014-08-26", "/sources/JAY/", "/"]

JUNK = [
    "utm_source=mail{n}", "zz{n}=1&yy=2", "owner=&rag=&n{n}=", "fbclid=abc{n}&_={n}",
]


def stored_pages():
    """The pages in the shared cache (the test settings' cache is Django's cache inside the process)."""
    return sorted(key for key in caches["default"]._cache if ":page:" in key)


def with_junk(url, junk):
    return url + ("&" if "?" in url else "?") + junk


def test_junk_query_strings_add_no_stored_page(seeded, client):
    first = {url: client.get(url) for url in PAGES}
    assert all(response.status_code == 200 for response in first.values())
    pages = stored_pages()
    assert len(pages) == len(PAGES)

    for n in range(25):
        for url in PAGES:
            response = client.get(with_junk(url, JUNK[n % len(JUNK)].format(n=n)))
            assert response.status_code == 200, url
            assert response.content == first[url].content, url  # the stored page
    # The same parameters in another order, or one repeated (the last value counts), are the same page.
    client.get("/items/?status=not_started&source=JAY")
    client.get("/items/?source=OFSTED&status=not_started&source=JAY")
    assert stored_pages() == pages


def test_the_view_never_sees_parameters_it_does_not_read(seeded, client):
    """Unknown parameters are not echoed in the item list's page links, so a page stored for
    one visitor's address carries nothing of it to the next."""
    page = client.get("/items/?status=not_started&injected=from-a-visitor").content.decode()
    assert "injected" not in page and "from-a-visitor" not in page
    assert "status=not_started" in page

