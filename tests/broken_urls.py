"""The project's URLs plus one view that fails, for the server-error page test."""
from django.urls import path

from tracker.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("broken/", broken)] + project_urlpatterns
