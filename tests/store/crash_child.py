"""Child process of the crash test: saves in a loop until it is killed.

Writes ``TRY <id> <value>`` before and ``ACK <id> <value>`` after each save returned, so the
parent knows which saves the worker was told had succeeded. The test forks it (no interpreter
start-up per kill); ``python crash_child.py <store path> <seed>`` runs it by hand.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import TextIO

from field_app.store import TEST_KDF, LocalStore, StoreNotFound
from shared_models.records import Family

PIN = "483920"


def run(path: Path, seed: int, out: TextIO) -> None:
    """Open (or create) the store and save until killed."""
    try:
        store = LocalStore.open(path, PIN)
    except StoreNotFound:
        store = LocalStore.create(path, PIN, kdf=TEST_KDF)
    ids = [str(f.id) for f in store.all(Family)]
    rng = random.Random(seed)
    out.write("READY\n")
    out.flush()
    i = 0
    while True:
        i += 1
        roll = rng.random()
        if roll < 0.1:
            batch = store.pending_changes(limit=rng.randint(1, 5))
            store.acknowledge([p.mutation_id for p in batch])
            continue
        if ids and roll < 0.5:
            fam = store.get(Family, rng.choice(ids))
            if fam is None:
                raise RuntimeError("a record saved earlier is gone")
            value = f"edit-{seed}-{i}"
            fam.address = value
        else:
            value = f"new-{seed}-{i}"
            fam = Family(community="zhytomyrska", family_name="Crash", settlement="Житомир",
                         address=value)
            ids.append(str(fam.id))
        out.write(f"TRY {fam.id} {value}\n")
        out.flush()
        store.save(fam)
        out.write(f"ACK {fam.id} {value}\n")
        out.flush()


if __name__ == "__main__":
    run(Path(sys.argv[1]), int(sys.argv[2]), sys.stdout)
