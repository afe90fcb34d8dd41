"""Every item's list_position (the indexed column lists sort and page by) follows Item.Meta.ordering.

Places are set by models.number_items_in_list_order(), which Item.save(), Source.save(),
the synthetic data set, a backup restore and the migration that added the column call.
"""
import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.models import Item, Source, number_items_in_list_order
from recommendations.services import synthetic


def in_list_order():
    return list(Item.objects.order_by("list_position").values_list("reference", flat=True))


def in_meta_order():
    return list(Item.objects.values_list("reference", flat=True))


def assert_places_follow_the_order():
    assert in_list_order() == in_meta_order()
    places = list(Item.objects.values_list("list_position", flat=True))
    assert None not in places and len(set(places)) == len(places)


@pytest.mark.empty_database
def test_the_synthetic_data_set_has_its_places():
    synthetic.generate(items=300, updates=100, seed=5, today=timezone.localdate())
    assert_places_follow_the_order()


def test_a_new_item_takes_its_place_between_others(seeded):
    jay = Source.objects.get(code="JAY")
    Item.objects.filter(source=jay, number__gte=5).update(number=F("number") + 1)
    Item.objects.create(
        source=jay, reference="JAY-NEW", number=5, kind=Item.Kind.RECOMMENDATION, title="A new item",
        summary="Added between two others.", provenance=Item.Provenance.SEED,
        owner=Item.objects.get(reference="JAY-04").owner, lead_role="Director of Children's Services",
    )
    listed = in_list_order()
    assert listed.index("JAY-04") + 1 == listed.index("JAY-NEW") == listed.index("JAY-05") - 1
    assert_places_follow_the_order()


def test_a_renumbered_item_and_a_redated_source_move_in_the_list(seeded):
    item = Item.objects.get(reference="JAY-03")
    item.number = 99
    item.save()
    assert [reference for reference in in_list_order() if reference.startswith("JAY-")][-1] == "JAY-03"
    assert_places_follow_the_order()

    first = Source.objects.order_by("published_on", "code").first()
    last = Source.objects.order_by("published_on", "code").last()
    first.published_on = last.published_on + datetime.timedelta(days=1)
    first.save()
    assert in_list_order()[-1] == Item.objects.filter(source=first).order_by("number").last().reference
    assert_places_follow_the_order()


def test_an_edit_that_keeps_the_place_writes_no_places(seeded):
    """Publishing an update saves its item: that must not renumber the whole list."""
    item = Item.objects.get(reference="JAY-04")
    item.title = "Retitled"
    with CaptureQueriesContext(connection) as captured:
        item.save()
    assert not [query for query in captured if "list_position" in query["sql"]]
    assert_places_follow_the_order()


def test_an_item_read_before_another_was_added_keeps_its_new_place(seeded):
    """Only number_items_in_list_order() writes places: saving an item read earlier writes none back."""
    last = Item.objects.get(reference="JAY-15")
    Item.objects.create(
        source=last.source, reference="JAY-00", number=0, kind=Item.Kind.RECOMMENDATION, title="A new first item",
        summary="Added first.", provenance=Item.Provenance.SEED, owner=last.owner, lead_role="Chief Executive",
    )
    place = Item.objects.get(pk=last.pk).list_position
    assert place == last.list_position + 1
    last.title = "Retitled"
    last.save()
    assert Item.objects.get(pk=last.pk).list_position == place
    assert_places_follow_the_order()


def test_places_lost_are_set_again(seeded):
    """What a restore of an old backup leaves (no places) is put right by the same function."""
    Item.objects.update(list_position=None)
    number_items_in_list_order()
    assert_places_follow_the_order()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_items_their_places():
    before, after = ("recommendations", "0008_item_status_target_index"), ("recommendations", "0009_item_list_position")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    try:
        apps = executor.loader.project_state([before]).apps
        old_source, old_item = apps.get_model("recommendations", "Source"), apps.get_model("recommendations", "Item")
        owner = apps.get_model("recommendations", "Organisation").objects.create(name="A council", slug="a-council")
        sources = [
            old_source.objects.create(code=code, short_title=code, title=code, kind="inquiry", author="-",
                                      publisher="-", published_on=published_on, url="https://example.org/")
            for code, published_on in [("LATER", datetime.date(2015, 2, 1)), ("EARLIER", datetime.date(2014, 8, 1))]
        ]
        for source in sources:
            for number in (2, 1):
                old_item.objects.create(
                    source=source, reference=f"{source.code}-{number}", number=number, kind="recommendation",
                    title="An item", summary="-", provenance="seed", owner=owner, lead_role="-",
                )
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = [reference for reference in in_list_order() if reference.startswith(("EARLIER-", "LATER-"))]
        assert new == ["EARLIER-1", "EARLIER-2", "LATER-1", "LATER-2"]
        assert_places_follow_the_order()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
