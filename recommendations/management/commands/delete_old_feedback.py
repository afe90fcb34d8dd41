from django.core.management.base import BaseCommand

from recommendations.services import feedback


class Command(BaseCommand):
    help = (
        "Delete the personal data of the public's feedback closed TRACKER_FEEDBACK_RETENTION_DAYS days ago or "
        "more: the text, the reply address, the private reply and the hashed client address. Published "
        "summaries and responses stay. Safe to run twice, and from cron (daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Days after closing (default: TRACKER_FEEDBACK_RETENTION_DAYS).")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            self.stderr.write("--days must be 0 or more.")
            return
        erased = feedback.delete_old(days=days)
        self.stdout.write(f"Deleted the personal data of {erased} closed piece{'s' if erased != 1 else ''} of "
                          "feedback.")
