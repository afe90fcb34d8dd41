from django.urls import path

from recommendations.views import alerts

app_name = "alerts"

urlpatterns = [
    path("subscribe/", alerts.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", alerts.requested, name="requested"),
    path("confirm/<str:token>/", alerts.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", alerts.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", alerts.manage, name="manage"),
]
