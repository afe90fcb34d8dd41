from django.core.management.base import BaseCommand, CommandError

from recommendations.services import link_checker

DEFAULTS = link_checker.Limits()


def _positive(value):
    number = float(value)
    if number <= 0:
        raise ValueError
    return number


class Command(BaseCommand):
    help = (
        "Check that every published evidence link still opens, and record what each answered (see "
        "recommendations/services/link_checker.py). Run daily: a link checked in the last hours is skipped, "
        "so a second run the same day checks nothing again, and two runs at once never check a link twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="Check every published link now, even those checked in the last hours.")
        parser.add_argument("--connect-timeout", type=_positive, default=DEFAULTS.connect_timeout,
                            help=f"Seconds to wait to connect to a site (default {DEFAULTS.connect_timeout:g}).")
        parser.add_argument("--read-timeout", type=_positive, default=DEFAULTS.read_timeout,
                            help=f"Seconds to wait for a site's answer (default {DEFAULTS.read_timeout:g}).")
        parser.add_argument("--gap", type=float, default=DEFAULTS.gap,
                            help=f"Seconds between two requests to the same site (default {DEFAULTS.gap:g}).")
        parser.add_argument("--skip-hours", type=float, default=DEFAULTS.skip_hours,
                            help="Links checked fewer than this many hours ago are skipped "
                                 f"(default {DEFAULTS.skip_hours:g}).")

    def handle(self, *args, **options):
        if options["gap"] < 0 or options["skip_hours"] < 0:
            raise CommandError("--gap and --skip-hours cannot be negative.")
        limits = link_checker.Limits(
            connect_timeout=options["connect_timeout"], read_timeout=options["read_timeout"], gap=options["gap"],
            skip_hours=options["skip_hours"],
        )
        report = link_checker.check_links(limits, everything=options["all"])
        for url, answer, broken in report.failures:
            self.stdout.write(f"{'Broken' if broken else 'Failed (first day)'}: {url}: {answer}")
        self.stdout.write(
            f"Checked {report.checked} evidence link{'s' if report.checked != 1 else ''}: {report.opened} opened, "
            f"{report.failed} failed ({report.broken} counted as broken)."
            + (f" {report.left_to_another_run} left to another run checking at the same time."
               if report.left_to_another_run else "")
        )
