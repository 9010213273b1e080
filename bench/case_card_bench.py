"""Benchmark of a family card's case over a store of 5,000 families (issue 17: ≤ 150 ms p95).

A community arrives the way a first sync brings it (pulled pages): 5,000 families with 3
members and 2 visits each; 3,000 of them with an open case, its completed needs assessment
and 3 plan tasks; 1,000 with a closed case (reason ``legacy``, as the migration leaves
them); and 40 families whose open case has an approved assessment and a plan of 20 tasks.
Then it times, as the screens call them:

* the case read model of a family with a 20-task plan (``cases.load_cases``), after unlock
  (cold) and with the cache warm (``family_card.warm_up``, which the app runs after unlock),
  p50 and p95 over 200 openings of the 40 families in turn;
* the whole family card with its case (``family_card.load_card``), the same way: what opening
  the card costs, the issue's figure.

Run: ``python -m bench case`` or ``python -m bench.case_card_bench``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.family_screens_bench import pull_all
from field_app.services.cases import load_cases
from field_app.services.family_card import load_card, warm_up
from field_app.store import TEST_KDF, LocalStore
from shared_models.cases import legacy_case_id
from shared_models.communities import CommunityCode
from shared_models.enums import (
    AssessmentDecision,
    ClosureReason,
    PersonRole,
    RecordKind,
    ReviewDecision,
    RiskLevel,
)
from shared_models.records import (
    Assessment,
    Case,
    ChildAssessment,
    Family,
    Person,
    PlanTask,
    Record,
    Review,
    Visit,
)

PIN = "483920"
FAMILIES = 5000
OPEN_CASES = 3000
CLOSED_CASES = 1000
BIG_PLANS = 40
TASKS = 20
OPENINGS = 200
TARGET_P95_MS = 150
C = CommunityCode.ZHYTOMYRSKA
SURNAMES = ["Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравченко"]


def records(rng: random.Random) -> tuple[list[Record], list[str]]:
    """The community, and the ids of the families whose case has a 20-task plan."""
    today = date.today()
    out: list[Record] = []
    big: list[str] = []
    for i in range(FAMILIES):
        f = Family(community=C, family_name=rng.choice(SURNAMES), settlement="Житомир",
                   assigned_worker="olena" if i % 7 == 0 else "petro",
                   next_visit_date=today + timedelta(days=rng.randint(-20, 40)))
        out.append(f)
        parent = Person(community=C, family_id=f.id, last_name=f.family_name,
                        first_name="Олена", role=PersonRole.PARENT)
        kids = [Person(community=C, family_id=f.id, last_name=f.family_name,
                       first_name=f"Дитина {k}",
                       birth_date=today - timedelta(days=rng.randint(100, 6000)))
                for k in range(2)]
        out += [parent, *kids]
        out += [Visit(community=C, family_id=f.id, author="olena",
                      visited_at=datetime.now(UTC) - timedelta(days=10 * k + 1),
                      risk_level=rng.choice(list(RiskLevel)), services=["002.0"],
                      child_needs="Дитина відвідує школу, потребує підтримки.")
                for k in range(2)]
        if i < OPEN_CASES + BIG_PLANS:
            tasks = TASKS if i < BIG_PLANS else 3
            if tasks == TASKS:
                big.append(str(f.id))
            out += open_case(f, kids, tasks, today, rng)
        elif i < OPEN_CASES + BIG_PLANS + CLOSED_CASES:
            day = today - timedelta(days=rng.randint(200, 900))
            out.append(Case(id=legacy_case_id(f.id), community=C, family_id=f.id,
                            opened_on=day, closed_on=day, closure_reason=ClosureReason.LEGACY))
    return out, big


def open_case(f: Family, kids: list[Person], tasks: int, today: date,
              rng: random.Random) -> list[Record]:
    """An open case in support: request, completed and approved act, agreed plan, tasks."""
    opened = today - timedelta(days=rng.randint(20, 120))
    start = opened + timedelta(days=10)
    case = Case(community=C, family_id=f.id, opened_on=opened, reporter_name="Школа № 3",
                reporter_consent=True, request_summary="Дитина часто пропускає уроки.",
                assigned_worker="olena", plan_agreed_on=start, plan_agreed_by="Мати",
                support_start=start, planned_end=start + timedelta(days=180))
    act = Assessment(community=C, case_id=case.id, family_id=f.id, assessor="olena",
                     started_on=opened, completed_on=opened + timedelta(days=4),
                     participants=[k.id for k in kids],
                     children=[ChildAssessment(person_id=k.id, health="Здорова",
                                               needs="Підтримка в навчанні") for k in kids],
                     adults_health="Мати хворіє", housing_details="Потрібен ремонт даху",
                     difficult_circumstances=True, decision=AssessmentDecision.SUPPORT,
                     conclusion="Сім'я потребує соціального супроводу.")
    review = Review(community=C, target_kind=RecordKind.ASSESSMENT, target_id=act.id,
                    decision=ReviewDecision.APPROVED, reviewer="iryna",
                    reviewed_at=datetime.now(UTC) - timedelta(days=30))
    plan = [PlanTask(community=C, case_id=case.id, family_id=f.id, goal=f"Мета {k % 4}",
                     task=f"Завдання {k}: записати дитину до гуртка",
                     due_date=start + timedelta(days=7 * k),
                     done_on=(start + timedelta(days=7 * k)
                              if k % 3 == 0 and start + timedelta(days=7 * k) <= today
                              else None),
                     progress="Обговорено на візиті" if k % 2 else "")
            for k in range(tasks)]
    return [case, act, review, *plan]


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    """Wall milliseconds of each of ``runs`` calls."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p50_p95(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank)."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    """Build the store and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore.create(Path(tmp) / "poruch-store.db", PIN, kdf=TEST_KDF)
        store.set_user("olena")
        models, big = records(random.Random(17))
        t0 = time.perf_counter()
        pull_all(store, models)
        kinds: dict[str, int] = {}
        for m in models:
            kinds[m.KIND.value] = kinds.get(m.KIND.value, 0) + 1
        print(f"case card over {FAMILIES} families "
              f"({', '.join(f'{n} {k}' for k, n in kinds.items())}); "
              f"pulled in {time.perf_counter() - t0:.1f} s")
        today = date.today()
        turn = iter(range(10**9))

        def next_family() -> str:
            return big[next(turn) % len(big)]

        def read_model() -> None:
            cases = load_cases(store, next_family(), today=today)
            assert cases.open is not None and len(cases.open.tasks) == TASKS
            assert cases.open.assessment is not None and cases.open.assessment.review.approved

        def card() -> None:
            got = load_card(store, next_family(), me="olena", today=today)
            assert got is not None and got.cases is not None and got.cases.open is not None
            assert len(got.cases.open.tasks) == TASKS

        for name, fn in (("case read model (cases.load_cases)", read_model),
                         ("family card with its case (load_card)", card)):
            cold = []
            for _ in range(3):
                store.lock()
                store.unlock(PIN)
                cold += timed(fn, 1)
            t = time.perf_counter()
            warm_up(store)
            warm_ms = (time.perf_counter() - t) * 1000
            samples = timed(fn, OPENINGS)
            p50, p95 = p50_p95(samples)
            verdict = "ok" if p95 <= TARGET_P95_MS else f"OVER the {TARGET_P95_MS} ms target"
            print(f"  {name}")
            print(f"    first after unlock (cold, best of 3) {min(cold):8.1f} ms; "
                  f"warm-up after unlock {warm_ms:.0f} ms (worker thread)")
            print(f"    warm, {OPENINGS} openings: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                  f"max {max(samples):6.1f} ms  ({verdict}: target p95 ≤ {TARGET_P95_MS} ms)")
        store.close()


if __name__ == "__main__":
    main()
