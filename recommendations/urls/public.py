from django.urls import path

from recommendations.views import feedback, public, record

app_name = "public"

urlpatterns = [
    path("", public.home, name="home"),
    path("items/", public.item_list, name="item-list"),
    # Downloads sit before items/<reference>/ so "items.csv" is never read as a reference.
    path("items.csv", public.download_csv, {"name": "items"}, name="items-csv"),
    path("items.json", public.download_json, {"name": "items"}, name="items-json"),
    path("items/<str:reference>/", public.item_detail, name="item-detail"),
    path("items/<str:reference>/feed/", public.item_feed, name="item-feed"),
    # A form, so never cached: the item page only links to it (views/feedback.py).
    path("items/<str:reference>/tell-the-board/", feedback.tell_the_board, name="tell-the-board"),
    path("items/<str:reference>/tell-the-board/sent/", feedback.sent, name="feedback-sent"),
    path("updates.csv", public.download_csv, {"name": "updates"}, name="updates-csv"),
    path("updates.json", public.download_json, {"name": "updates"}, name="updates-json"),
    path("feed/", public.updates_feed, name="feed"),
    path("indicators.csv", public.download_csv, {"name": "indicators"}, name="indicators-csv"),
    path("indicators.json", public.download_json, {"name": "indicators"}, name="indicators-json"),
    path("indicator-values.csv", public.download_csv, {"name": "indicator-values"}, name="indicator-values-csv"),
    path("indicator-values.json", public.download_json, {"name": "indicator-values"},
         name="indicator-values-json"),
    path("sources/", public.source_list, name="source-list"),
    path("sources/<slug:code>/", public.source_detail, name="source-detail"),
    path("sources/<slug:code>/feed/", public.source_feed, name="source-feed"),
    path("sources/<slug:code>/report/", public.source_report, name="source-report"),
    path("sources/<slug:code>/report.odt", public.source_report_odt, name="source-report-odt"),
    path("themes/", public.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", public.theme_detail, name="theme-detail"),
    path("themes/<slug:slug>/feed/", public.theme_feed, name="theme-feed"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("open-data/", public.open_data_page, name="open-data"),
    path("publication-log/", public.publication_log, name="publication-log"),
    path("publication-log.csv", public.download_csv, {"name": "publication-log"}, name="publication-log-csv"),
    path("publication-log.json", public.download_json, {"name": "publication-log"}, name="publication-log-json"),
    path("publication-log/feed/", public.publication_log_feed, name="publication-log-feed"),
    path("contact/", record.contact, name="contact"),
    path("privacy/", record.privacy, name="privacy"),
    path("glossary/", record.glossary, name="glossary"),
    path("as-at/", record.as_at_choose, name="as-at-choose"),
    path("as-at/<str:day>/", record.as_at, name="as-at"),
    path("changes/", record.changes, name="changes"),
    path("changes.csv", record.changes_csv, name="changes-csv"),
    path("changes.json", record.changes_json, name="changes-json"),
    # The improvement board in the open (/board/ is the signed-in dashboards).
    path("improvement-board/", record.improvement_board, name="board"),
    path("improvement-board/meetings/<str:day>/", record.board_meeting, name="board-meeting"),
    path("improvement-board/meetings/<str:day>/pack/", record.board_meeting_pack, name="board-meeting-pack"),
]
