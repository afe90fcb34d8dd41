"""
Synthetic data at national scale, for load tests and benchmarks.

Models a national tracker: one source per council improvement plan (about
200 items each), with partner bodies, cross-source actions, evidence and
years of progress updates in every workflow state. Everything is written in
batches (bulk_create, or plain executemany for the biggest tables), so 10,000 items and 100,000 updates load in seconds.

The data is the same for the same seed and the same day (dates are counted
back from `today`). Synthetic sources are flagged `synthetic=True` and every
synthetic organisation, user and reference starts with "syn"/"SYN". The
generator refuses a database that holds real sources unless forced, and one
that already holds synthetic data, so it can never mix with real data by
accident.
"""
import datetime
import json
import math
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from recommendations import roles
from recommendations.models import (
    Action,
    EvidenceLink,
    Item,
    Organisation,
    ProgressUpdate,
    Source,
    Theme,
    User,
    number_items_in_list_order,
)
from recommendations import database, versions
from recommendations.words import month_and_year

STRENGTHS = ProgressUpdate.EvidenceStrength.values

ITEMS_PER_SOURCE = 200
BATCH_SIZE = 2000

Status = Item.Status
Rag = Item.Rag
State = ProgressUpdate.State

# Used only when the database has no themes yet (themes are normally loaded
# from seeds/themes.yaml and reused).
FALLBACK_THEMES = [
    ("risk-assessment", "Risk assessment and planning"),
    ("looked-after-children", "Looked-after children and care leavers"),
    ("joint-working", "Joint working with the police"),
    ("resources", "Resources and capacity"),
    ("victim-support", "Support for victims and survivors"),
    ("quality-assurance", "Quality assurance, audit and performance management"),
    ("missing-children", "Children who go missing"),
    ("governance-and-leadership", "Governance and leadership"),
]

PLACES = [
    "Northby", "Southwold Vale", "Eastmere", "Westbrook", "Ashcombe", "Brackenfield", "Calderton",
    "Dunmore", "Elmsworth", "Fairhaven", "Greystone", "Hallamshire", "Ironbridge Vale", "Kingsmoor",
    "Larkhill", "Marlow Fen", "Netherby", "Oakridge", "Pennington", "Queensbury", "Ravensworth",
    "Stourdale", "Thornbury", "Upperton", "Valebridge", "Whitcombe", "Yarrowdale", "Zennor Bay",
]
TOPICS = [
    "multi-agency risk assessment", "return interviews for missing children", "supervision of social workers",
    "case file audit", "training for taxi licensing staff", "information sharing with the police",
    "support for survivors", "placements outside the area", "performance reporting to the board",
    "recruitment of experienced social workers", "awareness work in schools", "disruption of perpetrators",
    "engagement with communities", "quality of strategy meetings", "oversight by elected members",
    "commissioning of specialist services", "management of caseloads", "early help assessments",
]
VERBS = ["Improve", "Review", "Strengthen", "Introduce", "Audit", "Set standards for", "Fund", "Monitor"]
LEAD_ROLES = [
    "Director of Children's Services", "Head of Safeguarding", "Service Manager, Child Protection",
    "Detective Superintendent, Public Protection", "Designated Nurse for Safeguarding",
    "Independent Chair of the Safeguarding Board", "Head of Licensing", "Principal Social Worker",
]
NARRATIVES = [
    "The audit of {n} case files was completed and reported to the board.",
    "Training was delivered to {n} staff this quarter; attendance is monitored monthly.",
    "The new procedure was agreed by partners and is in use in {n} teams.",
    "Progress slowed because of staff vacancies; {n} posts have now been filled.",
    "The board reviewed the action plan and asked for a further report in {n} weeks.",
    "Performance data for {n} months shows the new approach is being followed.",
]

# Final status of an item, with weights (most work is under way or done).
STATUS_WEIGHTS = [
    (Status.NOT_STARTED, 8), (Status.IN_PROGRESS, 45), (Status.IMPLEMENTED, 25),
    (Status.ASSURED, 15), (Status.NOT_ACCEPTED, 5), (Status.CLOSED_NOT_IMPLEMENTED, 1), (Status.SUPERSEDED, 1),
]
RAG_FOR_STATUS = {
    Status.NOT_STARTED: [Rag.RED, Rag.AMBER, ""],
    Status.IN_PROGRESS: [Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN, Rag.GREEN],
    Status.IMPLEMENTED: [Rag.GREEN],
    Status.ASSURED: [Rag.GREEN],
    Status.NOT_ACCEPTED: [""],
    Status.CLOSED_NOT_IMPLEMENTED: [""],
    Status.SUPERSEDED: [""],
}


class SyntheticRefused(Exception):
    """The database is not one synthetic data may be written to; nothing was written."""


@dataclass
class GenerateReport:
    counts: dict = field(default_factory=dict)

    def __str__(self):
        return ", ".join(f"{count} {name}" for name, count in self.counts.items())


def check_database(force=False):
    if Source.objects.filter(synthetic=True).exists():
        raise SyntheticRefused(
            "This database already holds synthetic data. Use a fresh database (or flush this one). "
            "Nothing was written."
        )
    if not force and (Source.objects.filter(synthetic=False).exists() or Item.objects.exists()):
        raise SyntheticRefused(
            "This database holds real (non-synthetic) sources or items. Synthetic data would mix with them, "
            "so nothing was written. Use an empty database, or --force if you are sure."
        )


def generate(items, updates, seed=1, force=False, today=None):
    """Create `items` synthetic items and `updates` progress updates. Returns a GenerateReport."""
    with transaction.atomic():
        check_database(force)
        report = _Generator(items, updates, seed, today or timezone.localdate()).run()
        versions.changed()  # the bulk writes send no model signals
    database.analyse_tables()
    return report


class _Generator:
    def __init__(self, items, updates, seed, today):
        self.n_items = items
        self.n_updates = updates
        self.random = random.Random(seed)
        self.today = today
        self.report = GenerateReport()
        # Looked up once: simple-history builds a new manager on every access.
        self.HistoricalItem = Item.history.model
        self.HistoricalUpdate = ProgressUpdate.history.model

    def run(self):
        self.themes = self._themes()
        self.councils, self.partners = self._organisations()
        self.officers, self.reviewer = self._users()
        self.sources = self._sources()
        self.items = self._items()
        self._themes_for_items()
        self._actions()
        self._updates_and_history()
        return self.report

    # -- helpers

    def _bulk(self, model, objects):
        created = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        name = model._meta.verbose_name_plural
        self.report.counts[name] = self.report.counts.get(name, 0) + len(created)
        return created

    def _at(self, day, hour=None):
        hour = self.random.randint(8, 18) if hour is None else hour
        return datetime.datetime.combine(day, datetime.time(hour, self.random.randint(0, 59), tzinfo=datetime.UTC))

    def _day_between(self, start, end):
        span = max((end - start).days, 0)
        return start + datetime.timedelta(days=self.random.randint(0, span))

    # -- reference data

    def _themes(self):
        themes = list(Theme.objects.order_by("slug"))
        if not themes:
            themes = self._bulk(Theme, [Theme(slug=slug, name=name) for slug, name in FALLBACK_THEMES])
        return themes

    def _organisations(self):
        n_sources = max(1, math.ceil(self.n_items / ITEMS_PER_SOURCE))
        n_partners = max(2, n_sources // 5)
        councils = [
            Organisation(
                slug=f"syn-council-{number:03d}",
                name=f"{self._place(number)} Council (synthetic {number:03d}), Children's Services",
                short_name=f"{self._place(number)} Council {number:03d}",
                kind=Organisation.Kind.COUNCIL,
            )
            for number in range(1, n_sources + 1)
        ]
        partners = []
        for number in range(1, n_partners + 1):
            kind = Organisation.Kind.POLICE if number % 2 else Organisation.Kind.HEALTH
            label = "Police" if kind == Organisation.Kind.POLICE else "Health Board"
            partners.append(
                Organisation(
                    slug=f"syn-{kind}-{number:03d}",
                    name=f"{self._place(number + 7)} {label} (synthetic {number:03d})",
                    short_name=f"{self._place(number + 7)} {label} {number:03d}",
                    kind=kind,
                )
            )
        created = self._bulk(Organisation, councils + partners)
        return created[: len(councils)], created[len(councils):]

    @staticmethod
    def _place(number):
        return PLACES[number % len(PLACES)]

    def _users(self):
        officers = self._bulk(
            User,
            [
                User(username=f"syn-officer-{council.slug[-3:]}", organisation=council, password="!")
                for council in self.councils
            ],
        )
        reviewer = User.objects.create(username="syn-reviewer", password="!")
        reviewer.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
        officer_group = Group.objects.get_or_create(name=roles.OFFICERS)[0]
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=officer.pk, group_id=officer_group.pk) for officer in officers],
            batch_size=BATCH_SIZE,
        )
        return officers, reviewer

    def _sources(self):
        sources = []
        for number, council in enumerate(self.councils, start=1):
            published = self.today - datetime.timedelta(days=self.random.randint(365, 10 * 365))
            sources.append(
                Source(
                    code=f"SYN-{number:03d}",
                    short_title=f"{council.short_name} improvement plan",
                    title=f"Improvement plan for children's services, {council.name}",
                    kind=Source.Kind.INSPECTION,
                    author=f"{council.short_name} and partners",
                    publisher=council.name,
                    published_on=published,
                    url=f"https://example.org/synthetic/{number:03d}",
                    summary="Synthetic improvement plan generated for load testing.",
                    synthetic=True,
                )
            )
        return self._bulk(Source, sources)

    # -- items

    def _items(self):
        statuses, weights = zip(*STATUS_WEIGHTS)
        items = []
        for index in range(self.n_items):
            source_index = index // ITEMS_PER_SOURCE
            source, council = self.sources[source_index], self.councils[source_index]
            number = index % ITEMS_PER_SOURCE + 1
            status = self.random.choices(statuses, weights)[0]
            baseline = self._day_between(source.published_on, self.today + datetime.timedelta(days=730))
            # About a third of targets have slipped, by up to a year.
            current = baseline
            if self.random.random() < 0.33:
                current = baseline + datetime.timedelta(days=self.random.randint(30, 365))
            owner = council if self.random.random() < 0.8 else self.random.choice(self.partners)
            topic = self.random.choice(TOPICS)
            items.append(
                Item(
                    source=source,
                    reference=f"{source.code}-{number:03d}",
                    number=number,
                    kind=Item.Kind.RECOMMENDATION if self.random.random() < 0.7 else Item.Kind.FINDING,
                    title=f"{self.random.choice(VERBS)} {topic}"[:200],
                    summary=f"{council.short_name} and partners to {topic}, with progress reported to the board.",
                    provenance=Item.Provenance.SEED,
                    owner=owner,
                    lead_role=self.random.choice(LEAD_ROLES),
                    status=status,
                    rag=self.random.choice(RAG_FOR_STATUS[status]),
                    baseline_target_date=baseline,
                    current_target_date=current,
                )
            )
        items = self._bulk(Item, items)
        number_items_in_list_order()  # bulk_create does not call Item.save()
        # A superseded item points to what replaced it: here, the first item of its source.
        for item in items:
            if item.status == Status.SUPERSEDED:
                first = Item.objects.filter(source_id=item.source_id).exclude(pk=item.pk).order_by("number").first()
                Item.objects.filter(pk=item.pk).update(superseded_by=first)
        return items

    def _themes_for_items(self):
        through = Item.themes.through
        links = []
        for item in self.items:
            for theme in self.random.sample(self.themes, k=min(len(self.themes), self.random.randint(1, 3))):
                links.append(through(item_id=item.pk, theme_id=theme.pk))
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)

    def _actions(self):
        """One action per 20 items, each answering 2-5 items, mostly from different sources."""
        actions, item_sets, partner_sets = [], [], []
        for number in range(1, max(1, self.n_items // 20) + 1):
            chosen = self.random.sample(self.items, k=min(len(self.items), self.random.randint(2, 5)))
            owner = chosen[0].owner
            start = self._day_between(self.today - datetime.timedelta(days=5 * 365), self.today)
            actions.append(
                Action(
                    reference=f"SYN-ACT-{number:04d}",
                    title=f"Joint work on {self.random.choice(TOPICS)}",
                    description="Synthetic joint action across improvement plans.",
                    owner=owner,
                    start_date=start,
                    due_date=start + datetime.timedelta(days=self.random.randint(90, 900)),
                )
            )
            item_sets.append(chosen)
            partner_sets.append({item.owner_id for item in chosen} - {owner.pk})
        actions = self._bulk(Action, actions)
        Action.items.through.objects.bulk_create(
            [
                Action.items.through(action_id=action.pk, item_id=item.pk)
                for action, chosen in zip(actions, item_sets)
                for item in chosen
            ],
            batch_size=BATCH_SIZE,
        )
        Action.partners.through.objects.bulk_create(
            [
                Action.partners.through(action_id=action.pk, organisation_id=partner)
                for action, partners in zip(actions, partner_sets)
                for partner in sorted(partners)
            ],
            batch_size=BATCH_SIZE,
        )

    # -- updates, evidence and history

    def _updates_and_history(self):
        per_item = [0] * len(self.items)
        for _ in range(self.n_updates):
            per_item[self.random.randrange(len(self.items))] += 1
        officers = {council.pk: officer for council, officer in zip(self.councils, self.officers)}
        self.next_update_id = (ProgressUpdate.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        updates, item_history = [], []
        for item, count in zip(self.items, per_item):
            officer = officers.get(item.owner_id) or officers[self.councils[0].pk]
            first = self._item_history(item, Status.NOT_STARTED, "", "+", self._at(item.source.published_on, 9))
            item_history.append(first)
            updates.extend(self._updates_for(item, count, officer, item_history))
            if item_history[-1] is first:
                # No approved update: the item was created as it stands.
                first["status"], first["rag"] = item.status, item.rag
        self._insert(ProgressUpdate, updates)
        self._insert(self.HistoricalItem, item_history)
        self._evidence(updates)
        self._update_history(updates)

    def _updates_for(self, item, count, officer, item_history):
        """An item's updates in date order; approved ones walk the item to its current status."""
        if not count:
            return []
        start = item.source.published_on + datetime.timedelta(days=30)
        days = sorted(self._day_between(start, self.today) for _ in range(count))
        # Only the newest update may still be open (an organisation has one open update per item).
        states = [State.APPROVED for _ in days]
        pending = self.random.random()
        if pending < 0.10:
            states[-1] = State.SUBMITTED
        elif pending < 0.17:
            states[-1] = State.DRAFT
        elif pending < 0.22:
            states[-1] = State.RETURNED
        approved_positions = [index for index, state in enumerate(states) if state == State.APPROVED]
        proposals = dict(zip(approved_positions, self._status_path(item.status, len(approved_positions))))
        result = []
        last_reviewed = None
        for index, (day, state) in enumerate(zip(days, states)):
            status = proposals.get(index) or self.random.choice([Status.IN_PROGRESS, Status.IMPLEMENTED])
            created = self._at(day)
            reviewed = None
            if state in (State.APPROVED, State.RETURNED):
                reviewed = created + datetime.timedelta(days=self.random.randint(1, 14))
                # Reviews happen in the order updates were written, so the newest published update is the last one.
                if last_reviewed and reviewed <= last_reviewed:
                    reviewed = last_reviewed + datetime.timedelta(minutes=1)
                last_reviewed = reviewed
            by_board = status in Item.CLOSED_STATUSES  # assured, or closed without being implemented
            update = {
                "id": self.next_update_id,
                "item_id": item.pk,
                "author_id": (self.reviewer if by_board else officer).pk,
                "organisation_id": None if by_board else officer.organisation_id,
                "kind": (ProgressUpdate.Kind.PROGRESS if not by_board else ProgressUpdate.Kind.ASSURANCE
                         if status == Status.ASSURED else ProgressUpdate.Kind.CLOSURE),
                "narrative": self.random.choice(NARRATIVES).format(n=self.random.randint(2, 40)),
                "proposed_status": status,
                "proposed_rag": self.random.choice(RAG_FOR_STATUS[status]),
                "proposed_target_date": None,
                "target_date_reason": "",
                # Spread over the strengths without drawing on the random sequence.
                "evidence_strength": STRENGTHS[self.next_update_id % len(STRENGTHS)] if status == Status.ASSURED else "",
                "state": state,
                "created_at": created,
                "updated_at": reviewed or created,
                "submitted_at": None if state == State.DRAFT else created + datetime.timedelta(hours=1),
                "reviewer_id": self.reviewer.pk if reviewed else None,
                "reviewed_at": reviewed,
                "review_comment": "Please add the figures for the last quarter." if state == State.RETURNED else "",
                "published_at": reviewed if state == State.APPROVED else None,
                "version": {State.DRAFT: 1, State.SUBMITTED: 2}.get(state, 3),
            }
            self.next_update_id += 1
            if state == State.APPROVED:
                item_history.append(
                    self._item_history(item, status, update["proposed_rag"], "~", update["published_at"])
                )
            result.append(update)
        return result

    def _status_path(self, final, steps):
        """Statuses of successive approved updates, ending at the item's status."""
        if steps == 0:
            return []
        before = {
            Status.NOT_STARTED: Status.NOT_STARTED,
            Status.IN_PROGRESS: Status.IN_PROGRESS,
            Status.IMPLEMENTED: Status.IN_PROGRESS,
            Status.ASSURED: Status.IMPLEMENTED,
            Status.NOT_ACCEPTED: Status.NOT_STARTED,
            Status.CLOSED_NOT_IMPLEMENTED: Status.IN_PROGRESS,
            Status.SUPERSEDED: Status.IN_PROGRESS,
        }[final]
        return [before] * (steps - 1) + [final]

    def _item_history(self, item, status, rag, kind, when):
        return {
            "id": item.pk,
            "source_id": item.source_id,
            "reference": item.reference,
            "number": item.number,
            "kind": item.kind,
            "grade": item.grade,
            "later_grades": json.dumps(item.later_grades),  # inserted as it is, not through the JSONField
            "title": item.title,
            "summary": item.summary,
            "official_wording": item.official_wording,
            "provenance": item.provenance,
            "verified": item.verified,
            "official_reference": item.official_reference,
            "document_url": item.document_url,
            "verified_by_id": item.verified_by_id,
            "verified_at": item.verified_at,
            "owner_id": item.owner_id,
            "lead_role": item.lead_role,
            "status": status,
            "rag": rag,
            "baseline_target_date": item.baseline_target_date,
            "current_target_date": item.current_target_date,
            "formal_response": item.formal_response,
            "formal_response_note": item.formal_response_note,
            "formal_response_date": item.formal_response_date,
            "update_cadence_months": item.update_cadence_months,
            "created_at": item.created_at,
            "updated_at": when,
            "history_date": when,
            "history_type": kind,
            "history_user_id": self.reviewer.pk if kind == "~" else None,
            "history_change_reason": "Synthetic update approved" if kind == "~" else "Synthetic item created",
        }

    def _evidence(self, updates):
        """Evidence on a quarter of updates, and always where an update proposes "implemented"."""
        links = []
        for update in updates:
            if update["proposed_status"] == Status.IMPLEMENTED or self.random.random() < 0.25:
                day = update["created_at"].date()
                links.append(
                    {
                        "item_id": update["item_id"],
                        "update_id": update["id"],
                        "title": f"Report to the improvement board, {month_and_year(day)}",
                        "url": f"https://example.org/synthetic/evidence/{update['item_id']}/{len(links) + 1}",
                        "date": day,
                        "added_by_id": update["author_id"],
                        "created_at": update["created_at"],
                        "archived_url": "",
                        # Never checked yet (services/link_checker.py).
                        "check_answer": "",
                        "broken": False,
                    }
                )
        self._insert(EvidenceLink, links)

    def _update_history(self, updates):
        """One history row per update in its final state, so its audit trail is not empty."""
        self._insert(
            self.HistoricalUpdate,
            [
                {
                    **update,
                    "history_date": update["updated_at"],
                    "history_type": "+",
                    "history_user_id": update["author_id"],
                    "history_change_reason": "Synthetic update",
                }
                for update in updates
            ],
        )

    def _insert(self, model, rows):
        """Write plain rows: COPY on PostgreSQL, batched executemany elsewhere.

        bulk_create builds a model instance and prepares every value through
        the field for each row, which is most of the time at 100,000 rows;
        here each value is adapted by the database backend directly. Rows
        give every column (by attname) except an automatic primary key.
        """
        name = model._meta.verbose_name_plural
        self.report.counts[name] = self.report.counts.get(name, 0) + len(rows)
        if not rows:
            return
        fields = [model._meta.get_field(attname.removesuffix("_id")) if attname.endswith("_id")
                  and attname != "id" else model._meta.get_field(attname) for attname in rows[0]]
        adapters = [self._adapter(field) for field in fields]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
        keys = list(rows[0])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams all rows in one command: many times faster than INSERTs.
                copy_sql = "COPY {} ({}) FROM STDIN".format(
                    quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
                )
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row([row[key] for key in keys])
            else:
                for start in range(0, len(rows), BATCH_SIZE):
                    cursor.executemany(
                        sql,
                        [
                            tuple(adapt(row[key]) if adapt else row[key] for key, adapt in zip(keys, adapters))
                            for row in rows[start:start + BATCH_SIZE]
                        ],
                    )
        if "id" in rows[0] and model._meta.pk.attname == "id":
            # Explicit ids: move PostgreSQL's sequence past them.
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(statement)

    @staticmethod
    def _adapter(field):
        if isinstance(field, models.DateTimeField):
            if connection.vendor == "sqlite":
                return _sqlite_datetime
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        return None


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for an aware datetime (naive UTC text), without its per-call overhead."""
    if value is None:
        return None
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))
