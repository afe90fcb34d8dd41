"""
Crafted data sets for the dashboard tests, with every expected number worked
out by hand in the test modules.

`crafted()` is relative to today (overdue, slipping, update overdue, queue);
`timeline()` has fixed dates in 2024 with a history (trend, "as at").
"""
import datetime

from django.utils import timezone

from recommendations import roles
from recommendations.models import Action, Item, Organisation, ProgressUpdate, Source
from tests.helpers import make_user


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_source(code, published_on=datetime.date(2014, 8, 26)):
    return Source.objects.create(
        code=code, short_title=f"Source {code}", title=f"Source {code} (test)", kind=Source.Kind.INQUIRY,
        author="Test author", publisher="Test publisher", published_on=published_on,
        url="https://example.org/report", synthetic=True,
    )


def make_organisation(slug, name):
    return Organisation.objects.create(slug=slug, name=name, short_name=name, kind=Organisation.Kind.COUNCIL)


def make_item(source, reference, number, owner, lead_role, status, rag="", baseline=None, current=None,
              when=None, cadence=3):
    item = Item(
        source=source, reference=reference, number=number, kind=Item.Kind.RECOMMENDATION, title=f"Item {reference}",
        summary="Test item.", provenance=Item.Provenance.SEED, owner=owner, lead_role=lead_role, status=status,
        rag=rag, baseline_target_date=baseline, current_target_date=current, update_cadence_months=cadence,
    )
    if when:
        item._history_date = when
    item.save()
    # Added when its history begins, or long ago: so an item never published has an update overdue.
    item.created_at = when or timezone.now() - datetime.timedelta(days=400)
    Item.objects.filter(pk=item.pk).update(created_at=item.created_at)
    Item.history.model.objects.filter(id=item.pk).update(created_at=item.created_at)
    return item


def change(item, when, **fields):
    """Change an item and record the change in its history at `when`."""
    for name, value in fields.items():
        setattr(item, name, value)
    item._history_date = when
    item.save()


def make_update(item, author, state, *, published_at=None, submitted_at=None, created_at=None):
    created_at = created_at or published_at or submitted_at or timezone.now()
    return ProgressUpdate.objects.create(
        item=item, author=author, narrative="Test progress.", proposed_status=item.status, state=state,
        created_at=created_at, submitted_at=submitted_at or published_at, published_at=published_at,
    )


def crafted():
    """Seven items in two sources, two organisations; dates relative to today. Every item was
    added 400 days ago and expects an update quarterly (91 days), except B1: monthly (30 days).

        item owner lead      status        rag    baseline  current   published   notes
        A1   X     Director  in_progress   red    T-40      T-10      5 days ago  overdue 10, slipped 30
        A2   X     Director  implemented   green  T-20      T-20      -
        A3   Y     Chief     not_started   -      T+30      T+30      -           update overdue; waiting 3 days
        A4   Y     Chief     assured       green  -         -         -
        B1   X     Director  in_progress   amber  T+10      T+50      40 days ago slipped 40; update overdue (monthly)
        B2   Y     Chief     not_accepted  red    T-5       T-5       -           overdue 5; update overdue; waiting 10 days
        B3   X     Chief     in_progress   amber  -         -         20 days ago

    Actions: ACT-X (owner X, partner Y) answers A1 and B1; ACT-Y (owner X) answers A2.
    """
    today = timezone.localdate()
    now = timezone.now()
    days = datetime.timedelta
    a, b = make_source("syn-a", datetime.date(2014, 8, 1)), make_source("syn-b", datetime.date(2014, 9, 1))
    x, y = make_organisation("org-x", "Org X"), make_organisation("org-y", "Org Y")
    director, chief = "Director", "Chief"
    S = Item.Status
    items = {
        "A1": make_item(a, "A1", 1, x, director, S.IN_PROGRESS, "red", today - days(40), today - days(10)),
        "A2": make_item(a, "A2", 2, x, director, S.IMPLEMENTED, "green", today - days(20), today - days(20)),
        "A3": make_item(a, "A3", 3, y, chief, S.NOT_STARTED, "", today + days(30), today + days(30)),
        "A4": make_item(a, "A4", 4, y, chief, S.ASSURED, "green"),
        "B1": make_item(b, "B1", 1, x, director, S.IN_PROGRESS, "amber", today + days(10), today + days(50),
                        cadence=1),
        "B2": make_item(b, "B2", 2, y, chief, S.NOT_ACCEPTED, "red", today - days(5), today - days(5)),
        "B3": make_item(b, "B3", 3, x, chief, S.IN_PROGRESS, "amber"),
    }
    author = make_user("crafted-author", roles.OFFICERS, x)
    State = ProgressUpdate.State
    make_update(items["A1"], author, State.APPROVED, published_at=now - days(5))
    make_update(items["B1"], author, State.APPROVED, published_at=now - days(40))
    make_update(items["B3"], author, State.APPROVED, published_at=now - days(20))
    make_update(items["A3"], author, State.SUBMITTED, submitted_at=now - days(3, hours=1))
    make_update(items["B2"], author, State.SUBMITTED, submitted_at=now - days(10, hours=1))
    make_update(items["A3"], author, State.DRAFT)
    make_update(items["B3"], author, State.RETURNED, submitted_at=now - days(30))
    act_x = Action.objects.create(reference="ACT-X", title="Joint action", owner=x)
    act_x.partners.add(y)
    act_x.items.add(items["A1"], items["B1"])
    Action.objects.create(reference="ACT-Y", title="Council action", owner=x).items.add(items["A2"])
    return {"items": items, "x": x, "y": y, "a": a, "b": b}


def timeline():
    """Six items of one source with a history in 2024, each expecting a monthly update (30 days).

        item created  baseline  changes
        T1   10 Jan   29 Feb    implemented 15 Mar, assured 2 May
        T2   10 Jan   31 Mar    implemented 20 Feb
        T3   10 Jan   31 Mar    target moved to 30 Jun on 1 Apr (slipped 91 days)
        T4   10 Jan   -         implemented 10 May
        T5   15 Apr   30 Jun    -
        T6   10 Jan   1 Mar     in progress from the start; implemented 1 Jun

    An update on T3 was submitted on 18 Mar and approved (published) on 25 Mar.
    """
    S = Item.Status
    day = datetime.date
    source = make_source("tl")
    owner = make_organisation("org-t", "Org T")
    created = at(day(2024, 1, 10))

    def item(reference, number, baseline, status=S.NOT_STARTED, when=created):
        return make_item(source, reference, number, owner, "Director", status, "", baseline, baseline, when=when,
                         cadence=1)

    t1 = item("T1", 1, day(2024, 2, 29))
    t2 = item("T2", 2, day(2024, 3, 31))
    t3 = item("T3", 3, day(2024, 3, 31))
    t4 = item("T4", 4, None)
    t6 = item("T6", 6, day(2024, 3, 1), status=S.IN_PROGRESS)
    change(t2, at(day(2024, 2, 20)), status=S.IMPLEMENTED)
    change(t1, at(day(2024, 3, 15)), status=S.IMPLEMENTED)
    change(t3, at(day(2024, 4, 1)), current_target_date=day(2024, 6, 30), status=S.IN_PROGRESS)
    t5 = item("T5", 5, day(2024, 6, 30), when=at(day(2024, 4, 15)))
    change(t1, at(day(2024, 5, 2)), status=S.ASSURED)
    change(t4, at(day(2024, 5, 10)), status=S.IMPLEMENTED)
    change(t6, at(day(2024, 6, 1)), status=S.IMPLEMENTED)

    author = make_user("timeline-author", roles.OFFICERS, owner)
    update = ProgressUpdate(
        item=t3, author=author, narrative="Test progress.", proposed_status=S.IN_PROGRESS,
        state=ProgressUpdate.State.SUBMITTED, created_at=at(day(2024, 3, 18), 10), submitted_at=at(day(2024, 3, 18), 10),
    )
    update._history_date = at(day(2024, 3, 18), 10)
    update.save()
    update.state = ProgressUpdate.State.APPROVED
    update.published_at = update.reviewed_at = at(day(2024, 3, 25))
    update._history_date = at(day(2024, 3, 25))
    update.save()
    return {"items": {i.reference: i for i in (t1, t2, t3, t4, t5, t6)}, "source": source, "owner": owner}
