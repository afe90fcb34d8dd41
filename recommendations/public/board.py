"""
The improvement board in the open: who the board is, when it met, what it decided
at each meeting, and the meeting packs it agreed to publish.

- Members and meetings are entered by administrators in the admin (with a reason,
  kept in their history); every field of them shown here is public. Who
  published a pack is kept for the tracker's audit and never shown.
- A meeting's decisions are read from the publication log: the entries recorded
  on the meeting's day whose kind is a board decision (log.BOARD_DECISIONS),
  each linked to its item. The log is public in full, so nothing else is read.
- A meeting's public pack is frozen when the board publishes it: public_pack()
  builds it from public records only (the figures every public page counts, the
  published updates and decisions, items' public statuses and target dates as
  the record "as at" a day rebuilds them), and services/board_meetings.py
  writes it into the publication log, where the meeting's page reads it back.
  Never drafts, returned updates, review comments, authors' names, the review
  queue or escalations: the board's own pack has those, this one cannot.
"""
import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from recommendations import figures, words
from recommendations.models import BoardMeeting, BoardMember, Item, PublicationLogEntry
from recommendations.public import history, log, records

# With no earlier meeting, a pack covers about the last quarter (as the board's own pack does).
FIRST_PACK_PERIOD_DAYS = 91


@dataclass(frozen=True)
class PublicBoardMember:
    name: str
    role: str
    organisation: str
    serving_from: datetime.date | None
    serving_until: datetime.date | None


@dataclass(frozen=True)
class PublicMeeting:
    date: datetime.date
    title: str
    location: str
    notes: str
    pack_published_on: datetime.date | None  # the day the board published its pack, or None

    @property
    def heading(self):
        return self.title or "Improvement board meeting"

    @property
    def url(self):
        return meeting_url(self.date)

    @property
    def pack_url(self):
        return reverse("public:board-meeting-pack", args=[self.date.isoformat()]) if self.pack_published_on else ""

    @classmethod
    def from_meeting(cls, meeting):
        published = timezone.localdate(meeting.pack_published_at) if meeting.pack_published_at else None
        return cls(meeting.date, meeting.title, meeting.location, meeting.notes, published)


def meeting_url(day):
    return reverse("public:board-meeting", args=[day.isoformat()])


@dataclass(frozen=True)
class PublicDecision:
    """A decision of the board, from its publication log entry."""

    entry_id: int
    recorded_at: datetime.datetime
    kind: str
    label: str  # log.BOARD_DECISIONS
    item_reference: str
    item_title: str
    by: str  # a role or an organisation, never a person
    status: str  # the item's status after it, as a label ("" if the entry does not say)

    @property
    def item_url(self):
        return reverse("public:item-detail", args=[self.item_reference])


@dataclass
class Board:
    members: list  # [PublicBoardMember] serving today
    former_members: list  # [PublicBoardMember] who have left, most recent first
    meetings: list  # [PublicMeeting], newest first


def board():
    """The public board page: its members and its meetings. Two queries."""
    today = timezone.localdate()
    members, former = [], []
    for member in BoardMember.objects.all():
        record = PublicBoardMember(member.name, member.role, member.organisation, member.serving_from,
                                   member.serving_until)
        if member.serving_until is not None and member.serving_until < today:
            former.append(record)
        elif member.serving_from is None or member.serving_from <= today:
            members.append(record)
    former.sort(key=lambda member: member.serving_until, reverse=True)
    return Board(members, former, [PublicMeeting.from_meeting(meeting) for meeting in BoardMeeting.objects.all()])


def parse_meeting_day(text):
    """The meeting's day from its address, or Http404 (a malformed date is no meeting)."""
    try:
        return history.parse_day(text)
    except history.BadDate:
        raise Http404("No such meeting.") from None


def meeting(day):
    """A meeting (PublicMeeting) and the decisions published that day. 404 if the board did not meet
    that day. Two queries."""
    found = get_object_or_404(BoardMeeting, date=day)
    return PublicMeeting.from_meeting(found), decisions_on(day)


def decisions_on(day):
    """The board's decisions published on `day`, in the order they were made (PublicDecision). One query."""
    start = figures.end_of_day(day - datetime.timedelta(days=1))
    entries = (PublicationLogEntry.objects
               .filter(kind__in=list(log.BOARD_DECISIONS), recorded_at__gte=start,
                       recorded_at__lt=figures.end_of_day(day))
               .order_by("id").values_list("id", "recorded_at", "kind", "item_reference", "by", "content"))
    decisions = []
    for entry_id, recorded_at, kind, reference, by, content in entries:
        data = log.read_content(content)
        item, update = data.get("item") or {}, data.get("update") or {}
        status = item.get("status") or update.get("status") or ""
        decisions.append(PublicDecision(
            entry_id=entry_id, recorded_at=recorded_at, kind=kind, label=log.BOARD_DECISIONS[kind],
            item_reference=reference, item_title=item.get("title") or update.get("item_title", ""), by=by,
            status=records.STATUS_LABELS.get(status, status),
        ))
    return decisions


# --- The public meeting pack ---------------------------------------------------------


def pack_since(day):
    """The day a meeting's pack counts changes from: the board's previous meeting, or about a
    quarter before the first."""
    previous = BoardMeeting.objects.filter(date__lt=day).order_by("-date").values_list("date", flat=True).first()
    return previous or day - datetime.timedelta(days=FIRST_PACK_PERIOD_DAYS)


def _item_rows(ids):
    """{id: (reference, title, owner)} of items: public fields only. One query."""
    return {row[0]: row[1:] for row in Item.objects.filter(pk__in=ids).values_list("pk", "reference", "title",
                                                                                   "owner__short_name")}


def _moment(day, today):
    return figures.at_end_of(day) if day < today else figures.live()


def public_pack(day, since, today=None):
    """The public version of the meeting pack for the meeting on `day`, covering the changes after
    the end of `since`: a dict of plain values (dates as text), to be frozen in the publication log.

    Built from public records only: the figures the public pages count (at the end of `since` and
    at the end of the meeting's day, or now for a meeting today), the updates and decisions
    published in between (records.published_updates), items whose target date moved later or that
    went past it, and items reported implemented and not yet assured. About twelve queries."""
    today = today or timezone.localdate()
    then, at_meeting = figures.at_end_of(since), _moment(day, today)
    items = Item.objects.all()
    counts_then, counts_now = figures.counts(items, then), figures.counts(items, at_meeting)
    figure_rows = [
        [label, getattr(counts_then, name), getattr(counts_now, name)]
        for name, label in (
            ("total", "Recommendations, proposals and findings tracked (judgements are not counted)"),
            ("done", "Implemented or assured"),
            ("overdue", words.PAST_TARGET.name),
            ("slipping", words.SLIPPING.name),
            ("update_overdue", words.UPDATE_OVERDUE.name),
        )
    ]
    published = [
        [update.item_reference, update.item_title, update.kind_label, update.organisation_name,
         timezone.localdate(update.published_at).isoformat()]
        for update in reversed(records.published_updates(
            history.published_between(since + datetime.timedelta(days=1), day)))
    ]
    targets_then = dict(figures.item_rows(items, then).values_list("id", "current_target_date"))
    rows_now = list(figures.item_rows(items, at_meeting).values_list("id", "current_target_date", "status"))
    overdue_then = set(figures.item_rows(items, then).filter(figures.overdue_condition(then.today))
                       .values_list("id", flat=True))
    overdue_now = set(figures.item_rows(items, at_meeting).filter(figures.overdue_condition(at_meeting.today))
                      .values_list("id", flat=True))
    moved = {pk: (targets_then[pk], target) for pk, target, _ in rows_now
             if target and targets_then.get(pk) and target > targets_then[pk]}
    implemented = [pk for pk, _, status in rows_now if status == Item.Status.IMPLEMENTED]
    became_overdue = overdue_now - overdue_then
    described = _item_rows(set(moved) | set(implemented) | became_overdue)
    return {
        "day": day.isoformat(),
        "since": since.isoformat(),
        "as_at": at_meeting.today.isoformat(),
        "figures": figure_rows,
        "published": published,
        "slipped": sorted(
            ([*described[pk], was.isoformat(), now.isoformat(), (now - was).days] for pk, (was, now) in moved.items()),
            key=lambda row: (-row[5], row[0])),
        "became_overdue": sorted(list(described[pk]) for pk in became_overdue),
        "waiting_for_assurance": sorted(list(described[pk]) for pk in implemented),
    }


@dataclass(frozen=True)
class PublishedPack:
    """A meeting's pack as the board published it (frozen in the publication log)."""

    meeting: PublicMeeting
    since: datetime.date
    as_at: datetime.date
    figures: list  # [label, at the end of `since`, at the meeting]
    published: list  # [reference, title, what, by, published on]
    slipped: list  # [reference, title, owner, target then, target now, days moved]
    became_overdue: list  # [reference, title, owner]
    waiting_for_assurance: list  # [reference, title, owner]
    entry_id: int | None  # its publication log entry (None in a preview)

    def item_url(self, reference):
        return reverse("public:item-detail", args=[reference])


def _dated(rows, *columns):
    return [[datetime.date.fromisoformat(value) if index in columns else value for index, value in enumerate(row)]
            for row in rows]


def as_published(meeting, pack, entry_id=None):
    """A PublishedPack of a PublicMeeting and its pack (a dict from public_pack(), as frozen)."""
    return PublishedPack(
        meeting=meeting,
        since=datetime.date.fromisoformat(pack["since"]),
        as_at=datetime.date.fromisoformat(pack["as_at"]),
        figures=pack["figures"],
        published=_dated(pack["published"], 4),
        slipped=_dated(pack["slipped"], 3, 4),
        became_overdue=pack["became_overdue"],
        waiting_for_assurance=pack["waiting_for_assurance"],
        entry_id=entry_id,
    )


def published_pack(day):
    """The meeting's published pack (PublishedPack), as frozen in its publication log entry. 404 if
    there is no such meeting, or its pack is not published. One query."""
    found = get_object_or_404(BoardMeeting.objects.select_related("pack_entry"), date=day,
                              pack_entry__isnull=False)
    return as_published(PublicMeeting.from_meeting(found), log.read_content(found.pack_entry.content)["pack"],
                        found.pack_entry_id)
