"""Benchmark of the supervisor's review queue over a real encrypted store.

A supervisor's phone holding a busy community: 600 families, 3,000 visits, 1,500 notes and
2,000 decisions (pulled, as after a sync). Prints the time to build the queue right after
unlock (every model decrypted) and again (models cached; the clocks of the reviewed records
are read from their sealed states each time), to open one visit, and to save a decision.
Wall and CPU time, best of N (the machine is shared: CPU time is the steadier figure).
Run: ``python -m bench review``.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from field_app.services import reviews
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Account
from shared_models.clock import HybridClock
from shared_models.protocol import RecordChange
from shared_models.records import Family, Note, Record, Review, Visit

PIN = "483920"
COMMUNITY = "malynska"
FAMILIES, VISITS, NOTES, DECISIONS = 600, 3_000, 1_500, 2_000
RUNS = 5
TEXT = "Мати розповіла про труднощі з оформленням допомоги; домовились про консультацію. "


def _change(model: Record, clock: str, position: int) -> RecordChange:
    values = model.model_dump(mode="json", exclude={"id", "community"})
    return RecordChange.of(model.id, model.KIND, COMMUNITY, position,
                           {n: (v, clock, "petro") for n, v in values.items()})


def build(path: Path) -> tuple[LocalStore, list[Visit]]:
    """A supervisor's store with the community's records pulled into it."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    worker = HybridClock("petro-phone", max_drift_ms=None)
    boss = HybridClock("iryna-phone", max_drift_ms=None)
    store = LocalStore.create(path, PIN, kdf=TEST_KDF)
    store.set_user("iryna")
    families = [Family(community=COMMUNITY, family_name=f"Родина {i}", settlement="Малин")
                for i in range(FAMILIES)]
    visits = [Visit(community=COMMUNITY, family_id=rng.choice(families).id,
                    risk_level=rng.choice(["low", "medium", "high"]), author="petro",
                    visited_at=now - timedelta(hours=rng.randint(1, 2_000)),
                    services=["002.0"], child_needs=TEXT, next_steps=TEXT)
              for _ in range(VISITS)]
    notes = [Note(community=COMMUNITY, family_id=rng.choice(families).id, text=TEXT,
                  author="petro", written_at=now - timedelta(hours=rng.randint(1, 2_000)))
             for _ in range(NOTES)]
    changes = [_change(m, worker.now().encode(), 0) for m in (*families, *visits, *notes)]
    for target in rng.sample([*visits, *notes], DECISIONS):
        returned = rng.random() < 0.3
        review = Review(community=COMMUNITY, target_kind=target.KIND, target_id=target.id,
                        decision="returned" if returned else "approved",
                        comment="Уточніть план" if returned else "", reviewer="iryna",
                        reviewed_at=now - timedelta(minutes=5))
        changes.append(_change(review, boss.now().encode(), 0))
    for i in range(0, len(changes), 500):
        page = [c.model_copy(update={"position": i + j + 1})
                for j, c in enumerate(changes[i:i + 500])]
        store.apply_pull(page, {COMMUNITY: i + len(page)})
    return store, visits


def best(fn: Callable[[], Any], runs: int = RUNS, before: Callable[[], None] | None = None
         ) -> tuple[float, float, Any]:
    """(best wall ms, best CPU ms, last result) of ``runs`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        if before is not None:
            before()
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append((time.process_time() - c) * 1000)
        walls.append((time.perf_counter() - w) * 1000)
    return min(walls), min(cpus), result


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        store, visits = build(Path(folder) / "iryna.db")
        account = Account(username="iryna", role="supervisor", communities=[COMMUNITY],
                          device_id="-")

        def relock() -> None:
            store.lock()
            store.unlock(PIN)

        cold = best(lambda: reviews.queue(store, account), before=relock)
        warm = best(lambda: reviews.queue(store, account))
        waiting = warm[2]
        target = str(visits[0].id)
        detail = best(lambda: reviews.detail(store, account, "visit", target))
        decide = best(lambda: reviews.approve(store, account, "visit", target), runs=3)
        store.close()
    print(f"review queue: {FAMILIES} families, {VISITS} visits, {NOTES} notes, "
          f"{DECISIONS} decisions; {len(waiting)} waiting (best of {RUNS})")
    for label, (wall, cpu, _r) in (("queue after unlock", cold), ("queue again", warm),
                                   ("open one visit", detail), ("approve", decide)):
        print(f"  {label:<20} {wall:8.1f} ms wall {cpu:8.1f} ms CPU")


if __name__ == "__main__":
    main()
