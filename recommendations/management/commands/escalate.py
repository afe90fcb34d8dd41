from django.core.management.base import BaseCommand

from recommendations.services import escalation


class Command(BaseCommand):
    help = (
        "Escalate items past their target date or with an update overdue: a reminder "
        "to the owner's officers, then the lead role's contact, then listed for the board (see "
        "recommendations/services/escalation.py for the schedule). Safe to run from cron as often as you like: "
        "no step is recorded or e-mailed twice."
    )

    def handle(self, *args, **options):
        result = escalation.run()
        self.stdout.write(
            f"Recorded {result.recorded} escalation step{'s' if result.recorded != 1 else ''}, sent "
            f"{result.emails} e-mail{'s' if result.emails != 1 else ''}, ended {result.resolved} "
            f"spell{'s' if result.resolved != 1 else ''} of escalation."
        )
