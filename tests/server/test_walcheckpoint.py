"""The WAL is checkpointed on a background thread: commits land in the database file soon
after, without a commit paying for it; the app starts and stops the thread with itself."""

from __future__ import annotations

import asyncio
import gc
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from sync_server.app import create_app
from sync_server.db import make_engine, write_tx
from sync_server.settings import Settings
from sync_server.walcheckpoint import BACKSTOP_PAGES, WalCheckpointer
from tests.server.conftest import SECRET


def rows_in_database_file(db: Path, tmp_path: Path) -> int:
    """Rows of ``note_test`` in the database file alone, the WAL left out (-1: no table)."""
    alone = tmp_path / f"alone-{time.monotonic_ns()}.db"
    shutil.copy(db, alone)  # without its -wal file: only what was checkpointed
    conn = sqlite3.connect(alone)
    try:
        return int(conn.execute("SELECT count(*) FROM note_test").fetchone()[0])
    except sqlite3.OperationalError:
        return -1
    finally:
        conn.close()


def write_some(engine: Engine) -> None:
    """A few small write transactions (far below SQLite's own checkpoint threshold)."""
    with write_tx(engine) as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS note_test (id INTEGER PRIMARY KEY, t)"))
    for i in range(5):
        with write_tx(engine) as conn:
            conn.execute(text("INSERT INTO note_test (t) VALUES (:t)"), {"t": f"запис {i}"})


def wait_for(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_commits_reach_the_database_file_soon_after(tmp_path: Path) -> None:
    # Control: without the thread, small commits stay in the WAL (SQLite checkpoints by
    # itself only past 1,000 pages), so the file alone lacks them.
    plain_db = tmp_path / "plain.db"
    plain = make_engine(f"sqlite:///{plain_db}")
    try:
        write_some(plain)
        time.sleep(0.3)
        assert rows_in_database_file(plain_db, tmp_path) == -1
    finally:
        plain.dispose()

    db = tmp_path / "server.db"
    engine = make_engine(f"sqlite:///{db}")
    checkpointer = WalCheckpointer(engine, delay_s=0.01)
    checkpointer.start()
    try:
        write_some(engine)
        assert wait_for(lambda: rows_in_database_file(db, tmp_path) == 5)
        assert checkpointer.checkpoints >= 1
    finally:
        checkpointer.stop()
        engine.dispose()


def test_stopping_while_it_waits_after_a_commit_ends_it_at_once(tmp_path: Path) -> None:
    """A stop that comes while the thread lets a commit's neighbours gather (the app shut
    down right after a push) ends the thread after its last checkpoint, not after the
    join's 30-second timeout."""
    db = tmp_path / "server.db"
    engine = make_engine(f"sqlite:///{db}")
    try:
        for _ in range(3):
            checkpointer = WalCheckpointer(engine, delay_s=0.3)
            checkpointer.start()
            write_some(engine)        # wakes the thread: it now sleeps out its delay
            time.sleep(0.1)
            thread = checkpointer._thread
            assert thread is not None
            started = time.monotonic()
            checkpointer.stop()
            assert time.monotonic() - started < 5
            assert not thread.is_alive()
            assert rows_in_database_file(db, tmp_path) >= 5  # the last checkpoint ran
    finally:
        engine.dispose()


def test_connections_keep_a_higher_threshold_as_a_backstop_while_it_runs(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")

    def threshold() -> int:
        engine.dispose()  # a new connection, made with the listeners of now
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    try:
        assert threshold() == 1000  # SQLite's default
        checkpointer = WalCheckpointer(engine)
        checkpointer.start()
        assert threshold() == BACKSTOP_PAGES
        checkpointer.stop()
        assert threshold() == 1000
        checkpointer.stop()  # stopping twice is harmless
    finally:
        engine.dispose()


def test_only_for_sqlite_files(tmp_path: Path) -> None:
    memory = make_engine("sqlite://")
    postgres = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # not connected
    try:
        assert WalCheckpointer.for_engine(memory) is None
        assert WalCheckpointer.for_engine(postgres) is None
        with pytest.raises(ValueError, match="SQLite database file"):
            WalCheckpointer(memory)
    finally:
        memory.dispose()
        postgres.dispose()


def test_the_app_runs_it_for_as_long_as_it_runs(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    settings = Settings(database_url=f"sqlite:///{db}", secret_key=SECRET, instance_id="test",
                        env="development")
    engine = make_engine(settings.database_url)
    app = create_app(settings, engine=engine)

    async def serve_a_while() -> int:
        async with app.router.lifespan_context(app):
            write_some(engine)
            ok = await asyncio.to_thread(
                wait_for, lambda: rows_in_database_file(db, tmp_path) == 5)
            assert ok
        # Stopped with the app: later commits are no longer checkpointed for it.
        write_some(engine)
        await asyncio.sleep(0.3)
        return rows_in_database_file(db, tmp_path)

    try:
        assert asyncio.run(serve_a_while()) == 5
    finally:
        gc.unfreeze()  # the lifespan froze this test process's objects (a server's, not ours)
        engine.dispose()
