from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Inquiry recommendations"

    def ready(self):
        from recommendations.services import page_cache

        # Public changes make the shared cache of public pages out of date.
        page_cache.connect_signals()
