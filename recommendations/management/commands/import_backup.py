from django.core.management.base import BaseCommand, CommandError

from recommendations.services.backup import BackupRefused, import_backup


class Command(BaseCommand):
    help = "Restore a backup made by export_backup into an empty, migrated database (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup file written by export_backup")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as stream:
                rows = import_backup(stream)
        except (BackupRefused, OSError) as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"Restored {rows} rows from {options['file']}."))
