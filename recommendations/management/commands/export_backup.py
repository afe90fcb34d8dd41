from django.core.management.base import BaseCommand

from recommendations.services.backup import export_backup


class Command(BaseCommand):
    help = "Write every item, update, evidence link, action, account and their change history to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write, e.g. tracker-2025-01-31.json")

    def handle(self, *args, **options):
        with open(options["file"], "w", encoding="utf-8") as stream:
            rows = export_backup(stream)
        self.stdout.write(self.style.SUCCESS(f"Backed up {rows} rows to {options['file']}."))
