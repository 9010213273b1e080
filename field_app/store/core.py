"""The store's core: its state, the sealed-row helpers, secrets and self-checks.

``StoreCore`` holds what every part of ``LocalStore`` shares — the engine, the cipher while
unlocked, the device clock — and knows how each sealed column is bound (``_aad``) and opened.
Write transactions go through ``_write`` so the device clock is persisted in the same
transaction as whatever it stamped.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from field_app.store import unlock as vault_db
from field_app.store.codec import (
    PendingChange,
    state_from_json,
    writes_from_json,
)
from field_app.store.crypto import Cipher, SealError, aad
from field_app.store.errors import (
    CorruptRecord,
    Locked,
    StoreWiped,
)
from field_app.store.schema import (
    READ_ONLY,
    RECOVERABLE,
    LocalCursor,
    LocalMeta,
    LocalOutbox,
    LocalRecord,
    LocalSecret,
    table_of,
)
from field_app.store.views import validate_despite_clock
from shared_models.clock import HybridClock
from shared_models.merge import (
    RecordState,
    merge_all,
)
from shared_models.records import Record

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Record)
RECORDS = table_of(LocalRecord)
OUTBOX = table_of(LocalOutbox)
CURSORS = table_of(LocalCursor)
SECRETS = table_of(LocalSecret)
META = table_of(LocalMeta)
# Statements built once: building and cache-keying a Core statement costs more than running it.
SEL_ROW = select(RECORDS).where(RECORDS.c.id == bindparam("rid"))
SEL_PENDING = select(OUTBOX).where(OUTBOX.c.record_id == bindparam("rid")).order_by(OUTBOX.c.seq)
INS_ROW = insert(RECORDS)
UPD_ROW = update(RECORDS).where(RECORDS.c.id == bindparam("rid"))
UPD_CLOCK = update(META).where(META.c.name == "clock").values(value=bindparam("clock"))
USER_SLOT = "user"  # name of the sealed secret holding the author of local edits


def now_ms(now: Callable[[], float]) -> int:
    """Milliseconds from a seconds clock (the store's ``now``, replaceable in tests)."""
    return int(now() * 1000)


class StoreCore:
    """State and helpers shared by the record API and the sync-apply part (not used directly)."""

    def __init__(self, path: Path, engine: Engine, *, device_secret: bytes | None,
                 now: Callable[[], float]) -> None:
        self.path = path
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self._recoverable = engine.execution_options(**{RECOVERABLE: True})
        self._device_secret = device_secret
        self._now = now
        self._mutex = threading.RLock()
        self._cipher: Cipher | None = None
        self._clock: HybridClock | None = None
        self._device_id = ""
        self._user = ""
        self._corrupt: dict[str, CorruptRecord] = {}
        # Decrypted models per kind, filled by the first full listing after unlock and kept
        # in step by our own writes; memory only, dropped by lock(). Makes search fast.
        self._models: dict[str, dict[str, Record]] = {}
        # Per (kind, field) of ``INDEXED_FIELDS``: the cached dict it was built from, that
        # kind's edit count then, and value -> ids. ``all(cls, family_id=...)`` reads it
        # instead of scanning the kind (a family card asks for 6 kinds by family or case).
        self._indexes: dict[tuple[str, str], tuple[dict[str, Record], int, dict[Any, list[str]]]]
        self._indexes = {}
        self._kind_edits: dict[str, int] = {}
        # Opened secrets by name (``None``: none stored), kept in step by our own writes and
        # dropped by lock(): a sync reads the token and its bookkeeping several times, and
        # each read was a query and a decryption (a third of a no-op sync's own time).
        self._secrets: dict[str, bytes | None] = {}
        self._wiped = False
        self._closed = False

    # ------------------------------------------------------------------ helpers

    def _check_open(self) -> None:
        if self._wiped:
            raise StoreWiped()
        if self._closed:
            raise Locked()

    def _need_cipher(self) -> Cipher:
        self._check_open()
        if self._cipher is None:
            raise Locked()
        return self._cipher

    def _need_clock(self) -> HybridClock:
        self._need_cipher()
        if self._clock is None:  # cannot happen while a cipher is set; keeps mypy honest
            raise Locked()
        return self._clock

    @contextmanager
    def _write(self, *, recoverable: bool = False) -> Iterator[tuple[Cipher, Connection]]:
        """One IMMEDIATE transaction with the key; persists the clock before commit.

        ``recoverable``: the next sync makes good the loss of this write in a power cut
        (``schema.RECOVERABLE``): the commit does not wait for the disk.
        """
        with self._mutex:
            cipher = self._need_cipher()
            with (self._recoverable if recoverable else self._engine).begin() as conn:
                yield cipher, conn
                clock = self._need_clock().last.encode()
                conn.execute(UPD_CLOCK, {"clock": clock})

    def _aad(self, cipher: Cipher, purpose: str, rid: str, kind: str, community: str) -> bytes:
        return aad(purpose, rid, kind, community, cipher.key_id)

    def _open_state(self, cipher: Cipher, blob: bytes, rid: str, kind: str,
                    community: str) -> RecordState:
        try:
            data = cipher.open_json(blob, self._aad(cipher, "base", rid, kind, community))
            return state_from_json(rid, kind, community, data)
        except (SealError, ValueError, KeyError, TypeError) as exc:
            raise CorruptRecord(rid) from exc

    def _open_view(self, cipher: Cipher, blob: bytes, rid: str, kind: str,
                   community: str) -> dict[str, Any]:
        try:
            data = cipher.open_json(blob, self._aad(cipher, "view", rid, kind, community))
        except SealError as exc:
            raise CorruptRecord(rid) from exc
        if not isinstance(data, dict):
            raise CorruptRecord(rid)
        return data

    def _open_payload(self, cipher: Cipher, row: Any) -> dict[str, Any]:
        """The decrypted writes of an outbox row, ``{name: [value, clock, supersedes, author]}``."""
        try:
            data = cipher.open_json(row.payload_ct, self._aad(
                cipher, f"outbox:{row.mutation_id}", row.record_id, row.kind, row.community))
        except SealError as exc:
            raise CorruptRecord(row.record_id, "outbox entry") from exc
        if not isinstance(data, dict):
            raise CorruptRecord(row.record_id, "outbox entry")
        return data

    def _open_pending(self, cipher: Cipher, row: Any) -> PendingChange:
        data = self._open_payload(cipher, row)
        try:
            writes = writes_from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptRecord(row.record_id, "outbox entry") from exc
        return PendingChange(row.seq, uuid.UUID(row.mutation_id), row.record_id, row.kind,
                             row.community, row.created_ms, writes)

    def _pending_for(self, cipher: Cipher, conn: Connection, rid: str) -> list[PendingChange]:
        rows = conn.execute(SEL_PENDING, {"rid": rid}).all()
        return [self._open_pending(cipher, r) for r in rows]

    def _local_state(self, cipher: Cipher, conn: Connection, rid: str
                     ) -> tuple[Any, RecordState | None, RecordState | None]:
        """(row, base state, base merged with pending writes) of one record."""
        row = conn.execute(SEL_ROW, {"rid": rid}).first()
        base = None
        if row is not None and row.base_ct is not None:
            base = self._open_state(cipher, row.base_ct, rid, row.kind, row.community)
        pending = [p.to_state() for p in self._pending_for(cipher, conn, rid)]
        parts = [s for s in (base, *pending) if s is not None]
        return row, base, merge_all(parts) if parts else None

    def _model(self, cls: type[M], rid: str, community: str, values: dict[str, Any]) -> M:
        data = {**values, "id": rid, "community": community}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            model = validate_despite_clock(cls, data, exc)
            if model is None:
                raise CorruptRecord(rid, "record (invalid values)") from exc
            return model

    # ------------------------------------------------------------------ secrets

    def set_secret(self, name: str, value: bytes) -> None:
        """Store a small secret (the server token) sealed with the data key."""
        with self._mutex:
            with self._write() as (cipher, conn):
                self._put_secret(cipher, conn, name, value)
            self._secrets[name] = value  # committed

    def _put_secret(self, cipher: Cipher, conn: Connection, name: str, value: bytes) -> None:
        """``set_secret`` inside the caller's write transaction."""
        # Read again after the commit: the caller's transaction may still roll back.
        self._secrets.pop(name, None)
        blob = cipher.seal(value, self._aad(cipher, "secret", name, "secret", "-"))
        conn.execute(delete(SECRETS).where(SECRETS.c.name == name))
        conn.execute(insert(SECRETS).values(name=name, value_ct=blob))

    def _read_secret(self, cipher: Cipher, conn: Connection, name: str) -> bytes | None:
        """``get_secret`` inside the caller's transaction."""
        if name in self._secrets:  # committed, and not written in this transaction (see
            return self._secrets[name]  # ``_put_secret``): the mutex is ours till it ends
        blob = conn.execute(select(SECRETS.c.value_ct).where(SECRETS.c.name == name)).scalar()
        if blob is None:
            return None
        try:
            return cipher.open(blob, self._aad(cipher, "secret", name, "secret", "-"))
        except SealError as exc:
            raise CorruptRecord(name, "secret") from exc

    def get_secret(self, name: str) -> bytes | None:
        """A stored secret, or ``None``."""
        with self._mutex:
            cipher = self._need_cipher()
            if name in self._secrets:
                return self._secrets[name]
            with self._reader.connect() as conn:
                value = self._secrets[name] = self._read_secret(cipher, conn, name)
            return value

    def delete_secret(self, name: str) -> None:
        """Forget a stored secret."""
        with self._mutex:
            with self._write() as (_cipher, conn):
                self._secrets.pop(name, None)
                conn.execute(delete(SECRETS).where(SECRETS.c.name == name))
            self._secrets[name] = None  # committed

    # ------------------------------------------------------------------ maintenance

    def checkpoint(self) -> None:
        """Move the WAL into the database file and truncate the WAL."""
        with self._mutex:
            self._check_open()
            vault_db.checkpoint(self._engine)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result ("ok" when the file is sound)."""
        with self._mutex:
            self._check_open()
            with self._reader.connect() as conn:
                return "\n".join(r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check"))

    def verify(self) -> list[str]:
        """Check every sealed row and that views and dirty flags match base + outbox.

        Returns problems (ids and kinds only, never values); corrupt records are also
        recorded for ``corrupt_records()``.
        """
        problems: list[str] = []
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:  # one snapshot: two queries, not 2 per row
                rows = conn.execute(select(RECORDS)).all()
                entries = conn.execute(select(OUTBOX).order_by(OUTBOX.c.seq)).all()
        pending: dict[str, list[RecordState]] = {}
        broken: set[str] = set()
        for e in entries:
            try:
                pending.setdefault(e.record_id, []).append(
                    self._open_pending(cipher, e).to_state())
            except CorruptRecord as exc:
                self._corrupt[e.record_id] = exc
                broken.add(e.record_id)
                problems.append(f"outbox entry {e.seq} of {e.record_id}: authentication failed")
        ids = {r.id for r in rows}
        problems += [f"outbox entry for missing record {rid}" for rid in pending.keys() - ids]
        for row in rows:
            if row.id in broken:
                continue
            try:
                view = self._open_view(cipher, row.view_ct, row.id, row.kind, row.community)
                base = (self._open_state(cipher, row.base_ct, row.id, row.kind, row.community)
                        if row.base_ct is not None else None)
            except CorruptRecord as exc:
                self._corrupt[row.id] = exc
                problems.append(f"{row.kind} {row.id}: authentication failed")
                continue
            parts = [s for s in (base, *pending.get(row.id, [])) if s is not None]
            if bool(row.dirty) != (row.id in pending):
                problems.append(f"{row.kind} {row.id}: dirty flag disagrees with outbox")
            if not parts or merge_all(parts).values() != view:
                problems.append(f"{row.kind} {row.id}: view disagrees with base+outbox")
        return problems
