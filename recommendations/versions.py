"""
The versions every cached value is keyed on, and what changes them.

Two numbers kept in the database (PublicVersion), raised by every change:

- the public version, raised by every public change: saving or deleting an
  item, source, theme, organisation, action or outcome indicator (and their
  links), board member or board meeting, evidence that is public, a published
  progress update or indicator value (approving it publishes it) and a published
  response to the public's feedback;
- the board's version, raised by that and by every change the dashboards
  count, published or not (a draft, a submission, a return, feedback received
  or decided on).

Because the versions live in the database, every app server and every worker
process reads the same ones on every request (one primary-key lookup), so a
publication through one is seen by all of them on their next request, whatever
the cache: a value kept under a version is never stale, only less often found.
Inside a transaction the new version is committed with the change itself.
While the database cannot be reached, the public version this process read
last is used, so pages already cached are still served (nothing can be
published meanwhile).

Writes that bypass model signals (the synthetic data's bulk load, and the
link checker's results when a link's broken state or the day a broken link
was checked changes: services/link_checker.py) call changed() themselves. The signals are connected in RecommendationsConfig.ready().
"""
from django.db import DatabaseError
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from recommendations.models import EvidenceLink, Feedback, Indicator, IndicatorValue, Item, ProgressUpdate, PublicVersion


def changed():
    """Something shown publicly changed: every cached public page is out of date
    (and the board's figures, which count public data too)."""
    PublicVersion.bump()
    work_changed()


def work_changed():
    """Something the board's dashboards count changed, public or not (a draft,
    a submission, a return): their figures kept per board version are out of date."""
    PublicVersion.bump(PublicVersion.BOARD_ROW)


def board_version():
    """The board's figures' version: read from the database on every request, like the public one."""
    return PublicVersion.current(PublicVersion.BOARD_ROW)


# The version this process read last. Used only while the database cannot be
# reached: nothing can be published then, so cached pages stay up instead of a 503.
_last_seen_version = None


def version(request):
    """The public version, read once per request so one page never mixes two."""
    global _last_seen_version
    if not hasattr(request, "_public_version"):
        try:
            _last_seen_version = PublicVersion.current()
        except DatabaseError:
            if _last_seen_version is None:
                raise
        request._public_version = _last_seen_version
    return request._public_version


def last_changed():
    """The time of the latest change to an item, a published update or evidence
    (one query of three index lookups, whatever the data size): the pages' Last-Modified.

    Approving an update publishes it and saves its item, so the time moves. The
    time of any evidence counts, public or not: evidence added to a draft makes
    browsers fetch an unchanged page once more, but nothing public is missed.
    Changes these times cannot see (a deletion, a source renamed in the admin)
    raise the public version, which the ETag also includes.
    """
    # Read alongside the latest item: with no items there are no updates or evidence either.
    times = Item.objects.order_by("-updated_at").values_list(
        "updated_at", _latest(ProgressUpdate.objects.published(), "published_at"),
        _latest(EvidenceLink.objects, "created_at"),
        _latest(Feedback.objects.filter(state=Feedback.State.PUBLISHED), "published_at"),
    ).first()
    times = [time for time in times or () if time]
    return max(times) if times else None


def _latest(queryset, field):
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])




# --- What counts as a public change --------------------------------------------


def _on_public_model_change(sender, **kwargs):
    changed()


def _on_board_change(sender, raw=False, **kwargs):
    # A backup restore saves rows as they are (raw), the public version among them (restored before
    # the meetings, which refer to the publication log): it stands as restored.
    if not raw:
        changed()


def _on_update_change(sender, instance, **kwargs):
    if instance.state == ProgressUpdate.State.APPROVED:
        changed()
    else:
        work_changed()  # the review queue and returned updates are on the board


def _on_evidence_saved(sender, instance, raw=False, **kwargs):
    # A backup restore saves rows as they are (raw): look nothing up, count it as a change.
    if raw or instance.update_id is None or instance.update.state == ProgressUpdate.State.APPROVED:
        changed()
    else:
        work_changed()


def _on_feedback_change(sender, instance, **kwargs):
    # Only a published response is public; the rest is counted on the board's dashboards.
    if instance.state == Feedback.State.PUBLISHED:
        changed()
    else:
        work_changed()


def connect_signals():
    from recommendations.models import Action, BoardMeeting, BoardMember, Organisation, Source, Theme

    for model in (Item, Source, Theme, Organisation, Action, Indicator):
        post_save.connect(_on_public_model_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-save")
        post_delete.connect(_on_public_model_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-del")
    for through in (Item.themes.through, Action.items.through, Action.partners.through, Indicator.items.through,
                    Indicator.themes.through):
        m2m_changed.connect(_on_public_model_change, sender=through, dispatch_uid=f"page-cache-{through.__name__}")
    # The board's members and meetings are on its public pages.
    for model in (BoardMember, BoardMeeting):
        post_save.connect(_on_board_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-save")
        post_delete.connect(_on_public_model_change, sender=model, dispatch_uid=f"page-cache-{model.__name__}-del")
    post_save.connect(_on_update_change, sender=ProgressUpdate, dispatch_uid="page-cache-update-save")
    # An indicator value is public once approved, as an update is.
    post_save.connect(_on_update_change, sender=IndicatorValue, dispatch_uid="page-cache-value-save")
    post_delete.connect(_on_update_change, sender=IndicatorValue, dispatch_uid="page-cache-value-del")
    post_delete.connect(_on_update_change, sender=ProgressUpdate, dispatch_uid="page-cache-update-del")
    post_save.connect(_on_feedback_change, sender=Feedback, dispatch_uid="page-cache-feedback-save")
    post_delete.connect(_on_feedback_change, sender=Feedback, dispatch_uid="page-cache-feedback-del")
    post_save.connect(_on_evidence_saved, sender=EvidenceLink, dispatch_uid="page-cache-evidence-save")
    # A deleted link's update may already be gone (a cascade), so any deletion counts.
    post_delete.connect(_on_public_model_change, sender=EvidenceLink, dispatch_uid="page-cache-evidence-del")
