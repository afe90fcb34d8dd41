from django.conf import settings
from django.core.management.base import BaseCommand

from recommendations.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail officers whose organisation owns items that are overdue or have had no update for N days. "
        "Sends at most one e-mail per person per day, so it is safe to run from cron several times a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=settings.TRACKER_STALE_AFTER_DAYS,
            help="Days without an update after which an item needs one (default: %(default)s).",
        )

    def handle(self, *args, days, **options):
        sent = send_reminders(days=days)
        self.stdout.write(f"Sent {sent} reminder e-mail{'s' if sent != 1 else ''}.")
