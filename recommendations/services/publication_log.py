"""
The tamper-evident publication log.

Every change to the public record that the tracker makes (an update
published, an item assured, reopened or corrected, official wording
verified) appends one entry: what, which item, when, by which role or
organisation (never a person), the public content as published, and a hash
chained to the previous entry's hash:

    content_hash = sha256(content)
    entry_hash   = sha256(previous_hash | id-free fields | content_hash)

The log is public. `verify()` (manage.py verify_publication_log) recomputes the
chain and compares each entry's content with what the database holds now, and
reports the first entry that no longer matches: a published row edited
directly in the database, an entry altered or removed, a chain broken.

Entries are appended inside the transaction that makes the change, so a
rolled-back change leaves no entry. A unique constraint on previous_hash keeps
the log one chain even when two publications happen at once; the loser of such
a race reads the new head and tries again.
"""
import hashlib
import json
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from recommendations.models import Item, ProgressUpdate, PublicationLogEntry
from recommendations.services import public_data

GENESIS = "0" * 64
Kind = PublicationLogEntry.Kind
KIND_OF_UPDATE = {
    ProgressUpdate.Kind.PROGRESS: Kind.PUBLICATION,
    ProgressUpdate.Kind.ASSURANCE: Kind.ASSURANCE,
    ProgressUpdate.Kind.REOPENING: Kind.REOPENING,
    ProgressUpdate.Kind.CORRECTION: Kind.CORRECTION,
}
BOARD = ProgressUpdate.BOARD_NAME
ATTEMPTS = 5


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(previous_hash, recorded_at, kind, item_reference, update_id, by, content_hash):
    fields = [previous_hash, recorded_at.isoformat(), kind, item_reference, str(update_id or ""), by, content_hash]
    return _sha256("|".join(fields))


# --- The public content of what is logged ---------------------------------------


def update_content(update_id):
    """The public content of a published update, as the public sees it now (None if gone):
    the same record the pages, downloads and feed show (public_data.PublicUpdate)."""
    records = public_data.published_updates(ProgressUpdate.objects.published().filter(pk=update_id))
    if not records:
        return None
    content = asdict(records[0])
    if not content["evidence_strength"]:
        # Only assurances have these; leaving them out elsewhere keeps the content
        # of every entry logged before they existed exactly as it was hashed.
        del content["evidence_strength"], content["evidence_checked"]
    return _canonical(content)


def verification_content(item):
    return _canonical({
        "item_reference": item.reference,
        "official_wording": item.official_wording,
        "official_reference": item.official_reference,
        "verified_at": item.verified_at.isoformat() if item.verified_at else None,
    })


# --- Appending --------------------------------------------------------------------


def _append(kind, item_reference, by, content, update_id=None):
    recorded_at = timezone.now()
    content_hash = _sha256(content)
    for _ in range(ATTEMPTS):
        head = PublicationLogEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        previous = head or GENESIS
        entry = PublicationLogEntry(
            recorded_at=recorded_at, kind=kind, item_reference=item_reference, update_id=update_id, by=by,
            content=content, content_hash=content_hash, previous_hash=previous,
            entry_hash=entry_hash(previous, recorded_at, kind, item_reference, update_id, by, content_hash),
        )
        try:
            with transaction.atomic():
                entry.save()
            return entry
        except IntegrityError:
            continue  # another entry was appended after the same head: read the new head
    raise RuntimeError("The publication log is busy: try again.")


def record_update(update):
    """Log a published update or a board decision (call inside the publishing transaction)."""
    if update.kind == ProgressUpdate.Kind.PROGRESS:
        organisation = update.organisation.name if update.organisation_id else BOARD
        by = f"Reported by {organisation}; approved by the improvement board"
    else:
        by = "Decision of the improvement board"
    return _append(KIND_OF_UPDATE[update.kind], update.item.reference, by, update_content(update.pk),
                   update_id=update.pk)


def record_verification(item):
    """Log official wording marked as verified by an administrator."""
    return _append(Kind.VERIFICATION, item.reference, "Administrator", verification_content(item))


# --- Checking -----------------------------------------------------------------------


@dataclass
class Problem:
    entry: PublicationLogEntry
    reason: str

    def __str__(self):
        return f"Entry {self.entry.pk} ({self.entry.get_kind_display()}, {self.entry.item_reference}): {self.reason}"


def verify():
    """The first entry that no longer matches (a Problem), or None if the whole log holds.

    Checks, in order: the chain (each entry's hashes from its own fields and
    its predecessor), then each entry's content against the database: a
    published update must still read as it was published; an item's latest
    verification must match its wording now.
    """
    previous = GENESIS
    latest_verification = {}
    entries = list(PublicationLogEntry.objects.order_by("id"))
    for entry in entries:
        if entry.previous_hash != previous:
            return Problem(entry, "it does not follow the entry before it (an entry was removed or inserted)")
        if entry.content_hash != _sha256(entry.content):
            return Problem(entry, "its content was altered after it was logged")
        expected = entry_hash(entry.previous_hash, entry.recorded_at, entry.kind, entry.item_reference,
                              entry.update_id, entry.by, entry.content_hash)
        if entry.entry_hash != expected:
            return Problem(entry, "its details were altered after it was logged")
        previous = entry.entry_hash
        if entry.kind == Kind.VERIFICATION:
            latest_verification[entry.item_reference] = entry
    for entry in entries:
        if entry.update_id is not None and update_content(entry.update_id) != entry.content:
            return Problem(entry, "the published update in the database no longer matches what was published")
        if entry.kind == Kind.VERIFICATION and latest_verification[entry.item_reference] is entry:
            item = Item.objects.filter(reference=entry.item_reference).first()
            if item is None or not item.verified or verification_content(item) != entry.content:
                return Problem(entry, "the item's verified official wording no longer matches what was logged")
    return None


def unlogged_publications():
    """Published updates with no log entry (made before the log existed, or written around the workflow)."""
    logged = PublicationLogEntry.objects.filter(update_id__isnull=False).values("update_id")
    return ProgressUpdate.objects.published().exclude(pk__in=logged)
