"""Benchmark of what the sync and conflicts screens read from the store (issue 6 and 7).

A supervisor's phone with 5,000 families, 300 unsynced edits, 40 refused changes and 200 open
conflicts: how long the sync screen's overview, the conflicts list, one conflict, a
resolution and "send again" take (they run off the event loop, but the worker waits for
them). Best of N, wall time and CPU time of this process (the machine is shared).
Run: ``python -m bench sync_screen`` or ``python -m bench.sync_screen_bench``.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from field_app.services.conflicts import get_conflict, list_conflicts, resolve
from field_app.services.sync_overview import retry_refused, sync_overview
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Attention
from field_app.sync.outcome import hold
from shared_models.clock import HLC
from shared_models.protocol import RecordChange
from shared_models.records import Family

FAMILIES, PENDING, REFUSED, CONFLICTS, REPEAT = 5_000, 300, 40, 200, 5
READER = {"username": "iryna", "role": "supervisor"}


def _clock(ms: int, node: str) -> str:
    return HLC(ms, 0, node).encode()


def _build(folder: Path) -> tuple[LocalStore, list[str], list[str]]:
    store = LocalStore.create(folder / "bench.db", "483920", kdf=TEST_KDF)
    store.set_user("iryna")
    base_ms = int(time.time() * 1000) - 3_600_000
    ids = [str(uuid.uuid4()) for _ in range(FAMILIES)]
    position = 0
    for start in range(0, FAMILIES, 500):
        changes = []
        for rid in ids[start:start + 500]:
            position += 1
            at = _clock(base_ms, "dolena")
            changes.append(RecordChange.of(rid, "family", "malynska", position, {
                n: (v, at, "olena") for n, v in {
                    "deleted": False, "family_name": f"Родина {position}",
                    "settlement": "Малин", "address": "вул. Садова, 1"}.items()}))
        store.apply_pull(changes, {"malynska": position})
    conflict_ids = []
    changes = []
    for i, rid in enumerate(ids[:CONFLICTS]):
        loser, winner = _clock(base_ms + 1000, "dolena"), _clock(base_ms + 2000, "dpetro")
        cid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rid}/address/{loser}"))
        conflict_ids.append(cid)
        position += 1
        changes.append(RecordChange.of(rid, "family", "malynska", position, {
            "address": (f"вул. Лісова, {i}", winner, "petro")}))
        position += 1
        server = _clock(base_ms + 3000, "server")
        changes.append(RecordChange.of(cid, "conflict", "malynska", position, {
            n: (v, server, "server") for n, v in {
                "deleted": False, "record_kind": "family", "record_id": rid,
                "field": "address", "winner_value": f"вул. Лісова, {i}",
                "winner_clock": winner, "winner_author": "petro",
                "loser_value": f"вул. Садова, {i}", "loser_clock": loser,
                "loser_author": "olena", "status": "open", "resolved_by": None}.items()}))
    store.apply_pull(changes, {"malynska": position})
    edited = ids[CONFLICTS:CONFLICTS + PENDING]
    for rid in edited:
        fam = store.get(Family, rid)
        assert fam is not None
        store.save(fam.model_copy(update={"phone": "+380671234567"}))
    for entry in store.pending_changes()[:REFUSED]:
        hold(store, Attention(str(entry.mutation_id), entry.record_id, "family", "forbidden",
                              ""))
    return store, conflict_ids, edited


def _best(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float]:
    """Best wall and CPU milliseconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return min(walls), min(cpus)


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store, conflict_ids, edited = _build(Path(tmp))
        print(f"sync screen bench: {FAMILIES} families, {PENDING} unsynced edits, "
              f"{REFUSED} refused, {CONFLICTS} open conflicts "
              f"(built in {time.perf_counter() - started:.1f} s)")
        store.lock()
        store.unlock("483920")
        cold = _best(lambda: sync_overview(store, **READER), repeat=1)
        rows = [
            ("sync overview, first after unlock", cold),
            ("sync overview", _best(lambda: sync_overview(store, **READER))),
            ("conflicts list (200)", _best(lambda: list_conflicts(store, **READER))),
            ("one conflict", _best(lambda: get_conflict(store, conflict_ids[7], **READER))),
        ]
        victims = iter(conflict_ids[10:])
        rows.append(("resolve (a write superseding both)", _best(
            lambda: resolve(store, next(victims), "вул. Садова, 3, кв. 5", **READER))))
        refused = iter(edited[:REFUSED])
        rows.append(("send a refused change again", _best(
            lambda: retry_refused(store, next(refused)))))
        for name, (wall, cpu) in rows:
            print(f"  {name:<38} wall {wall:8.1f} ms   cpu {cpu:8.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
