"""Tables of the device database and the engine that opens it safely.

Only non-personal metadata is in the clear: ids, kind, community code, feed position, the
dirty flag, millisecond timestamps for ordering, outbox order, cursors, and the vault's
public parameters. Everything a worker typed lives in the ``*_ct`` columns, sealed by
``crypto.Cipher``.

Per record the table keeps ``base_ct`` (the merge state last pulled from or acknowledged by
the server) and ``view_ct`` (the merged current values, so listing needs no merge); the
pending local writes are the record's outbox entries themselves, so the outbox and the
records cannot disagree.

Every connection runs in WAL mode with ``synchronous=FULL`` (a save the worker was told
succeeded survives power loss), except for writes the next sync makes good if a power cut
loses them (``RECOVERABLE``: a pulled page with its cursor, an acknowledgement of pushed
changes), which commit with ``synchronous=NORMAL``: still atomic and in order, only not
waited for on the disk. ``secure_delete`` (freed pages are zeroed, so an old
ciphertext or wrapped key does not linger) and ``temp_store=MEMORY`` (no temp files).
Write transactions begin IMMEDIATE so two writers never deadlock on a lock upgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import Column, Index, Integer, LargeBinary, Table, event, text
from sqlalchemy.engine import Connection, Engine, create_engine
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

#: The version of the store's data (``migrations``): 2 since the case cycle (and the index
#: of unsynced records).
SCHEMA_VERSION = 2
#: Execution option that marks a read-only connection (plain deferred BEGIN).
READ_ONLY = "poruch_read_only"
#: Execution option of writes whose loss in a power cut costs nothing the next sync does not
#: bring back: committed with ``synchronous=NORMAL``. In WAL mode such a transaction is still
#: atomic and ordered — lost, if at all, whole and only with the ones after it; the next
#: ``FULL`` commit (any save) makes it durable too. A pulled page and its cursor are lost
#: together (the page is pulled again); a lost acknowledgement puts the pushed changes back
#: in the outbox (pushed again, and answered from the server's stored answers).
RECOVERABLE = "poruch_recoverable"


class LocalBase(SQLModel, registry=registry()):
    """Base of the device's tables: their own registry, so they never share SQLModel's global
    metadata with the server's tables when both live in one process (as in the tests)."""


class LocalVault(LocalBase, table=True):
    """The single vault row: wrapped data key, KDF parameters, lockout counters."""

    __tablename__ = "local_vault"

    id: int = Field(default=1, primary_key=True)
    key_id: str
    kdf: str                       # KdfParams.to_json()
    salt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    with_secret: bool = False      # whether a device secret was mixed in
    wrapped_key: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    policy: str                    # LockoutPolicy.to_json()
    failures: int = 0              # wrong PINs in a row (confirmed by the KDF)
    unconfirmed: int = 0           # attempts started but never finished (app killed)
    last_failure_ms: int = 0
    wiped_ms: int | None = None
    created_ms: int


class LocalMeta(LocalBase, table=True):
    """Non-secret settings: schema version, device id, the persisted clock."""

    __tablename__ = "local_meta"

    name: str = Field(primary_key=True)
    value: str


class LocalRecord(LocalBase, table=True):
    """One synced record: sealed merge state and merged values, metadata in the clear."""

    __tablename__ = "local_record"
    # The unsynced records ("saved on this phone" marks, read by every card and list): a
    # partial index holds only them, so the read does not scan every record.
    __table_args__ = (Index("ix_local_record_dirty", "id", sqlite_where=text("dirty = 1")),)

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    community: str = Field(index=True)
    position: int | None = None    # server feed position of the last pulled state
    dirty: bool = False            # has outbox entries not yet acknowledged
    updated_ms: int                # wall time of the last change, for ordering
    base_ct: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    view_ct: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LocalOutbox(LocalBase, table=True):
    """One pending mutation, in the order it was made; leaves only when acknowledged."""

    __tablename__ = "local_outbox"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    mutation_id: str = Field(unique=True)
    record_id: str = Field(index=True)
    kind: str
    community: str = Field(index=True)
    created_ms: int
    payload_ct: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LocalCursor(LocalBase, table=True):
    """Pull cursor per community (a feed position: not personal)."""

    __tablename__ = "local_cursor"

    community: str = Field(primary_key=True)
    position: int


class LocalSecret(LocalBase, table=True):
    """Sealed small secrets: the server token, the signed-in user name."""

    __tablename__ = "local_secret"

    name: str = Field(primary_key=True)
    value_ct: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (queries use Core: fewer objects per row)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


TABLES = [table_of(m) for m in (LocalVault, LocalMeta, LocalRecord, LocalOutbox,
                                LocalCursor, LocalSecret)]
#: Tables holding sealed data or data-derived state: emptied when the key is destroyed.
DATA_TABLES = [table_of(m) for m in (LocalRecord, LocalOutbox, LocalCursor, LocalSecret)]

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA secure_delete=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def make_engine(path: Path) -> Engine:
    """An engine for the store file with the PRAGMAs and IMMEDIATE write transactions."""
    engine = create_engine(f"sqlite:///{path}", future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            for pragma in _PRAGMAS:
                cur.execute(pragma)
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")
            return
        # The level can only change outside a transaction: set here, before BEGIN, and only
        # when it differs from what this connection was left with.
        level = "NORMAL" if options.get(RECOVERABLE, False) else "FULL"
        if conn.info.get("synchronous", "FULL") != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            conn.info["synchronous"] = level
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_tables(engine: Engine) -> None:
    """Create every table of the store (inside one IMMEDIATE transaction)."""
    LocalBase.metadata.create_all(engine, tables=TABLES)
