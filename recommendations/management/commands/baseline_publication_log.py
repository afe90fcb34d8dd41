from django.core.management.base import BaseCommand

from recommendations import versions
from recommendations.services import publication_log


class Command(BaseCommand):
    help = (
        "Once, on a database from before the publication log covered the whole record: log every published "
        "update that has no entry, and the current public state of every source and item the log does not know "
        "yet. Anything already logged is left alone, so this cannot hide a later change."
    )

    def handle(self, *args, **options):
        entries = publication_log.record_baseline()
        if entries:
            versions.changed()  # the log's pages and downloads
        self.stdout.write(self.style.SUCCESS(f"{len(entries)} baseline entries appended to the publication log."))
