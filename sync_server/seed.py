"""``seed-demo``: the 11 communities' demo accounts and sample families, via the merge path.

Accounts: ``admin``, ``koordynator`` (coordinator), and per community ``<code>.kerivnyk``
(supervisor) and ``<code>.fakhivets1``/``<code>.fakhivets2`` (social workers). Sample data
(families, members, visits, notes, one review, and a foster family with one child placed in
it) goes through ``push`` exactly as a device's mutations would, so the feed, history and
audit are real. The placements' starts differ by community, so some near their legal limit.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from shared_models.changes import edit_state
from shared_models.clock import HybridClock
from shared_models.communities import COMMUNITIES, CommunityCode
from shared_models.enums import PersonRole, RecordKind, ReviewDecision, RiskLevel, Role, Sex
from shared_models.foster_care import add_months, stay_limit
from shared_models.protocol import Mutation, PushRequest, WireWrite
from shared_models.records import Family, Note, Person, Placement, Record, Review, Visit
from sync_server import accounts
from sync_server.db import write_tx
from sync_server.permissions import Principal
from sync_server.push import push
from sync_server.settings import Settings
from sync_server.tables import UserRow, table_of

#: Device id the seed mutations are attributed to (not a real device: it has no token).
SEED_DEVICE = uuid.UUID("00000000-0000-4000-8000-000000000de0")
SURNAMES = ("Коваленко", "Бондаренко", "Ткачук", "Кравчук", "Олійник", "Шевчук", "Поліщук",
            "Мельник", "Савчук", "Гончаренко", "Лисенко", "Марченко", "Руденко", "Мороз")
FIRST_F = ("Олена", "Ірина", "Наталія", "Оксана", "Тетяна", "Світлана", "Галина")
FIRST_M = ("Андрій", "Олександр", "Сергій", "Василь", "Микола", "Петро", "Іван")
CHILD_F = ("Софія", "Анна", "Вікторія", "Марія", "Дарина", "Злата")
CHILD_M = ("Максим", "Артем", "Богдан", "Дмитро", "Назар", "Матвій")
VILLAGES = ("Березівка", "Вишнівка", "Дубрівка", "Зарічне", "Калинівка", "Лісове", "Озерне")
NEEDS = (
    "Дитина відвідує школу нерегулярно, потребує підтримки з навчанням.",
    "Потреби дитини в харчуванні та одязі задоволені, є окреме місце для навчання.",
    "Молодша дитина потребує консультації логопеда; мати погодилась на направлення.",
)
CAPACITY = (
    "Мати піклується про дітей, але потребує консультації щодо позитивного батьківства.",
    "Батьки співпрацюють, виконують домовленості з попереднього візиту.",
)
ENVIRONMENT = (
    "Житло потребує ремонту даху перед зимою; опалення пічне, дрова заготовлені частково.",
    "Сім'я проживає у власному будинку, умови задовільні.",
)
STEPS = (
    "Допомогти оформити державну соціальну допомогу; наступний візит через два тижні.",
    "Узгодити консультацію психолога в центрі надання соціальних послуг.",
)
NOTES = (
    "Телефонна розмова з матір'ю: документи на допомогу подано до ЦНАП.",
    "Класний керівник повідомив, що дитина почала відвідувати уроки регулярно.",
    "Сім'ї передано продуктовий набір від благодійного фонду.",
)


@dataclass(frozen=True)
class DemoAccount:
    """A seeded account and its password (printed once)."""

    username: str
    role: Role
    communities: tuple[CommunityCode, ...]
    password: str


def demo_accounts(password: str | None = None) -> list[DemoAccount]:
    """The demo accounts; random passwords unless one shared ``password`` is given."""
    def pw() -> str:
        return password or secrets.token_urlsafe(9)

    out = [DemoAccount("admin", Role.ADMIN, (), pw()),
           DemoAccount("koordynator", Role.COORDINATOR, (), pw())]
    for code in CommunityCode:
        out.append(DemoAccount(f"{code.value}.kerivnyk", Role.SUPERVISOR, (code,), pw()))
        for n in (1, 2):
            out.append(DemoAccount(f"{code.value}.fakhivets{n}", Role.SOCIAL_WORKER, (code,),
                                   pw()))
    return out


def _mutation(model: Record, clock: HybridClock, author: str) -> Mutation:
    state = edit_state(model, None, clock=clock.now().encode(), author=author)
    if state is None:  # a new record always has fields; this guards the type
        raise ValueError(f"empty record {model.id}")
    return Mutation(
        mutation_id=uuid.uuid4(), record_id=model.id, kind=model.KIND,
        community=model.community,
        fields={n: WireWrite(value=fs.value, clock=fs.clock, supersedes=[])
                for n, fs in state.fields.items()})


def _family_records(code: CommunityCode, worker: str, rng: random.Random, today: date
                    ) -> list[Record]:
    surname = rng.choice(SURNAMES)
    settlement = rng.choice((COMMUNITIES[code].centre_uk, *VILLAGES))
    family = Family(community=code, family_name=surname, settlement=settlement,
                    address=f"вул. Шевченка, {rng.randint(1, 120)}",
                    phone=f"+380 67 {rng.randint(100, 999)} {rng.randint(10, 99)} "
                          f"{rng.randint(10, 99)}",
                    difficult_circumstances=rng.random() < 0.6, displaced=rng.random() < 0.3,
                    foster_family=rng.random() < 0.15, assigned_worker=worker,
                    consent_date=today - timedelta(days=rng.randint(30, 300)),
                    consent_by=f"{surname} {rng.choice(FIRST_F)}",
                    next_visit_date=today + timedelta(days=rng.randint(-5, 20)))
    records: list[Record] = [family]
    records.append(Person(community=code, family_id=family.id, last_name=surname,
                          first_name=rng.choice(FIRST_F), role=PersonRole.PARENT,
                          sex=Sex.FEMALE, birth_date=date(rng.randint(1975, 1998), 5, 12)))
    for _ in range(rng.randint(1, 3)):
        female = rng.random() < 0.5
        records.append(Person(
            community=code, family_id=family.id, last_name=surname,
            first_name=rng.choice(CHILD_F if female else CHILD_M),
            sex=Sex.FEMALE if female else Sex.MALE, role=PersonRole.CHILD,
            birth_date=date(rng.randint(2010, 2023), rng.randint(1, 12), rng.randint(1, 28)),
            special_educational_needs=rng.random() < 0.2))
    now = datetime.now(UTC)
    for k in range(rng.randint(1, 2)):
        records.append(Visit(
            community=code, family_id=family.id,
            visited_at=now - timedelta(days=7 * (k + 1), hours=rng.randint(1, 6)),
            services=rng.sample(["001.0", "002.0", "010.1", "013.0", "019.0"], 2),
            child_needs=rng.choice(NEEDS), parenting_capacity=rng.choice(CAPACITY),
            family_environment=rng.choice(ENVIRONMENT), next_steps=rng.choice(STEPS),
            risk_level=rng.choice(list(RiskLevel)), author=worker))
    records.append(Note(community=code, family_id=family.id, text=rng.choice(NOTES),
                        written_at=now - timedelta(days=2), author=worker))
    return records


def _foster_records(code: CommunityCode, index: int, child: Person, today: date
                    ) -> list[Record]:
    """A foster family, its carer, and ``child`` placed with it (start varies by ``index``)."""
    foster = Family(community=code, family_name="Мельничук", settlement=COMMUNITIES[code].centre_uk,
                    foster_family=True, assigned_worker=f"{code.value}.fakhivets1")
    carer = Person(community=code, family_id=foster.id, last_name="Мельничук",
                   first_name="Галина", role=PersonRole.FOSTER_CARER, sex=Sex.FEMALE)
    days_ago = (80, 100, 20)[index % 3]          # near the 3-month limit, extended, fresh
    start = today - timedelta(days=days_ago)
    extended = days_ago > 90
    placement = Placement(
        community=code, child_id=child.id, foster_family_id=foster.id,
        birth_family_id=child.family_id, start_date=start, planned_end=stay_limit(start),
        extension_decision_date=start + timedelta(days=80) if extended else None,
        extended_end=add_months(start, 5) if extended else None,
        order_reference=f"Наказ служби у справах дітей № {10 + index}")
    return [foster, carer, placement]


def seed_demo(engine: Engine, *, settings: Settings, password: str | None = None,
              families_per_community: int = 4, rng_seed: int = 2026) -> list[DemoAccount]:
    """Create the demo accounts and data; refuses (``AccountError``) if any user exists."""
    with write_tx(engine) as conn:
        if conn.execute(select(func.count()).select_from(table_of(UserRow))).scalar_one():
            raise accounts.AccountError("the database already has users: seed-demo skipped")
        made = demo_accounts(password)
        ids = {}
        for acc in made:
            ids[acc.username] = accounts.create_user(
                conn, username=acc.username, role=acc.role, communities=acc.communities,
                password=acc.password, settings=settings)
    rng = random.Random(rng_seed)  # noqa: S311  (demo data, reproducible, not secret)
    clock = HybridClock("seed-demo")
    server_clock = HybridClock(settings.server_node, max_drift_ms=settings.max_clock_drift_ms)
    today = datetime.now(UTC).date()
    for index, code in enumerate(CommunityCode):
        for k in range(families_per_community):
            worker = f"{code.value}.fakhivets{1 + k % 2}"
            principal = Principal(ids[worker], worker, Role.SOCIAL_WORKER, frozenset({code}),
                                  SEED_DEVICE)
            records = _family_records(code, worker, rng, today)
            muts = [_mutation(r, clock, worker) for r in records]
            push(engine, principal=principal, clock=server_clock,
                 max_drift_ms=settings.max_clock_drift_ms,
                 request=PushRequest(device_clock=clock.now().encode(), mutations=muts))
            visit = next(r for r in records if isinstance(r, Visit))
            if k == 0:
                supervisor = f"{code.value}.kerivnyk"
                review = Review(community=code, target_kind=RecordKind.VISIT,
                                target_id=visit.id, decision=ReviewDecision.APPROVED,
                                reviewer=supervisor, reviewed_at=datetime.now(UTC))
                sup = Principal(ids[supervisor], supervisor, Role.SUPERVISOR,
                                frozenset({code}), SEED_DEVICE)
                push(engine, principal=sup, clock=server_clock,
                     max_drift_ms=settings.max_clock_drift_ms,
                     request=PushRequest(device_clock=clock.now().encode(),
                                         mutations=[_mutation(review, clock, supervisor)]))
                child = next(r for r in records
                             if isinstance(r, Person) and r.role is PersonRole.CHILD)
                foster = _foster_records(code, index, child, today)
                push(engine, principal=principal, clock=server_clock,
                     max_drift_ms=settings.max_clock_drift_ms,
                     request=PushRequest(device_clock=clock.now().encode(),
                                         mutations=[_mutation(r, clock, worker)
                                                    for r in foster]))
    return made
