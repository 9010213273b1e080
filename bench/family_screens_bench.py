"""Benchmark of the families screens over a store of 5,000 families (issue 6, item 2-3).

A community's worth of data arrives the way a first sync brings it (pulled pages): 5,000
families, 3 members and 2 visits each, a note for every other family. Then, as the screens
call them (``StoreDevice.families``, ``family_card.load_card``), it times:

* the first page of the list right after unlock (every family decrypted once: cold),
* the first page, a search, a filter and a deep page once the cache is warm,
* the first family card after unlock (members, visits, notes decrypted: cold), the warm-up
  the app runs on a worker thread right after unlock, and a card after it (warm).

Each figure is the best of 5 runs, wall clock and process CPU time (the machine is shared).
Run: ``python -m bench family`` or ``python -m bench.family_screens_bench``.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from field_app.services.families import FamilyFilter
from field_app.services.family_card import load_card, warm_up
from field_app.services.store_device import StoreDevice
from field_app.store import TEST_KDF, LocalStore
from shared_models.clock import HybridClock
from shared_models.enums import PersonRole, RiskLevel
from shared_models.protocol import RecordChange
from shared_models.records import Family, Note, Person, Record, Visit

PIN = "483920"
FAMILIES = 5000
RUNS = 5
SURNAMES = ["Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравченко",
            "Олійник", "Лисенко", "Савченко", "Руденко", "Мороз", "Левченко", "Павленко"]
SETTLEMENTS = ["Житомир", "Коростишів", "Радомишль", "Малин", "Пулини", "Брусилів"]
C = "zhytomyrska"


def records(rng: random.Random) -> list[Record]:
    """The community: families with members, visits and notes."""
    today = date.today()
    out: list[Record] = []
    for i in range(FAMILIES):
        f = Family(community=C, family_name=rng.choice(SURNAMES), settlement=rng.choice(
            SETTLEMENTS), assigned_worker="olena" if i % 7 == 0 else "petro",
            next_visit_date=today + timedelta(days=rng.randint(-20, 40)),
            displaced=rng.random() < 0.3)
        out.append(f)
        out.append(Person(community=C, family_id=f.id, last_name=f.family_name,
                          first_name="Олена", role=PersonRole.PARENT))
        for k in range(2):
            out.append(Person(community=C, family_id=f.id, last_name=f.family_name,
                              first_name=f"Дитина {k}",
                              birth_date=today - timedelta(days=rng.randint(100, 6000))))
        for k in range(2):
            out.append(Visit(community=C, family_id=f.id, author="olena",
                             visited_at=datetime.now(UTC) - timedelta(days=10 * k + 1),
                             risk_level=rng.choice(list(RiskLevel)), services=["002.0"],
                             child_needs="Дитина відвідує школу, потребує підтримки."))
        if i % 2:
            out.append(Note(community=C, family_id=f.id, author="olena",
                            written_at=datetime.now(UTC) - timedelta(days=3),
                            text="Мати просила допомогти з документами для школи."))
    return out


def pull_all(store: LocalStore, models: list[Record]) -> None:
    """Deliver the models as a first sync does: pages of 500 pulled changes."""
    server = HybridClock("server", max_drift_ms=None)
    for start in range(0, len(models), 500):
        page = []
        for pos, m in enumerate(models[start:start + 500], start + 1):
            stamp = server.now().encode()
            values = m.model_dump(mode="json", exclude={"id", "community"})
            page.append(RecordChange.of(m.id, m.KIND, m.community, pos,
                                        {n: (v, stamp, "") for n, v in values.items()}))
        store.apply_pull(page, {C: start + len(page)})


def best(fn: Callable[[], Any], *, before: Callable[[], None] | None = None,
         runs: int = RUNS) -> tuple[float, float, Any]:
    """Best wall and CPU seconds of ``runs`` calls (``before`` runs untimed each time)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        if before is not None:
            before()
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), result


def line(name: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"  {name:<46} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU  {note}")


def main() -> None:
    """Build the store and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = LocalStore.create(folder / "poruch-store.db", PIN, kdf=TEST_KDF)
        store.set_user("olena")
        models = records(random.Random(6))
        t0 = time.perf_counter()
        pull_all(store, models)
        kinds: dict[str, int] = {}
        for m in models:
            kinds[m.KIND.value] = kinds.get(m.KIND.value, 0) + 1
        print(f"families screens over {FAMILIES} families "
              f"({', '.join(f'{n} {k}' for k, n in kinds.items())}); "
              f"pulled in {time.perf_counter() - t0:.1f} s")
        device = StoreDevice(folder, sign_in=lambda *_a: "olena")
        device.store = store
        some = next(m for m in models if isinstance(m, Family))

        def relock() -> None:
            store.lock()
            store.unlock(PIN)

        wall, cpu, page = best(device.families, before=relock)
        line("list, first page right after unlock (cold)", wall, cpu,
             f"{len(page.rows)} of {page.total}")
        wall, cpu, page = best(device.families)
        line("list, first page (warm)", wall, cpu)
        wall, cpu, page = best(lambda: device.families(text="енко"))
        line("list, search 'енко'", wall, cpu, f"{page.total} found")
        wall, cpu, page = best(lambda: device.families(chosen=FamilyFilter.OVERDUE))
        line("list, filter overdue", wall, cpu, f"{page.total} found")
        wall, cpu, page = best(lambda: device.families(offset=2500))
        line("list, page at row 2,500", wall, cpu)

        def card() -> Any:
            return load_card(store, some.id, me="olena", today=date.today())

        wall, cpu, got = best(card, before=relock)
        line("family card, first after unlock (cold)", wall, cpu,
             f"{len(got.members)} members, {len(got.timeline)} in the timeline")
        wall, cpu, _ = best(lambda: warm_up(store), before=relock)
        line("warm-up after unlock (worker thread)", wall, cpu, "the app runs it on unlock")
        wall, cpu, _ = best(card)
        line("family card (warm: after the warm-up)", wall, cpu)
        wall, cpu, _ = best(lambda: load_card(store, uuid.uuid4(), me="olena",
                                              today=date.today()))
        line("family card of an unknown id", wall, cpu)
        store.close()


if __name__ == "__main__":
    main()
