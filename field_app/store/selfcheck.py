"""Start-up self-check: does this device give the store what its safety rests on?

Two things are taken for granted everywhere else and are checked here once per start, before
a store is created or opened:

- Argon2id: an implementation that reproduces RFC 9106's test vector (``kdf``); otherwise
  ``KdfUnavailable``.
- SQLite: the store's engine (``schema.make_engine``, same PRAGMAs) on a scratch file in the
  store's own folder, reading back what SQLite actually set. ``journal_mode`` can come back
  as something other than ``wal`` (a file system without shared memory), and
  ``secure_delete`` is ignored by builds that compile it out; then ``SqliteUnsafe``, since
  a save could be lost in a power cut or an old ciphertext could linger on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from field_app.store import kdf, schema
from field_app.store.errors import StoreError
from field_app.store.files import wipe_files

SCRATCH = ".poruch-selfcheck.db"


class SqliteUnsafe(StoreError):
    """SQLite on this device did not accept the store's journal or erase settings."""

    code = "sqlite_unsafe"


@dataclass(frozen=True, slots=True)
class PlatformReport:
    """What the self-check found (no secrets: names and settings only)."""

    kdf_backend: str
    journal_mode: str
    secure_delete: int


def check_platform(folder: Path) -> PlatformReport:
    """Check Argon2id and SQLite here; raises ``KdfUnavailable`` or ``SqliteUnsafe``."""
    backend = kdf.active_backend()
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / SCRATCH
    wipe_files(scratch)
    engine = schema.make_engine(scratch)
    try:
        with engine.connect() as conn:
            journal = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()
            secure = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
    finally:
        engine.dispose()
        wipe_files(scratch)
    if journal != "wal" or secure != 1:
        raise SqliteUnsafe()
    return PlatformReport(backend, journal, secure)
