from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Inquiry recommendations"

    def ready(self):
        from recommendations import checks  # noqa: F401 (importing it registers the deploy checks)
        from recommendations import versions

        # Public changes make every cached public page out of date.
        versions.connect_signals()
