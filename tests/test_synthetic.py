"""generate_synthetic: counts, determinism, every workflow state, and refusal on real data."""
import datetime

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import Action, Item, ProgressUpdate, Source
from recommendations.services import synthetic
from tests.helpers import empty_database

pytestmark = pytest.mark.empty_database

TODAY = datetime.date(2026, 1, 15)


def snapshot():
    """Everything generated, without database ids or write times."""
    items = list(
        Item.objects.order_by("reference").values_list(
            "reference", "title", "owner__slug", "status", "rag", "baseline_target_date", "current_target_date"
        )
    )
    updates = list(
        ProgressUpdate.objects.order_by("item__reference", "created_at", "narrative").values_list(
            "item__reference", "state", "proposed_status", "narrative", "created_at", "published_at"
        )
    )
    actions = sorted(
        (action.reference, tuple(sorted(action.items.values_list("reference", flat=True))))
        for action in Action.objects.all()
    )
    return items, updates, actions


@pytest.mark.django_db
def test_counts_and_every_update_state():
    report = synthetic.generate(items=450, updates=3000, seed=7, today=TODAY)
    assert Item.objects.count() == 450
    assert ProgressUpdate.objects.count() == 3000
    assert Source.objects.filter(synthetic=True).count() == 3  # 200 items per source
    assert report.counts["items"] == 450
    states = set(ProgressUpdate.objects.values_list("state", flat=True))
    assert states == {choice.value for choice in ProgressUpdate.State}
    statuses = set(Item.objects.values_list("status", flat=True))
    assert statuses == {choice.value for choice in Item.Status}
    assert Item.objects.overdue(TODAY).exists()
    assert Item.objects.slipping().exists()
    # Published updates are spread over years, and only approved ones are published.
    published = ProgressUpdate.objects.published()
    assert not ProgressUpdate.objects.exclude(state="approved").filter(published_at__isnull=False).exists()
    years = {moment.year for moment in published.values_list("published_at", flat=True)}
    assert len(years) >= 3
    # Implemented is never proposed without evidence.
    assert not ProgressUpdate.objects.filter(proposed_status="implemented", evidence__isnull=True).exists()
    # Actions join items from different sources.
    assert any(
        len({reference.rsplit("-", 1)[0] for reference in action.items.values_list("reference", flat=True)}) > 1
        for action in Action.objects.prefetch_related("items")
    )
    # History: one creation row per item, one change row per approved update.
    history = Item.history.model.objects
    assert history.filter(history_type="+").count() == 450
    assert history.filter(history_type="~").count() == published.count()
    assert ProgressUpdate.history.model.objects.count() == 3000


@pytest.mark.django_db
def test_latest_approved_update_matches_the_item():
    synthetic.generate(items=200, updates=1500, seed=3, today=TODAY)
    for item in Item.objects.all()[:100]:
        latest = item.updates.published().order_by("-published_at").first()
        if latest:
            assert latest.proposed_status == item.status


@pytest.mark.django_db
def test_same_seed_same_data_and_new_ids_keep_working():
    synthetic.generate(items=250, updates=1200, seed=11, today=TODAY)
    first = snapshot()
    empty_database()
    synthetic.generate(items=250, updates=1200, seed=11, today=TODAY)
    assert snapshot() == first
    empty_database()
    synthetic.generate(items=250, updates=1200, seed=12, today=TODAY)
    assert snapshot() != first
    # Ids written directly must not collide with ids the database hands out next.
    update = ProgressUpdate.objects.first()
    ProgressUpdate.objects.create(item=update.item, author=update.author, narrative="After", proposed_status="in_progress")


@pytest.mark.django_db
def test_refuses_real_data_without_force(seeded):
    items_before = Item.objects.count()
    with pytest.raises(CommandError, match="real \\(non-synthetic\\)"):
        call_command("generate_synthetic", items=50, updates=100)
    assert Item.objects.count() == items_before
    assert not Source.objects.filter(synthetic=True).exists()

    call_command("generate_synthetic", items=50, updates=100, force=True)
    assert Item.objects.filter(source__synthetic=True).count() == 50
    assert ProgressUpdate.objects.count() == 100


@pytest.mark.django_db
def test_refuses_to_add_to_existing_synthetic_data():
    synthetic.generate(items=20, updates=40)
    with pytest.raises(synthetic.SyntheticRefused, match="already holds synthetic data"):
        synthetic.generate(items=20, updates=40)
    assert Item.objects.count() == 20
