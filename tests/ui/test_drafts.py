"""Drafts: the debounced saver, and a worker's typing that survives SIGKILL of the app.

The crash test forks a child that types a visit through the real form, draft saver and
encrypted store (``draft_child.py``), kills it with SIGKILL at random moments again and
again, and each time opens the store as the app would: the form comes back from the draft
with at least everything the saver had reported written, and the store is intact.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from field_app.services import form_drafts, visits
from field_app.services.draft_store import DraftSaver
from field_app.store import TEST_KDF, LocalStore
from shared_models.records import Family
from tests.ui import draft_child

KILLS = 15
#: Fewer for the new-family form: the same saver and store, only its keys differ.
FAMILY_KILLS = 5


# ---- the debounced saver -------------------------------------------------------------------
def test_many_changes_make_one_write_after_the_pause() -> None:
    written: list[int] = []
    state = {"n": 0}

    async def flow() -> None:
        saver = DraftSaver(lambda: state["n"], written.append, delay=0.05)
        for i in range(1, 11):
            state["n"] = i
            saver.changed()
            await asyncio.sleep(0.005)
        assert written == [] and saver.pending
        await asyncio.sleep(0.15)
        assert written == [10] and not saver.pending
        await saver.flush()                 # nothing new: nothing written
        assert written == [10]

    asyncio.run(flow())


def test_flush_writes_at_once_and_close_stops_for_good() -> None:
    written: list[str] = []
    state = {"text": ""}

    async def flow() -> None:
        saver = DraftSaver(lambda: state["text"], written.append, delay=10)
        state["text"] = "Половина"
        saver.changed()
        await saver.flush()                 # the app is locked or hidden: write now
        assert written == ["Половина"]
        state["text"] = "Половина нотатки"
        saver.changed()
        await saver.close()                 # saved: the draft must not come back
        saver.changed()
        await saver.flush()
        await asyncio.sleep(0.05)
        assert written == ["Половина"]

    asyncio.run(flow())


def test_a_failed_write_is_retried_by_the_next_flush(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []

    def flaky(n: int) -> None:
        attempts.append(n)
        if len(attempts) == 1:
            raise OSError("disk full")

    async def flow() -> None:
        saver = DraftSaver(lambda: 7, flaky, delay=10)
        saver.changed()
        await saver.flush()
        assert saver.pending and saver.writes == 0
        await saver.flush()
        assert not saver.pending and saver.writes == 1

    asyncio.run(flow())
    assert attempts == [7, 7]
    assert "writing a draft failed" in caplog.text


def test_the_snapshot_is_taken_on_the_loop_before_the_write() -> None:
    """Typing while a slow write runs cannot tear the written copy."""
    form = {"text": "до"}
    written: list[dict[str, str]] = []

    def slow(data: dict[str, str]) -> None:
        time.sleep(0.05)
        written.append(data)

    async def flow() -> None:
        saver = DraftSaver(lambda: dict(form), slow, delay=0)
        saver.changed()
        running = asyncio.create_task(saver.flush())
        await asyncio.sleep(0.01)
        form["text"] = "до і після"
        saver.changed()
        await running
        await saver.flush()

    asyncio.run(flow())
    assert written == [{"text": "до"}, {"text": "до і після"}]


# ---- SIGKILL while typing --------------------------------------------------------------------
def _run_and_kill(path: Path, family_id: str, seed: int, rng: random.Random) -> list[str]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(r)
        try:
            with os.fdopen(w, "w") as out:
                draft_child.run(path, family_id, seed, out)
        finally:
            os._exit(1)
    os.close(w)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        with os.fdopen(r) as inp:
            for line in inp:
                if not line.endswith("\n"):
                    break  # cut off by the kill
                lines.append(line.strip())
                if line.startswith("READY"):
                    ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(30), "child never got ready"
    time.sleep(rng.uniform(0.1, 1.2))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    reader.join(10)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, lines[-3:]
    return lines


def test_sigkill_while_typing_loses_no_written_draft(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = LocalStore.create(path, draft_child.PIN, kdf=TEST_KDF)
    store.set_user("olena")
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир")
    store.save(fam)
    store.close()
    rng = random.Random(20261122)
    typed_before = 0
    total_saves = 0
    for kill in range(KILLS):
        lines = _run_and_kill(path, str(fam.id), kill, rng)
        started = int(lines[0].split()[1])
        assert started == typed_before, f"kill {kill}: the child started from another draft"
        saved = [int(line.split()[1]) for line in lines if line.startswith("SAVED")]
        total_saves += len(saved)
        store = LocalStore.open(path, draft_child.PIN)
        try:
            opened = visits.open_new(store, str(fam.id))
            text = opened.form.child_needs
            assert draft_child.TEXT.startswith(text), f"kill {kill}: draft is not what was typed"
            assert len(text) >= max(saved, default=started), (
                f"kill {kill}: a written draft was lost ({len(text)} < {max(saved)})")
            assert opened.restored is not None or not text
            assert store.integrity_check() == "ok"
            assert store.verify() == []
            typed_before = len(text)
        finally:
            store.close()
    assert total_saves > KILLS          # kills landed between many completed writes
    assert typed_before > 0
    print(f"\ndraft crash test: {KILLS} SIGKILLs, {total_saves} draft writes reported and "
          f"all found; {typed_before} characters typed in all")


def test_sigkill_while_typing_a_new_family_loses_no_written_draft(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = LocalStore.create(path, draft_child.PIN, kdf=TEST_KDF)
    store.set_user("olena")
    store.close()
    rng = random.Random(20261125)
    typed_before = 0
    total_saves = 0
    for kill in range(FAMILY_KILLS):
        lines = _run_and_kill(path, "new", kill, rng)
        assert int(lines[0].split()[1]) == typed_before, f"kill {kill}: another draft"
        saved = [int(line.split()[1]) for line in lines if line.startswith("SAVED")]
        total_saves += len(saved)
        store = LocalStore.open(path, draft_child.PIN)
        try:
            opened = form_drafts.open_new_family(store, me="olena", communities=["zhytomyrska"])
            text = opened.form.address
            assert draft_child.TEXT.startswith(text), f"kill {kill}: draft is not what was typed"
            assert len(text) >= max(saved, default=typed_before), (
                f"kill {kill}: a written draft was lost")
            assert opened.restored is not None or not text
            assert store.integrity_check() == "ok"
            typed_before = len(text)
        finally:
            store.close()
    assert total_saves > FAMILY_KILLS and typed_before > 0


# ---- drafts of records that left the device ----------------------------------------------------
def test_drafts_of_a_purged_community_are_pruned(tmp_path: Path) -> None:
    from field_app.services.draft_store import draft_keys, prune_drafts, save_draft
    from tests.ui.stores import real_store

    store = real_store(tmp_path, communities=("zhytomyrska", "malynska"))
    try:
        here = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир")
        gone = Family(community="malynska", family_name="Шевчук", settlement="Малин")
        store.save(here)
        store.save(gone)
        for fam in (here, gone):
            opened = visits.open_new(store, str(fam.id))
            save_draft(store, opened.draft_key, opened.form.to_draft())
        assert len(draft_keys(store)) == 2
        assert prune_drafts(store) == []                       # both families still here
        store.purge_communities(["malynska"])                  # access to Малин withdrawn
        assert prune_drafts(store) == [f"visit.new.{gone.id}"]
        assert draft_keys(store) == [f"visit.new.{here.id}"]
        assert visits.open_new(store, str(here.id)).restored is not None
    finally:
        store.close()
