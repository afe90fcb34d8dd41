from django.urls import path

from recommendations.views import board

app_name = "board"

urlpatterns = [
    path("", board.overview, name="overview"),
]
