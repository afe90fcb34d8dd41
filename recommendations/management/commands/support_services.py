"""Check the support services file, list what the public pages show, and show it now."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations import versions
from recommendations.words import long_date
from recommendations.services import support_services


class Command(BaseCommand):
    help = (
        "Check the support services file (TRACKER_SUPPORT_SERVICES_FILE), list each entry with the day it was "
        "checked, and make every public page show the file as it is now."
    )

    def handle(self, *args, **options):
        loaded = support_services.load()
        today = timezone.localdate()
        for service in loaded.services:
            days = (today - service.checked).days
            self.stdout.write(f"{service.name}: checked on {long_date(service.checked)} ({days} days ago)")
        # Cached public pages were made with the old list: they are out of date now.
        versions.changed()
        self.stdout.write(f"The public pages show {len(loaded.services)} support services from now on.")
        if loaded.problems:
            for problem in loaded.problems:
                self.stderr.write(problem)
            raise CommandError(f"Correct {support_services.path()} and run this again.")
