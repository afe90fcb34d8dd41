from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.services.sources import SeedError, load_sources


class Command(BaseCommand):
    help = (
        "Load the tracked sources, items, organisations, themes and actions from the seed files. "
        "Safe to run again: it never overwrites progress, status or evidence entered in the app."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=str(settings.BASE_DIR / "seeds"), help="Folder of seed files (default: seeds/)."
        )

    def handle(self, *args, **options):
        try:
            report = load_sources(options["dir"])
        except SeedError as error:
            raise CommandError(
                "The seed files were not loaded; nothing was changed.\n" + "\n".join(f"  - {p}" for p in error.problems)
            )
        self.stdout.write(self.style.SUCCESS(str(report)))
