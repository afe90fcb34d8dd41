from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.services.demo import DemoRefused, load_demo


class Command(BaseCommand):
    help = "Create the demo accounts and demo progress from fixtures/demo.yaml (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(settings.BASE_DIR / "fixtures" / "demo.yaml"))

    def handle(self, *args, **options):
        # The demo accounts have no real mailboxes: the workflow's e-mails
        # would only fill the console. Restored afterwards, for callers in the
        # same process (tests, call_command).
        email_backend = settings.EMAIL_BACKEND
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        try:
            created = load_demo(options["file"])
        except DemoRefused as error:
            raise CommandError(str(error))
        finally:
            settings.EMAIL_BACKEND = email_backend
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new demo updates)."))
