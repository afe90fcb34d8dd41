"""The foundation's public pages render the loaded items."""
import pytest


@pytest.mark.django_db
def test_item_list_shows_every_loaded_item(seeded, client):
    response = client.get("/items/?page=1")
    assert response.status_code == 200
    for reference in ["JAY-01", "JAY-15", "ADCS-6", "OFSTED-F9", "OFSTED-J1"]:
        assert reference.encode() in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/items/JAY-04/", "/sources/", "/sources/OFSTED/", "/accessibility/"])
def test_public_pages_render(seeded, client, url):
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_unknown_item_is_404(seeded, client):
    assert client.get("/items/JAY-99/").status_code == 404
