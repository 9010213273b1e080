"""SQLite WAL checkpoints on a background thread, so a push does not wait for them.

In WAL mode SQLite copies the log back into the database file ("checkpoint") inside the
commit that crosses ``wal_autocheckpoint`` pages, with an ``fsync`` of the log and of the
database; a bulk push writes several megabytes per batch, so nearly every batch's commit
paid for a checkpoint (about 0.05 s each on these machines' disks, a sixth of a batch).
``WalCheckpointer`` runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection shortly
after write transactions commit: a passive checkpoint never blocks readers or the writer, and
copies what no reader still needs. Connections of the engine get a higher
``wal_autocheckpoint`` (``BACKSTOP_PAGES``) as a backstop: if the thread falls behind, a
commit checkpoints as before, so the log cannot grow without bound.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

#: ``wal_autocheckpoint`` of the engine's connections while the thread runs (4 KiB pages).
BACKSTOP_PAGES = 16_000
#: Seconds the thread waits after a commit, so a burst of commits is checkpointed once.
DELAY_S = 0.05


class WalCheckpointer:
    """Checkpoints the WAL of ``engine``'s SQLite file after its write transactions."""

    def __init__(self, engine: Engine, *, delay_s: float = DELAY_S) -> None:
        database = make_url(str(engine.url)).database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            raise ValueError("a WAL checkpointer needs an SQLite database file")
        self._engine, self._path, self._delay = engine, database, delay_s
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # completed checkpoint calls, for tests and benchmarks

    @classmethod
    def for_engine(cls, engine: Engine) -> WalCheckpointer | None:
        """A checkpointer when ``engine`` is an SQLite file, else ``None``."""
        try:
            return cls(engine)
        except ValueError:
            return None

    def start(self) -> None:
        """Raise the engine's connections' own checkpoint threshold and start the thread."""
        event.listen(self._engine, "connect", self._on_connect)
        event.listen(self._engine, "commit", self._on_commit)
        self._thread = threading.Thread(target=self._run, name="poruch-wal-checkpoint",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (after a last checkpoint) and restore the engine's listeners."""
        if self._thread is None:
            return
        event.remove(self._engine, "commit", self._on_commit)
        event.remove(self._engine, "connect", self._on_connect)
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=30)
        self._thread = None

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")

    def _on_commit(self, _conn: Any) -> None:
        self._wake.set()

    def _run(self) -> None:
        # Its own connection, outside the pool: a checkpoint cannot run inside the read
        # transaction every pooled connection opens.
        conn = sqlite3.connect(self._path, timeout=1.0, isolation_level=None,
                               check_same_thread=False)
        try:
            while True:
                self._wake.wait()
                if not self._stopping:
                    # Let the commit that woke us finish, and the next few gather.
                    time.sleep(self._delay)
                self._wake.clear()
                # Read after the clear: a stop() whose wake-up the clear swallowed set the
                # flag before it, so it is seen here (read before, the thread slept on and
                # stop() waited out its join timeout).
                stopping = self._stopping
                self._checkpoint(conn)
                if stopping:
                    return
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # e.g. busy: the next commit wakes us again
            log.warning("WAL checkpoint skipped: %s", exc)
