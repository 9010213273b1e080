"""Crashes during sync: the device killed with SIGKILL, the server killed mid-push.

Afterwards nothing is lost and nothing is doubled: every record is on the server once, every
field write was applied once, the device's outbox is empty and its database intact.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from field_app.store import LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.records import Family
from sync_server.history import field_writes
from tests.sync.conftest import PIN, Device
from tests.sync.records import family
from tools.live_server import ROOT, LiveServer

RECORDS = 200


def server_counts(server: LiveServer) -> tuple[int, int, int]:
    """(family records, applied mutations, history rows written twice)."""
    with server.engine.connect() as conn:
        families = conn.execute(text("SELECT count(*) FROM record WHERE kind='family'")).scalar()
        applied = conn.execute(text("SELECT count(*) FROM applied_mutation")).scalar()
        writes = Counter((w.record_id, w.field, w.clock) for w in field_writes(conn))
    doubled = sum(1 for n in writes.values() if n > 1)
    return int(families or 0), int(applied or 0), doubled


def kill_during_syncs(store_path: Path, base_url: str, kills: int, seed: int,
                      max_steps: int) -> int:
    """Start the child sync again and again, SIGKILLing it after a random number of steps.

    A step is a pushed batch or a pulled page: counting them (rather than waiting a random
    time) puts every kill mid-sync whatever the machine's speed; a random few milliseconds
    after the step land it anywhere in the next request. Returns how many syncs finished.
    """
    rng = random.Random(seed)
    finished = 0
    for _ in range(kills):
        child = subprocess.Popen([sys.executable, "-m", "tests.sync.crash_child",
                                  str(store_path), base_url],
                                 cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        assert child.stdout is not None
        steps = rng.randint(0, max_steps)
        seen = -1  # the "open" line comes first
        line = child.stdout.readline()
        while line and line.strip() != "synced" and seen < steps:
            seen += 1
            if seen < steps:
                line = child.stdout.readline()
        if line.strip() == "synced" or not line:
            finished += 1
        else:
            time.sleep(rng.uniform(0, 0.03))
            child.kill()
        child.wait(10)
        child.stdout.close()
    return finished


def test_device_killed_during_sync_loses_and_doubles_nothing(
        make_device: Callable[..., Device], server: LiveServer, tmp_path: Path) -> None:
    olena, olena_sync = make_device("olena")
    for i in range(RECORDS):
        olena.save(family(family_name=f"Родина {i}"))
    path = olena.path
    olena_sync.close()
    olena.close()
    finished = kill_during_syncs(path, server.base_url, kills=8, seed=5, max_steps=6)
    assert finished <= 2, "the child was rarely killed mid-sync: the test proves little"

    store = LocalStore.open(path, PIN)
    assert store.integrity_check() == "ok"
    with SyncClient(store, server.base_url) as final:
        final.sync()
    assert store.pending_count() == 0
    assert len(store.all(Family)) == RECORDS
    families, applied, doubled = server_counts(server)
    assert (families, applied, doubled) == (RECORDS, RECORDS, 0)

    # A second device pulling all of it, killed during the pull, resumes without a gap.
    petro, petro_sync = make_device("petro")
    ppath = petro.path
    petro_sync.close()
    petro.close()
    finished = kill_during_syncs(ppath, server.base_url, kills=6, seed=6, max_steps=2)
    assert finished <= 2
    petro = LocalStore.open(ppath, PIN)
    assert petro.integrity_check() == "ok"
    with SyncClient(petro, server.base_url) as final:
        final.sync()
    assert sorted(f.family_name for f in petro.all(Family)) == sorted(
        f.family_name for f in store.all(Family))
    store.close()
    petro.close()


def test_server_killed_during_a_push_loses_and_doubles_nothing(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    olena, _ = make_device("olena")
    for i in range(RECORDS):
        olena.save(family(family_name=f"Родина {i}"))
    # Enough retries to outlast a restart on a loaded machine (several seconds): this test is
    # about nothing lost or doubled, not about how long the device keeps trying.
    client = SyncClient(olena, server.base_url, batch_size=5,
                        backoff=Backoff(attempts=120, base=0.05, cap=0.5))
    errors: list[BaseException] = []

    def push() -> None:
        try:
            client.sync()
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=push)
    worker.start()
    deadline = time.monotonic() + 20
    while server_counts(server)[1] < RECORDS // 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()              # SIGKILL in the middle of the push
    time.sleep(0.5)
    server.start()             # same port, same database
    worker.join(120)
    assert not worker.is_alive() and errors == []
    assert olena.pending_count() == 0
    assert server_counts(server) == (RECORDS, RECORDS, 0)
    client.close()
