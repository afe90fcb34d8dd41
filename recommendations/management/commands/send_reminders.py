from django.core.management.base import BaseCommand

from recommendations.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail officers whose organisation owns items that are overdue or have an update overdue (no update published for "
        "longer than the item's update cadence). Sends at most one e-mail per person per day, so it is safe to run "
        "from cron several times a day."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"Sent {sent} reminder e-mail{'s' if sent != 1 else ''}.")
