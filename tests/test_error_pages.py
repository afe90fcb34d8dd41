"""Errors get plain, styled pages that say what to do next."""
import pytest
from django.test import Client


@pytest.mark.django_db
def test_unknown_page_gets_the_styled_not_found_page(seeded, client):
    response = client.get("/items/?page=9999")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"see every tracked item" in response.content


@pytest.mark.django_db
def test_forbidden_page_says_nothing_changed(council_officer, client):
    client.force_login(council_officer)
    response = client.get("/work/review/")
    assert response.status_code == 403
    assert b"You cannot use this page" in response.content


@pytest.mark.django_db
@pytest.mark.urls("tests.broken_urls")
def test_server_error_page_shows_no_details(seeded):
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"secret internal detail" not in response.content


@pytest.mark.parametrize("path", ["/items/%00/", "/items/JAY%0004/", "/work/items/%00/", "/sources/%00/",
                                  "/admin/recommendations/item/?owner__id__exact=%00",
                                  "/admin/recommendations/item/?q=%00"])
def test_a_null_character_in_an_address_is_a_bad_request(administrator, client, path):
    """Not a server error (PostgreSQL refuses null characters), on both databases."""
    client.force_login(administrator)
    response = client.get(path)
    assert response.status_code == 400
    assert "problem with that web address" in response.content.decode()
