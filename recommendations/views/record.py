"""
The public record in the past, the improvement board in the open, and the tracker's contact,
privacy and glossary pages.

/as-at/<date>/ shows the figures and every item's status as published at the
end of that day; /changes/ what was published between two dates;
/improvement-board/ who the board is and when it met, each meeting's page its
decisions (public.board) and, once published, its pack. The first two are
rebuilt from the history the tracker keeps (public.history), with
the same public records as every other public page. Wrapped in public_cache
like every public view.
"""
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from recommendations import words
from recommendations.forms import DATE_PARTS, ChangesForm, RecordAsAtForm
from recommendations.public.page_cache import public_cache
from recommendations.models import Item
from recommendations.public import board, history, open_data, records
from recommendations.views.public import _csv, _json

CHANGES_PER_PAGE = 50


@public_cache
def contact(request):
    return render(request, "recommendations/public/contact.html", {
        "email": settings.TRACKER_CONTACT_EMAIL, "phone": settings.TRACKER_CONTACT_PHONE,
    })


@public_cache
def privacy(request):
    return render(request, "recommendations/public/privacy.html", {
        "email": settings.TRACKER_CONTACT_EMAIL,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "feedback_days": settings.TRACKER_FEEDBACK_RETENTION_DAYS,
    })


@public_cache
def glossary(request):
    """What the tracker's words for how an item stands mean, from their one definition (words.py)."""
    return render(request, "recommendations/public/glossary.html", {"terms": words.GLOSSARY})


PICK_A_DATE = "Show the record as it stood at the end of"


def _as_at_page(request, form, record=None, problem="", status=200):
    return render(request, "recommendations/public/as_at.html", {
        "form": form, "record": record, "problem": problem, "statuses": Item.Status.choices,
    }, status=status)


# A blank box is an answer here ("The date must include a day"), not a missing one.
@public_cache(query=DATE_PARTS, blank_is_a_value=True)
def as_at_choose(request):
    """The date picker (GOV.UK date input): a good date goes to that date's own address."""
    form = RecordAsAtForm(request.GET or None, legend=PICK_A_DATE)
    if form.is_bound and form.is_valid():
        try:
            history.check_day(form.cleaned_data["date"], history.first_day())
        except history.BadDate as error:
            form.add_error("date", str(error))
        else:
            return redirect("public:as-at", day=form.cleaned_data["date"].isoformat())
    return _as_at_page(request, form, status=400 if form.errors else 200)


@public_cache
def as_at(request, day):
    try:
        day = history.parse_day(day)
        history.check_day(day, history.first_day())
    except history.BadDate as error:
        # No record for that date: say why, and offer the picker.
        return _as_at_page(request, RecordAsAtForm(legend=PICK_A_DATE), problem=str(error), status=404)
    # The picker shows the date on the page, ready to change.
    form = RecordAsAtForm(initial={"date": day}, legend="See another date")
    return _as_at_page(request, form, history.as_at(day))


def _changes_form(request):
    form = ChangesForm(request.GET, history.first_day())
    if not form.is_valid():
        return form, None
    return form, history.published_between(form.cleaned_data["from"], form.cleaned_data["to"])


@public_cache(query=("from", "to", "page", *ChangesForm.BOXES))
def changes(request):
    form, updates = _changes_form(request)
    context = {"form": form, "query_string": ""}
    if updates is not None:
        start, end = form.cleaned_data["from"], form.cleaned_data["to"]
        if any(name in request.GET for name in ChangesForm.BOXES):
            # Dates typed in the boxes go to the page's own address, which can be shared.
            return redirect(f"{reverse('public:changes')}?from={start.isoformat()}&to={end.isoformat()}")
        # The boxes show the range the page shows, the default 30 days included.
        context["form"] = form.showing()
        paginator = Paginator(updates, CHANGES_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        # The page holds public records, never the update rows themselves.
        page.object_list = records.published_updates(page.object_list)
        context.update(
            start=start, end=end, paginator=paginator, page_obj=page, changes=page.object_list,
            query_string=f"from={start.isoformat()}&to={end.isoformat()}",
            record_changes=history.record_changes_between(start, end),
            most_record_changes=history.MOST_RECORD_CHANGES,
        )
    return render(request, "recommendations/public/changes.html", context, status=200 if updates is not None else 400)


def _changes_download(respond):
    """A download of the changes page's updates (open data records), or the page's error if the dates are wrong."""

    @public_cache(query=("from", "to", *ChangesForm.BOXES))
    def view(request):
        form, updates = _changes_form(request)
        if updates is None:
            return render(request, "recommendations/public/changes.html", {"form": form}, status=400)
        items_address = request.build_absolute_uri(reverse("public:item-list"))
        return respond([open_data.update_record(update, items_address)
                        for update in records.published_updates(updates)])

    return view


changes_csv = _changes_download(lambda records: _csv("published-changes.csv", open_data.UPDATE_FIELDS, records))
changes_json = _changes_download(lambda records: _json("changes", records))


@public_cache
def improvement_board(request):
    """The board's members and roles, and its meetings."""
    return render(request, "recommendations/public/board.html", {"board": board.board()})


@public_cache
def board_meeting(request, day):
    """A meeting's page: the decisions the board published that day, each linked to its item."""
    meeting, decisions = board.meeting(board.parse_meeting_day(day))
    return render(request, "recommendations/public/board_meeting.html", {"meeting": meeting, "decisions": decisions})


@public_cache
def board_meeting_pack(request, day):
    """The meeting's pack, as the board published it: its public record, frozen."""
    return render(request, "recommendations/public/board_meeting_pack.html",
                  {"pack": board.published_pack(board.parse_meeting_day(day))})
