from django.core.management.base import BaseCommand, CommandError

from recommendations.services import publication_log


class Command(BaseCommand):
    help = (
        "Check the publication log: its hash chain, and that every logged publication still reads in the "
        "database as it was published. Exits non-zero naming the first entry that no longer matches."
    )

    def handle(self, *args, **options):
        problem = publication_log.verify()
        if problem:
            raise CommandError(f"The publication log does not match the database. First problem: {problem}")
        entries = publication_log.PublicationLogEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The publication log holds: {entries} entries checked."))
        unlogged = publication_log.unlogged_publications().count()
        if unlogged:
            self.stdout.write(f"{unlogged} published updates have no log entry (published before the log began, "
                              "or generated test data).")
