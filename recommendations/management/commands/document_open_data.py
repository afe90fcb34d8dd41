from django.core.management.base import BaseCommand

from recommendations.public import open_data


class Command(BaseCommand):
    help = (
        "Print docs/open-data.md, the open data fields and their meanings, from the definitions in "
        "recommendations/public/open_data.py: python manage.py document_open_data > docs/open-data.md"
    )

    def handle(self, *args, **options):
        self.stdout.write(open_data.field_documentation(), ending="")
