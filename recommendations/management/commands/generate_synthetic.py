import time

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.synthetic import SyntheticRefused, generate


class Command(BaseCommand):
    help = (
        "Create synthetic sources, items, actions, evidence and progress updates for load tests. "
        "The same seed gives the same data on the same day. Refuses a database with real data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=10_000, help="Number of items (200 per source).")
        parser.add_argument("--updates", type=int, default=100_000, help="Number of progress updates.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument(
            "--force", action="store_true", help="Write even though the database holds real sources or items."
        )

    def handle(self, *args, items, updates, seed, force, **options):
        if items < 1 or updates < 0:
            raise CommandError("--items must be at least 1 and --updates at least 0.")
        started = time.perf_counter()
        try:
            report = generate(items=items, updates=updates, seed=seed, force=force)
        except SyntheticRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Created {report} in {elapsed:.1f} s.")
