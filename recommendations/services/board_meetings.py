"""
Publishing a meeting's pack as that meeting's public record, once the board agrees.

Rules enforced here:
- only an improvement board reviewer publishes a pack (policies.meetings); an
  administrator enters members and meetings but takes no part in the board's decisions;
- the pack published is the public one (public/board.public_pack): built from public
  records only, never the board's own pack with its review queue, returns and escalations;
- it is frozen when published: written into the publication log (one entry, in
  the same transaction), which the meeting's public page reads back, so later
  changes to the record never rewrite what the board published;
- a pack is published once: two reviewers publishing at the same moment, one wins
  and the other is told; a meeting in the future has no pack to publish yet.
"""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from recommendations import policies, versions
from recommendations.models import BoardMeeting
from recommendations.public import board
from recommendations.services import publication_log

REASON = "The board agreed to publish this meeting's pack as the meeting's public record"


class PackNotPublished(Exception):
    """A rule forbids publishing this pack; nothing was saved. The message is for the user."""


def preview(meeting):
    """What would be published for the meeting: (since, the public pack as a dict)."""
    since = board.pack_since(meeting.date)
    return since, board.public_pack(meeting.date, since)


def publish_pack(user, meeting):
    """Publish the meeting's public pack, frozen in the publication log. Returns its log entry."""
    if not policies.meetings.may(user, "publish_meeting_pack", meeting):
        raise PermissionDenied
    if meeting.date > timezone.localdate():
        raise PackNotPublished("This meeting has not happened yet: its pack can be published on or after "
                               "the day of the meeting.")
    with transaction.atomic():
        # The claim: only the first of two publications of the same pack writes anything.
        claimed = BoardMeeting.objects.filter(pk=meeting.pk, pack_published_at__isnull=True).update(
            pack_published_at=timezone.now(), pack_published_by=user)
        if not claimed:
            raise PackNotPublished("This meeting's pack is already published as its public record. "
                                   "Nothing was changed.")
        meeting.refresh_from_db()
        _, pack = preview(meeting)
        entry = publication_log.record_meeting_pack(meeting, pack, REASON)
        meeting.pack_entry = entry
        meeting._change_reason = REASON
        meeting.save(update_fields=["pack_entry"])
        versions.changed()
    return entry
