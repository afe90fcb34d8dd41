import json
from urllib.request import urlopen

from django.core.management.base import BaseCommand, CommandError

from recommendations.services import publication_log


def read_witness(place):
    """A saved head from a file or a web address: {"entries", "entry_hash"}, or a whole JSON
    download of the log (publication-log.json), whose "head" is taken."""
    try:
        if place.startswith(("http://", "https://")):
            with urlopen(place, timeout=30) as response:  # noqa: S310 (an address the operator gives)
                text = response.read().decode("utf-8")
        else:
            with open(place, encoding="utf-8") as handle:
                text = handle.read()
        data = json.loads(text)
    except (OSError, ValueError) as error:
        raise CommandError(f"Could not read the saved head from {place}: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("head"), dict):
        data = data["head"]
    return data


class Command(BaseCommand):
    help = (
        "Check the publication log: its hash chain; that every logged publication still reads in the database as "
        "it was published and every published update has its entry; and that every public item and source shows, "
        "field by field, what the log says it should. With --witness, also that the log still contains a head "
        "saved earlier. Exits non-zero listing every problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--witness", metavar="FILE_OR_URL",
                            help="A head saved earlier (JSON with entries and entry_hash, or publication-log.json)")

    def handle(self, *args, **options):
        witness = read_witness(options["witness"]) if options["witness"] else None
        problems = publication_log.check(witness=witness)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"The publication log does not match the public record: {len(problems)} problems. "
                               f"First problem: {problems[0]}")
        head = publication_log.head()
        checked = " and contains the saved head" if witness is not None else ""
        self.stdout.write(self.style.SUCCESS(
            f"The publication log holds{checked}: {head['entries']} entries checked, head {head['entry_hash']}."
        ))
