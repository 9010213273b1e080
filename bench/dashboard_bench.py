"""Benchmark of the dashboard's figures for a coordinator: all 11 communities on one device.

A real encrypted store filled as a first sync fills it (``apply_pull``) with 11 × 450
families, 2 visits each, then
``build_dashboard`` is timed: the first call after unlock (decrypting every family, visit and
person into the store's cache) and warm calls (the community filter being changed), wall and
CPU time, best of N. Run: ``python -m bench dashboard``.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from field_app.services.dashboard import build_dashboard
from field_app.store import TEST_KDF, LocalStore
from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.protocol import RecordChange
from shared_models.records import Family, Record, Visit

PIN = "483920"
FAMILIES_PER_COMMUNITY = 450
VISITS_PER_FAMILY = 2
REPEATS = 5


def _change(record: Record, position: int, clock: HybridClock) -> RecordChange:
    stamp = clock.now().encode()
    return RecordChange.of(
        record.id, record.KIND, record.community, position,
        {k: (v, stamp, "koordynator")
         for k, v in record.model_dump(mode="json", exclude={"id", "community"}).items()})


def fill(store: LocalStore, rng: random.Random) -> int:
    """Families and visits of every community, as pulled pages; returns the record count."""
    clock = HybridClock("server")
    today = datetime.now(UTC).date()
    count = 0
    for code in CommunityCode:
        changes: list[RecordChange] = []
        for i in range(FAMILIES_PER_COMMUNITY):
            f = Family(community=code, family_name=f"Родина {i}", settlement="Малин",
                       assigned_worker=f"{code.value}.fakhivets{1 + i % 2}",
                       next_visit_date=today + timedelta(days=rng.randint(-20, 30)))
            changes.append(_change(f, len(changes) + 1, clock))
            for _ in range(VISITS_PER_FAMILY):
                v = Visit(community=code, family_id=f.id, author=f.assigned_worker or "x",
                          visited_at=datetime.now(UTC) - timedelta(days=rng.randint(0, 90)),
                          risk_level=rng.choice(["low", "medium", "high"]),
                          services=["002.0"], child_needs="Потреби дитини задоволені. " * 8)
                changes.append(_change(v, len(changes) + 1, clock))
        for start in range(0, len(changes), 500):
            store.apply_pull(changes[start:start + 500], {code.value: start + 500})
        count += len(changes)
    return count


def timed(fn: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    """Fill a store and print the dashboard's build times."""
    rng = random.Random(7)
    codes = [c.value for c in CommunityCode]
    with tempfile.TemporaryDirectory() as d:
        store = LocalStore.create(Path(d) / "s.db", PIN, kdf=TEST_KDF)
        records = fill(store, rng)
        cold: list[tuple[float, float]] = []
        warm: list[tuple[float, float]] = []
        one: list[tuple[float, float]] = []
        for _ in range(REPEATS):
            store.lock()
            store.unlock(PIN)                   # empties the cache of decrypted models
            cold.append(timed(lambda: build_dashboard(store, communities=codes,
                                                      today=date.today())))
            warm.append(timed(lambda: build_dashboard(store, communities=codes,
                                                      today=date.today())))
            one.append(timed(lambda: build_dashboard(store, communities=["malynska"],
                                                     today=date.today())))
        store.close()
    print(f"dashboard: {records} records ({len(codes)} communities × "
          f"{FAMILIES_PER_COMMUNITY} families, {VISITS_PER_FAMILY} visits each); "
          f"best of {REPEATS}, wall / CPU")
    for name, runs in (("first after unlock, all 11", cold), ("again, all 11", warm),
                       ("filter: one community", one)):
        wall, cpu = min(runs)
        print(f"  {name:28} {wall * 1000:8.0f} ms  {cpu * 1000:8.0f} ms CPU")


if __name__ == "__main__":
    main()
