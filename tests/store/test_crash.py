"""Crash test: a child saving in a loop is SIGKILLed at random points, again and again.

After every kill: every save that returned is there (with its value, or the value of the one
save that may have committed without its acknowledgement line being printed), the outbox
matches the records, and SQLite's integrity check is ok.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

from field_app.store import LocalStore
from shared_models.records import Family
from tests.store import crash_child
from tests.store.conftest import PIN

KILLS = 60


def _run_and_kill(path: Path, seed: int, rng: random.Random, *, early: bool) -> list[str]:
    """Fork a child that saves in a loop; SIGKILL it after a random delay; return its lines.

    ``early`` kills it at a random point of start-up (opening, unlocking, first saves)
    instead of after it reported ready.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(r)
        try:
            with os.fdopen(w, "w") as out:
                crash_child.run(path, seed, out)
        finally:
            os._exit(1)
    os.close(w)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        with os.fdopen(r) as inp:
            for line in inp:
                if not line.endswith("\n"):
                    break  # cut off by the kill: it never counted as printed
                lines.append(line.strip())
                if line.startswith("READY"):
                    ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if early:
        time.sleep(rng.uniform(0.0, 0.05))
    else:
        assert ready.wait(30), "child never got ready"
        time.sleep(rng.uniform(0.0, 0.3))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    reader.join(10)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
        f"child ended on its own (status {status}): {lines[-3:]}"
    return lines


def test_sigkill_during_saves_loses_nothing_that_was_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "crash" / "poruch.db"
    rng = random.Random(20261123)
    known: dict[str, str] = {}  # record id -> value it must have now
    total_acks = 0
    for kill in range(KILLS):
        lines = _run_and_kill(path, kill, rng, early=kill > 0 and rng.random() < 0.15)
        allowed: dict[str, set[str]] = {rid: {v} for rid, v in known.items()}
        last_try: tuple[str, str] | None = None
        for line in lines:
            word, _, rest = line.partition(" ")
            if word == "TRY":
                rid, value = rest.split(" ")
                last_try = (rid, value)
            elif word == "ACK":
                rid, value = rest.split(" ")
                allowed[rid] = {value}
                total_acks += 1
                last_try = None
        store = LocalStore.open(path, PIN)
        try:
            if last_try is not None:  # killed between commit and print: either outcome is fine
                allowed.setdefault(last_try[0], set()).add(last_try[1])
            stored = {str(f.id): f.address for f in store.all(Family)}
            for rid, values in allowed.items():
                if rid == (last_try or ("", ""))[0] and rid not in known and rid not in stored:
                    continue  # a new record whose save never returned
                assert rid in stored, f"kill {kill}: acknowledged record {rid} lost"
                assert stored[rid] in values, f"kill {kill}: {rid} has {stored[rid]!r}"
            assert store.verify() == [], f"kill {kill}: outbox and records disagree"
            assert store.integrity_check() == "ok"
            assert store.corrupt_records() == []
            known = stored
        finally:
            store.close()
    assert total_acks > KILLS  # the kills did land between many completed saves
