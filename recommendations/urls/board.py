from django.urls import path

from recommendations.views import board

app_name = "board"

# Each dashboard at its own address, and each of its tables as CSV beside it.
urlpatterns = [
    path("", board.overview, name="overview"),
    path("<slug:table>.csv", board.overview, name="overview-csv"),
    path("owners/", board.owners, name="owners"),
    path("owners/<slug:table>.csv", board.owners, name="owners-csv"),
    path("trend/", board.trend, name="trend"),
    path("trend/<slug:table>.csv", board.trend, name="trend-csv"),
    path("overlap/", board.overlap, name="overlap"),
    path("overlap/<slug:table>.csv", board.overlap, name="overlap-csv"),
    path("assurance/", board.assurance, name="assurance"),
    path("assurance/<slug:table>.csv", board.assurance, name="assurance-csv"),
    path("as-at/", board.as_at, name="as-at"),
    path("as-at/<slug:table>.csv", board.as_at, name="as-at-csv"),
    path("pack/", board.pack, name="pack"),
    path("pack/<slug:table>.csv", board.pack, name="pack-csv"),
]
