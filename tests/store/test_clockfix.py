"""Clock offset and re-stamping of unsynced writes (``field_app.store.clockfix``)."""

from __future__ import annotations

import time
from pathlib import Path

from field_app.store import TEST_KDF, LocalStore
from shared_models.clock import HLC
from shared_models.records import Family
from tests.store.conftest import PIN, family

DAY_MS = 86_400_000


def test_restamp_keeps_values_and_the_chain_of_own_edits(tmp_path: Path) -> None:
    skew = [3 * DAY_MS / 1000]
    store = LocalStore.create(tmp_path / "s.db", PIN, kdf=TEST_KDF,
                              now=lambda: time.time() + skew[0])
    fam = family()
    store.save(fam)
    store.save(edited := fam.model_copy(update={"address": "вул. Лісова, 1"}))
    store.save(again := edited.model_copy(update={"address": "вул. Лісова, 2"}))
    before = store.pending_changes()
    seen = HLC(time.time_ns() // 1_000_000 + 60_000, 3, "server").encode()
    store.receive_clock(seen)  # the server's clock, a minute ahead of real time
    assert store.observe_server_time(time.time_ns() // 1_000_000)
    assert abs(store.clock_offset_ms + 3 * DAY_MS) < 5_000
    assert store.restamp_pending() == 3
    after = store.pending_changes()
    assert [p.mutation_id for p in after] == [p.mutation_id for p in before]
    clocks = [next(iter(p.writes.values())).clock for p in after]
    assert clocks == sorted(clocks) and clocks[0] > seen  # ordered, after all it has seen
    assert HLC.decode(clocks[-1]).wall_ms < time.time_ns() // 1_000_000 + 120_000
    # Each edit still supersedes the (re-stamped) edit before it.
    assert after[1].writes["address"].supersedes == (after[0].writes["address"].clock,)
    assert after[2].writes["address"].supersedes == (after[1].writes["address"].clock,)
    assert store.get(Family, fam.id) == again
    store.close()
    reopened = LocalStore.open(tmp_path / "s.db", PIN, now=lambda: time.time() + skew[0])
    assert abs(reopened.clock_offset_ms + 3 * DAY_MS) < 5_000  # the offset survives restarts
    assert reopened.clock.now() > HLC.decode(clocks[-1])
    reopened.close()


def test_small_differences_leave_the_offset_alone(tmp_path: Path) -> None:
    store = LocalStore.create(tmp_path / "s.db", PIN, kdf=TEST_KDF)
    assert not store.observe_server_time(time.time_ns() // 1_000_000 + 20_000)
    assert store.clock_offset_ms == 0
    store.close()
