from django.urls import path

from recommendations.views import public

app_name = "public"

urlpatterns = [
    path("", public.home, name="home"),
    path("items/", public.ItemListView.as_view(), name="item-list"),
    path("items/<str:reference>/", public.item_detail, name="item-detail"),
    path("sources/", public.source_list, name="source-list"),
    path("sources/<slug:code>/", public.source_detail, name="source-detail"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("open-data/", public.open_data, name="open-data"),
]
