from django.urls import path

from recommendations.views import public

app_name = "public"

urlpatterns = [
    path("", public.home, name="home"),
    path("items/", public.item_list, name="item-list"),
    # Downloads sit before items/<reference>/ so "items.csv" is never read as a reference.
    path("items.csv", public.items_csv, name="items-csv"),
    path("items.json", public.items_json, name="items-json"),
    path("items/<str:reference>/", public.item_detail, name="item-detail"),
    path("updates.csv", public.updates_csv, name="updates-csv"),
    path("updates.json", public.updates_json, name="updates-json"),
    path("feed/", public.updates_feed, name="feed"),
    path("sources/", public.source_list, name="source-list"),
    path("sources/<slug:code>/", public.source_detail, name="source-detail"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("open-data/", public.open_data_page, name="open-data"),
]
