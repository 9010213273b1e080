"""``LocalStore``: the device's encrypted record store, outbox and sync hooks.

One SQLite file (see ``schema``) holds sealed merge states. Reads return domain models; a save
turns the difference between the model and what the worker saw into field writes (the shared
``edit_writes``), and stores the new view and one outbox entry in a single IMMEDIATE
transaction. The pulled server state (``base``) and the pending local writes (the outbox) are
kept apart and merged with the shared rule, so a pull never overwrites an unsynced edit and an
acknowledgement just moves writes from the outbox into the base.

Decisions:

* ``all()`` skips a record whose ciphertext fails authentication and reports it in
  ``corrupt_records()`` (logged by id only), so one damaged record never hides the others;
  ``get()`` of that record raises ``CorruptRecord``.
* ``purge_communities`` also drops the purged communities' outbox entries: the server has
  withdrawn access and would refuse them, and keeping personal data the worker may no longer
  hold defeats the purge. It returns how many were dropped so the app can say so; the sync
  client pushes before it pulls, so normally there are none.
* Notes and reviews are append-only: ``save`` of a changed one and ``delete`` of one raise
  ``RecordRefused``.
"""

from __future__ import annotations

import copy
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, literal_column, select, update
from sqlalchemy.engine import Connection, Engine

from field_app.store import unlock as vault_db
from field_app.store.codec import (
    PendingChange,
    state_from_json,
    state_to_json,
    writes_from_json,
    writes_to_json,
)
from field_app.store.crypto import Cipher, SealError, aad, new_data_key
from field_app.store.errors import (
    CorruptRecord,
    Locked,
    RecordRefused,
    StoreExists,
    StoreNotFound,
    StoreWiped,
)
from field_app.store.files import fsync_dir, wipe_files
from field_app.store.pin_policy import check_pin, policy_error
from field_app.store.schema import (
    READ_ONLY,
    SCHEMA_VERSION,
    LocalCursor,
    LocalMeta,
    LocalOutbox,
    LocalRecord,
    LocalSecret,
    LocalVault,
    create_tables,
    make_engine,
    table_of,
)
from field_app.store.vault import (
    KdfParams,
    LockoutPolicy,
    derive_kek,
    new_salt,
    wrap_key,
)
from shared_models.changes import edit_writes
from shared_models.clock import HLC, HybridClock
from shared_models.merge import (
    RecordState,
    check_change,
    merge_all,
    merge_records,
    state_from_writes,
)
from shared_models.protocol import RecordChange
from shared_models.records import Record

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Record)
R = table_of(LocalRecord)
O = table_of(LocalOutbox)  # noqa: E741
C = table_of(LocalCursor)
S = table_of(LocalSecret)
META = table_of(LocalMeta)
_USER = "user"


class _Unchanged(Exception):  # control flow only: never leaves this module
    """A save found nothing to write."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What ``purge_communities`` removed."""

    records: int
    pending_dropped: int


def _ms(now: Callable[[], float]) -> int:
    return int(now() * 1000)


class LocalStore:
    """The encrypted store. Build it with ``create`` or ``open``; thread-safe."""

    def __init__(self, path: Path, engine: Engine, *, device_secret: bytes | None,
                 now: Callable[[], float]) -> None:
        self.path = path
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
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
        self._wiped = False
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def create(cls, path: str | Path, pin: str, *, kdf: KdfParams | None = None,
               policy: LockoutPolicy | None = None, device_secret: bytes | None = None,
               now: Callable[[], float] = time.time) -> LocalStore:
        """Create a new store protected by ``pin`` (checked against the PIN policy)."""
        check_pin(pin)
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise StoreExists()
        path.parent.mkdir(parents=True, exist_ok=True)
        kdf = kdf or KdfParams()
        policy = policy or LockoutPolicy()
        key = new_data_key()
        key_id = secrets.token_hex(8)
        salt = new_salt()
        wrapped = wrap_key(key, derive_kek(pin, salt, kdf, device_secret), key_id=key_id,
                           params=kdf, salt=salt, with_secret=device_secret is not None)
        device_id = "d" + secrets.token_hex(8)
        # Build the store under a temporary name and rename it into place: a crash during
        # create leaves either no store or a complete one, never a file without a vault.
        building = path.with_name(path.name + ".new")
        wipe_files(building)  # leftovers of an earlier create that was killed
        engine = make_engine(building)
        try:
            create_tables(engine)
            with engine.begin() as conn:
                conn.execute(insert(table_of(LocalVault)).values(
                    id=1, key_id=key_id, kdf=kdf.to_json(), salt=salt,
                    with_secret=device_secret is not None, wrapped_key=wrapped,
                    policy=policy.to_json(), created_ms=_ms(now)))
                conn.execute(insert(META), [
                    {"name": "schema_version", "value": str(SCHEMA_VERSION)},
                    {"name": "device_id", "value": device_id},
                    {"name": "clock", "value": HLC(0, 0, device_id).encode()},
                ])
            vault_db.checkpoint(engine)
        finally:
            engine.dispose()  # the last connection closing removes -wal and -shm
        os.replace(building, path)
        fsync_dir(path.parent)
        engine = make_engine(path)
        store = cls(path, engine, device_secret=device_secret, now=now)
        store._unlocked(key, key_id)
        log.info("store created")
        return store

    @classmethod
    def open(cls, path: str | Path, pin: str, *, device_secret: bytes | None = None,
             now: Callable[[], float] = time.time) -> LocalStore:
        """Open and unlock an existing store (``WrongPin``, ``TryLater``, ``StoreWiped``...)."""
        path = Path(path)
        if not path.is_file():
            raise StoreNotFound()
        store = cls(path, make_engine(path), device_secret=device_secret, now=now)
        try:
            store.unlock(pin)
        except BaseException:
            store._engine.dispose()
            raise
        return store

    def unlock(self, pin: str) -> None:
        """Unlock a locked store with the PIN, under the lockout rules (see ``unlock``)."""
        with self._mutex:
            self._check_open()
            key, key_id = vault_db.attempt(self._engine, pin, device_secret=self._device_secret,
                                           now=self._now)
            self._unlocked(key, key_id)
            log.info("store unlocked")

    def _unlocked(self, key: bytearray, key_id: str) -> None:
        self._cipher = Cipher(key, key_id)
        key[:] = bytes(len(key))  # our copy; the AEAD object keeps its own until lock()
        with self._reader.connect() as conn:
            rows = conn.execute(select(META.c.name, META.c.value)).all()
        meta: dict[str, str] = dict(rows)
        self._device_id = meta["device_id"]
        self._clock = HybridClock(self._device_id, max_drift_ms=None, last=meta["clock"])
        user = self.get_secret(_USER)
        self._user = user.decode() if user else ""

    @property
    def locked(self) -> bool:
        """True while the data key is not in memory."""
        return self._cipher is None

    def lock(self) -> None:
        """Drop the data key and everything decrypted; reads and writes then raise ``Locked``."""
        with self._mutex:
            self._cipher = None
            self._clock = None
            self._user = ""
            self._corrupt.clear()
            self._models.clear()

    def close(self) -> None:
        """Lock and release the database file."""
        with self._mutex:
            self.lock()
            self._closed = True
            self._engine.dispose()

    def wipe(self) -> None:
        """Destroy the store: forget the key, then overwrite and delete every file.

        Works locked or unlocked (a revoked device wipes without the PIN).
        """
        with self._mutex:
            self.lock()
            if not self._closed:
                try:
                    with self._engine.begin() as conn:
                        vault_db.destroy_key(conn, _ms(self._now))
                    vault_db.checkpoint(self._engine)
                finally:
                    self._engine.dispose()
            self._closed = True
            self._wiped = True
            wipe_files(self.path)
            log.warning("store wiped")

    @staticmethod
    def destroy(path: str | Path) -> None:
        """Shred a store's files without opening it (after ``StoreWiped``, before a new start)."""
        wipe_files(Path(path))
        wipe_files(Path(path).with_name(Path(path).name + ".new"))

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new``; a wrong ``old`` counts as a wrong PIN."""
        with self._mutex:
            self._need_cipher()
            check_pin(new)
            if old == new:
                raise policy_error("same_pin")
            try:
                key, key_id = vault_db.attempt(self._engine, old,
                                               device_secret=self._device_secret, now=self._now)
            except StoreWiped:
                self.lock()
                raise
            with self._reader.connect() as conn:
                kdf = vault_db.read_vault(conn).kdf
            try:
                vault_db.rewrap(self._engine, key, key_id, new, kdf=kdf,
                                device_secret=self._device_secret)
            finally:
                key[:] = bytes(len(key))
            log.info("PIN changed")

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
    def _write(self) -> Iterator[tuple[Cipher, Connection]]:
        """One IMMEDIATE transaction with the key; persists the clock before commit."""
        with self._mutex:
            cipher = self._need_cipher()
            with self._engine.begin() as conn:
                yield cipher, conn
                clock = self._need_clock().last.encode()
                conn.execute(update(META).where(META.c.name == "clock").values(value=clock))

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

    def _open_pending(self, cipher: Cipher, row: Any) -> PendingChange:
        mid = row.mutation_id
        try:
            data = cipher.open_json(row.payload_ct, self._aad(
                cipher, f"outbox:{mid}", row.record_id, row.kind, row.community))
            writes = writes_from_json(data)
        except (SealError, ValueError, KeyError, TypeError) as exc:
            raise CorruptRecord(row.record_id, "outbox entry") from exc
        return PendingChange(row.seq, uuid.UUID(mid), row.record_id, row.kind, row.community,
                             row.created_ms, writes)

    def _pending_for(self, cipher: Cipher, conn: Connection, rid: str) -> list[PendingChange]:
        rows = conn.execute(select(O).where(O.c.record_id == rid).order_by(O.c.seq)).all()
        return [self._open_pending(cipher, r) for r in rows]

    def _local_state(self, cipher: Cipher, conn: Connection, rid: str
                     ) -> tuple[Any, RecordState | None, RecordState | None]:
        """(row, base state, base merged with pending writes) of one record."""
        row = conn.execute(select(R).where(R.c.id == rid)).first()
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
            model = _validate_despite_clock(cls, data, exc)
            if model is None:
                raise CorruptRecord(rid, "record (invalid values)") from exc
            return model

    # ------------------------------------------------------------------ records

    def save(self, model: Record) -> uuid.UUID | None:
        """Store an edit and its outbox entry atomically; ``None`` when nothing changed."""
        rid, kind, community = str(model.id), model.KIND.value, model.community.value
        try:
            return self._save(model, rid, kind, community)
        except _Unchanged:
            return None

    def _save(self, model: Record, rid: str, kind: str, community: str) -> uuid.UUID:
        with self._write() as (cipher, conn):
            row, _base, previous = self._local_state(cipher, conn, rid)
            if row is not None and (row.kind != kind or row.community != community):
                raise RecordRefused(
                    rid, f"record {rid} is a {row.kind} of {row.community}, not a {kind} of "
                         f"{community}", "Запис не можна перенести в іншу громаду чи вид")
            clock = self._need_clock()
            if previous is not None:
                clock.receive(previous.max_clock)
            writes = edit_writes(model, previous, clock=clock.now().encode(), author=self._user)
            if not writes:
                raise _Unchanged  # roll back: not one byte written, not even the clock
            change = state_from_writes(rid, kind, community, writes)
            reason = check_change(previous, change)
            if reason is not None:
                raise RecordRefused(
                    rid, reason, "Запис не можна змінити: додайте новий, що посилається на нього")
            merged = change if previous is None else merge_records(previous, change)
            view_ct = cipher.seal_json(merged.values(),
                                       self._aad(cipher, "view", rid, kind, community))
            now_ms = _ms(self._now)
            if row is None:
                conn.execute(insert(R).values(id=rid, kind=kind, community=community,
                                              dirty=True, updated_ms=now_ms, view_ct=view_ct))
            else:
                conn.execute(update(R).where(R.c.id == rid).values(
                    dirty=True, updated_ms=now_ms, view_ct=view_ct))
            mutation_id = uuid.uuid4()
            conn.execute(insert(O).values(
                mutation_id=str(mutation_id), record_id=rid, kind=kind, community=community,
                created_ms=now_ms, payload_ct=cipher.seal_json(
                    writes_to_json(writes),
                    self._aad(cipher, f"outbox:{mutation_id}", rid, kind, community))))
        self._corrupt.pop(rid, None)
        cached = self._models.get(kind)
        if cached is not None:
            cached[rid] = _copy(model)
        return mutation_id

    def get(self, cls: type[M], record_id: uuid.UUID | str, *,
            include_deleted: bool = False) -> M | None:
        """The record of that kind and id, or ``None``; ``CorruptRecord`` if it was altered."""
        rid = str(record_id)
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                row = conn.execute(select(R.c.kind, R.c.community, R.c.view_ct)
                                   .where(R.c.id == rid)).first()
        if row is None or row.kind != cls.KIND.value:
            return None
        try:
            model = self._model(cls, rid, row.community,
                                self._open_view(cipher, row.view_ct, rid, row.kind, row.community))
        except CorruptRecord as exc:
            self._corrupt[rid] = exc
            log.warning("record %s failed authentication", rid)
            raise
        if model.deleted and not include_deleted:
            return None
        return model

    def all(self, cls: type[M], *, include_deleted: bool = False, **filters: Any) -> list[M]:
        """Every readable record of a kind, in the order first stored, matching filters.

        Filters are ``field=value`` equalities on model fields. Records that fail
        authentication are skipped and listed by ``corrupt_records()``. Returned models are
        copies: changing one changes nothing until it is saved.
        """
        unknown = set(filters) - set(cls.model_fields)
        if unknown:
            raise ValueError(f"unknown filter field(s) for {cls.KIND.value}: {sorted(unknown)}")
        wanted = {name: _comparable(value) for name, value in filters.items()}
        with self._mutex:
            models = self._load_kind(cls)
            return [_copy(m) for m in models
                    if (include_deleted or not m.deleted)
                    and all(_comparable(getattr(m, n)) == v for n, v in wanted.items())]

    def _load_kind(self, cls: type[M]) -> list[M]:
        """All authenticated models of a kind (from the memory cache once loaded)."""
        kind = cls.KIND.value
        cipher = self._need_cipher()
        cached = self._models.get(kind)
        if cached is None:
            with self._reader.connect() as conn:
                rows = conn.execute(select(R.c.id, R.c.community, R.c.view_ct)
                                    .where(R.c.kind == kind)
                                    .order_by(literal_column("rowid"))).all()
            cached = {}
            for rid, community, view_ct in rows:
                try:
                    values = self._open_view(cipher, view_ct, rid, kind, community)
                    cached[rid] = self._model(cls, rid, community, values)
                except CorruptRecord as exc:
                    self._corrupt[rid] = exc
                    log.warning("record %s failed authentication; skipped", rid)
            self._models[kind] = cached
        return cast(list[M], list(cached.values()))

    def search(self, cls: type[M], text: str, *, fields: Iterable[str] | None = None,
               include_deleted: bool = False) -> list[M]:
        """Records of a kind whose text fields contain ``text`` (case-insensitive)."""
        needle = text.casefold().strip()
        names = list(fields) if fields is not None else [
            n for n, f in cls.model_fields.items() if f.annotation is str]
        with self._mutex:
            return [_copy(m) for m in self._load_kind(cls)
                    if (include_deleted or not m.deleted)
                    and any(needle in str(getattr(m, n) or "").casefold() for n in names)]

    def delete(self, cls: type[Record], record_id: uuid.UUID | str) -> uuid.UUID | None:
        """Tombstone a record (a ``deleted=True`` write, synced like any edit)."""
        with self._mutex:
            model = self.get(cls, record_id, include_deleted=True)
            if model is None or model.deleted:
                return None
            return self.save(model.model_copy(update={"deleted": True}))

    def corrupt_records(self) -> list[CorruptRecord]:
        """Records found damaged since unlock (by ``get``/``all``/``verify``)."""
        with self._mutex:
            self._need_cipher()
            return list(self._corrupt.values())

    # ------------------------------------------------------------------ sync hooks

    @property
    def device_id(self) -> str:
        """This store's random device id (the clock's node id)."""
        self._need_cipher()
        return self._device_id

    @property
    def clock(self) -> HybridClock:
        """The device clock (``max_drift_ms=None``); persisted with every write."""
        return self._need_clock()

    def receive_clock(self, remote: str) -> HLC:
        """Merge a server clock into the device clock and persist it."""
        with self._write():
            return self._need_clock().receive(remote)

    @property
    def user(self) -> str:
        """User name written as the author of local edits ("" until ``set_user``)."""
        self._need_cipher()
        return self._user

    def set_user(self, name: str) -> None:
        """Set the author of local edits (kept sealed, like the token)."""
        self.set_secret(_USER, name.encode())
        self._user = name

    def pending_changes(self, limit: int | None = None) -> list[PendingChange]:
        """Outbox entries in the order they were made (``to_mutation()`` gives the wire form)."""
        with self._mutex:
            cipher = self._need_cipher()
            query = select(O).order_by(O.c.seq)
            if limit is not None:
                query = query.limit(limit)
            with self._reader.connect() as conn:
                rows = conn.execute(query).all()
        return [self._open_pending(cipher, r) for r in rows]

    def pending_count(self) -> int:
        """Number of changes not yet acknowledged by the server."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                return vault_db.count_pending(conn)

    def acknowledge(self, mutation_ids: Iterable[uuid.UUID | str]) -> int:
        """Drop acknowledged entries, folding their writes into the base state.

        Unknown ids are ignored (a repeated acknowledgement is harmless). Returns how many
        entries left the outbox. A record with no pending entry left is no longer dirty.
        """
        return self._settle(mutation_ids, keep_writes=True)

    def discard(self, mutation_ids: Iterable[uuid.UUID | str]) -> int:
        """Drop entries the server rejected, undoing their writes locally."""
        return self._settle(mutation_ids, keep_writes=False)

    def _settle(self, mutation_ids: Iterable[uuid.UUID | str], *, keep_writes: bool) -> int:
        ids = [str(m) for m in mutation_ids]
        if not ids:
            return 0
        with self._write() as (cipher, conn):
            rows = conn.execute(select(O).where(O.c.mutation_id.in_(ids))).all()
            by_record: dict[str, list[PendingChange]] = {}
            for r in rows:
                by_record.setdefault(r.record_id, []).append(self._open_pending(cipher, r))
            conn.execute(delete(O).where(O.c.mutation_id.in_(ids)))
            for rid, settled in by_record.items():
                row = conn.execute(select(R).where(R.c.id == rid)).first()
                if row is None:
                    continue
                base = (self._open_state(cipher, row.base_ct, rid, row.kind, row.community)
                        if row.base_ct is not None else None)
                if keep_writes:
                    parts = [s for s in (base, *(p.to_state() for p in settled)) if s]
                    base = merge_all(parts)
                rest = [p.to_state() for p in self._pending_for(cipher, conn, rid)]
                parts = [s for s in (base, *rest) if s is not None]
                if not parts:  # a rejected record the server never had
                    conn.execute(delete(R).where(R.c.id == rid))
                    continue
                values: dict[str, Any] = {"dirty": bool(rest), "view_ct": cipher.seal_json(
                    merge_all(parts).values(),
                    self._aad(cipher, "view", rid, row.kind, row.community))}
                if base is not None:
                    values["base_ct"] = cipher.seal_json(
                        state_to_json(base),
                        self._aad(cipher, "base", rid, row.kind, row.community))
                conn.execute(update(R).where(R.c.id == rid).values(**values))
        if not keep_writes:  # views changed: reload those kinds on the next listing
            for r in rows:
                self._models.pop(r.kind, None)
        log.info("settled %d outbox entries (kept=%s)", len(rows), keep_writes)
        return len(rows)

    def apply_pull(self, changes: Iterable[RecordChange], cursors: dict[Any, int]) -> int:
        """Merge a pulled page into the base states and store its cursors, atomically.

        Pending local writes stay in the outbox and keep winning over older server values.
        Raises ``RecordRefused`` (and stores nothing) if a change contradicts a local record's
        kind or community. Returns the number of records changed.
        """
        count = 0
        with self._write() as (cipher, conn):
            clock = self._need_clock()
            for ch in changes:
                incoming = ch.to_state()
                rid, kind, community = incoming.id, incoming.kind, incoming.community
                if incoming.fields:
                    clock.receive(incoming.max_clock)
                row = conn.execute(select(R).where(R.c.id == rid)).first()
                if row is not None and (row.kind != kind or row.community != community):
                    raise RecordRefused(rid, f"pulled {kind} {rid} of {community} contradicts "
                                             f"the local {row.kind} of {row.community}")
                base = incoming
                if row is not None and row.base_ct is not None:
                    base = merge_records(self._open_state(cipher, row.base_ct, rid, kind,
                                                          community), incoming)
                pending = [p.to_state() for p in self._pending_for(cipher, conn, rid)]
                values = {
                    "position": ch.position, "updated_ms": _ms(self._now),
                    "dirty": bool(pending),
                    "base_ct": cipher.seal_json(state_to_json(base),
                                                self._aad(cipher, "base", rid, kind, community)),
                    "view_ct": cipher.seal_json(merge_all([base, *pending]).values(),
                                                self._aad(cipher, "view", rid, kind, community)),
                }
                if row is None:
                    conn.execute(insert(R).values(id=rid, kind=kind, community=community,
                                                  **values))
                else:
                    conn.execute(update(R).where(R.c.id == rid).values(**values))
                self._corrupt.pop(rid, None)
                self._models.pop(kind, None)
                count += 1
            for key, position in cursors.items():
                code = str(getattr(key, "value", key))
                conn.execute(delete(C).where(C.c.community == code))
                conn.execute(insert(C).values(community=code, position=int(position)))
        log.info("applied %d pulled records", count)
        return count

    def cursors(self) -> dict[str, int]:
        """Pull cursor per community code."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                return dict(conn.execute(select(C.c.community, C.c.position)).all())

    def purge_communities(self, codes: Iterable[Any]) -> PurgeResult:
        """Delete every record, outbox entry and cursor of these communities."""
        names = [str(getattr(c, "value", c)) for c in codes]
        with self._write() as (_cipher, conn):
            dropped = conn.execute(select(func.count()).select_from(O)
                                   .where(O.c.community.in_(names))).scalar_one()
            conn.execute(delete(O).where(O.c.community.in_(names)))
            records = conn.execute(delete(R).where(R.c.community.in_(names))).rowcount
            conn.execute(delete(C).where(C.c.community.in_(names)))
        self._corrupt.clear()
        self._models.clear()
        log.info("purged %d communities: %d records, %d pending dropped",
                 len(names), records, dropped)
        return PurgeResult(int(records), int(dropped))

    # ------------------------------------------------------------------ secrets

    def set_secret(self, name: str, value: bytes) -> None:
        """Store a small secret (the server token) sealed with the data key."""
        with self._write() as (cipher, conn):
            blob = cipher.seal(value, self._aad(cipher, "secret", name, "secret", "-"))
            conn.execute(delete(S).where(S.c.name == name))
            conn.execute(insert(S).values(name=name, value_ct=blob))

    def get_secret(self, name: str) -> bytes | None:
        """A stored secret, or ``None``."""
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                blob = conn.execute(select(S.c.value_ct).where(S.c.name == name)).scalar()
        if blob is None:
            return None
        try:
            return cipher.open(blob, self._aad(cipher, "secret", name, "secret", "-"))
        except SealError as exc:
            raise CorruptRecord(name, "secret") from exc

    def delete_secret(self, name: str) -> None:
        """Forget a stored secret."""
        with self._write() as (_cipher, conn):
            conn.execute(delete(S).where(S.c.name == name))

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
                rows = conn.execute(select(R)).all()
                entries = conn.execute(select(O).order_by(O.c.seq)).all()
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


#: Validation errors that only say "later than this device's clock".
_CLOCK_ERRORS = {"time_in_future": datetime.fromisoformat, "date_in_future": date.fromisoformat}


def _validate_despite_clock(cls: type[M], data: dict[str, Any],
                            exc: ValidationError) -> M | None:
    """Validate stored values whose only fault is being "in the future" for this device.

    Stored values were valid where they were written (here or on the server); a phone whose
    clock is behind must still show a colleague's visit from "later today". Such fields are
    validated as "now", then get their real value back. ``None`` for any other error.
    """
    errors = exc.errors()
    if not all(e["type"] in _CLOCK_ERRORS and len(e["loc"]) == 1 for e in errors):
        return None
    real: dict[str, Any] = {}
    stand_in = dict(data)
    for e in errors:
        name = str(e["loc"][0])
        try:
            real[name] = _CLOCK_ERRORS[e["type"]](str(data[name]))
        except (KeyError, ValueError):
            return None
        now = datetime.now(UTC) - timedelta(minutes=1)
        stand_in[name] = now if e["type"] == "time_in_future" else now.date()
    try:
        model = cls.model_validate(stand_in)
    except ValidationError:
        return None
    model.__dict__.update(real)
    return model


def _copy(model: M) -> M:
    """A copy the caller may change without touching the cache (a deep copy is 20x slower)."""
    dup = model.model_copy()
    for name, value in dup.__dict__.items():
        if isinstance(value, list | dict | set):
            dup.__dict__[name] = copy.deepcopy(value)
    return dup


def _comparable(value: Any) -> Any:
    """Filter values compare as text for ids and enums, as themselves otherwise."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return getattr(value, "value", value)
