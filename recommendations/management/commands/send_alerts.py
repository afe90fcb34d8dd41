from django.core.management.base import BaseCommand

from recommendations.services import alerts


class Command(BaseCommand):
    help = (
        "Send the e-mail alerts that are due (each update as it is published, yesterday's daily digest, or from Monday "
        "last week's weekly digest) and "
        f"delete subscriptions left unconfirmed for {alerts.CONFIRM_DAYS} days. Nothing is sent twice, so it is "
        "safe to run from cron as often as you like (every few minutes)."
    )

    def handle(self, *args, **options):
        deleted = alerts.expire()
        sent = alerts.send_due()
        self.stdout.write(
            f"Sent {sent} alert e-mail{'s' if sent != 1 else ''}; deleted {deleted} unconfirmed "
            f"subscription{'s' if deleted != 1 else ''}."
        )
