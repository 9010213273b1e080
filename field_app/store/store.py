"""``LocalStore``: the device's encrypted record store, outbox and sync-apply part.

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
* ``purge_communities`` also drops outbox entries (see ``sync``).
* ``all()``/``search()`` serve from a memory cache of decrypted models, built by the first
  listing of a kind after unlock and kept in step by the store's own writes; a change made to
  the file behind the store's back shows (or is detected) after the next unlock.
* Stored values "in the future" for this phone's clock still show (``views``).
* Notes and reviews are append-only: ``save`` of a changed one and ``delete`` of one raise
  ``RecordRefused``.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, insert, literal_column, select

from field_app.store import unlock as vault_db
from field_app.store.clocks import RecordClocks
from field_app.store.codec import (
    writes_to_json,
)
from field_app.store.core import INS_ROW, META, OUTBOX, RECORDS, UPD_ROW, USER_SLOT, now_ms
from field_app.store.crypto import Cipher, new_data_key
from field_app.store.editing import Snapshot, writes_since
from field_app.store.errors import (
    CorruptRecord,
    RecordRefused,
    StoreExists,
    StoreNotFound,
    StoreWiped,
)
from field_app.store.files import fsync_dir, wipe_files
from field_app.store.migrations import migrate
from field_app.store.pin_policy import check_pin, policy_error
from field_app.store.schema import (
    SCHEMA_VERSION,
    LocalVault,
    create_tables,
    make_engine,
    table_of,
)
from field_app.store.sync import SyncApply
from field_app.store.vault import (
    KdfParams,
    LockoutPolicy,
    derive_kek,
    new_salt,
    wrap_key,
)
from field_app.store.views import comparable, copy_model
from shared_models.changes import edit_writes
from shared_models.clock import HLC
from shared_models.merge import (
    FieldWrite,
    RecordState,
    check_change,
    merge_records,
    state_from_writes,
)
from shared_models.records import Assessment, Case, Conflict, Record, Visit, model_class

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Record)


_UPD_VIEW = UPD_ROW.values(dirty=True, updated_ms=bindparam("updated_ms"),
                           view_ct=bindparam("view_ct"))
_INS_OUTBOX = insert(OUTBOX)


class _Unchanged(Exception):  # control flow only: never leaves this module
    """A save found nothing to write."""


class LocalStore(SyncApply, RecordClocks):
    """The encrypted store. Build it with ``create`` or ``open``; thread-safe.

    Lifecycle: ``create(path, pin)``, ``open(path, pin)``, ``unlock(pin)``, ``lock()``,
    ``close()``, ``change_pin(old, new)``, ``upgrade_kdf(pin, kdf)``, ``wipe()``,
    ``destroy(path)``.
    Records: ``save(model, since=None)``, ``snapshot(cls, id)``, ``get(cls, id)``,
    ``all(cls, **filters)``, ``search(cls, text)``, ``preload(*classes)``, ``delete(cls, id)``,
    ``resolve_conflict(conflict, value)``, ``corrupt_records()``, ``last_changed(ids)``
    (``clocks``).
    Sync side (``sync.SyncApply``): ``pending_changes()``, ``acknowledge(ids)``,
    ``discard(ids)``, ``apply_pull(changes, cursors)``, ``cursors()``,
    ``purge_communities(codes)``, ``unsynced_ids()``, ``clock``, ``receive_clock()``,
    ``user``/``set_user()``, ``set_secret()``/``get_secret()``.
    Checks (``core.StoreCore``): ``verify()``, ``integrity_check()``, ``checkpoint()``.
    """

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
                    policy=policy.to_json(), created_ms=now_ms(now)))
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
        self._clock = self._load_clock(meta)
        user = self.get_secret(USER_SLOT)
        self._user = user.decode() if user else ""
        if int(meta.get("schema_version", "1")) < SCHEMA_VERSION:
            migrate(self, SCHEMA_VERSION)   # needs the key: records change meaning

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
            self._indexes.clear()
            self._secrets.clear()

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
                        vault_db.destroy_key(conn, now_ms(self._now))
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

    def upgrade_kdf(self, pin: str, kdf: KdfParams) -> None:
        """Re-wrap the data key under the same PIN with new Argon2id parameters.

        The parameters live beside the wrapped key, so a later release can raise them for
        stores created with weaker ones (call after a successful unlock, with that PIN).
        """
        with self._mutex:
            self._need_cipher()
            key, key_id = vault_db.attempt(self._engine, pin,
                                           device_secret=self._device_secret, now=self._now)
            try:
                vault_db.rewrap(self._engine, key, key_id, pin, kdf=kdf,
                                device_secret=self._device_secret)
            finally:
                key[:] = bytes(len(key))
            log.info("key re-wrapped with new KDF parameters")

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

    # ------------------------------------------------------------------ records

    def save(self, model: Record, *, since: Snapshot[Any] | None = None) -> uuid.UUID | None:
        """Store an edit and its outbox entry atomically; ``None`` when nothing changed.

        Without ``since`` every field that differs from the stored record is written. With
        the ``snapshot`` an edit form loaded, only the fields changed since then are, each
        superseding the value that was on screen (``editing``): a colleague's concurrent
        change becomes a conflict, not a silent overwrite.
        """
        rid, kind, community = str(model.id), model.KIND.value, model.community.value

        def writes(previous: RecordState | None, stamp: str) -> dict[str, FieldWrite]:
            if since is not None:
                return writes_since(model, since, previous, clock=stamp, author=self._user)
            return edit_writes(model, previous, clock=stamp, author=self._user)

        seen = tuple(since.clocks.values()) if since is not None else ()
        try:
            mutation_id = self._edit(rid, kind, community, writes, seen=seen)
        except _Unchanged:
            return None
        cached = self._models.get(kind)
        if cached is not None:
            self._kind_edits[kind] = self._kind_edits.get(kind, 0) + 1
            if since is None:
                cached[rid] = copy_model(model)
            else:
                # The stored view mixes others' fields in: read this one record back
                # (dropping the whole kind would decrypt thousands again on the next list).
                fresh = self.get(type(model), rid, include_deleted=True)
                if fresh is None:
                    cached.pop(rid, None)
                else:
                    cached[rid] = fresh
        return mutation_id

    def snapshot(self, cls: type[M], record_id: uuid.UUID | str) -> Snapshot[M] | None:
        """The record and the clock of each field, read together, for an edit form.

        ``None`` when there is no such record of that kind or it is deleted;
        ``CorruptRecord`` if it was altered.
        """
        rid = str(record_id)
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                row, _base, state = self._local_state(cipher, conn, rid)
        if row is None or state is None or row.kind != cls.KIND.value:
            return None
        model = self._model(cls, rid, row.community, state.values())
        if model.deleted:
            return None
        return Snapshot(model, state.clocks())

    def resolve_conflict(self, conflict: Conflict, value: Any) -> uuid.UUID:
        """Write the value a person chose for a conflicted field, superseding both sides.

        The write names the winner's and the loser's clocks (and the value now shown), so the
        merge rule closes the conflict on every replica. ``value`` is validated as the field
        of its model (pydantic's ``ValidationError`` if it is not valid there).
        """
        rid, kind = str(conflict.record_id), conflict.record_kind.value
        community, name = conflict.community.value, conflict.field
        cls = model_class(kind)

        def writes(previous: RecordState | None, stamp: str) -> dict[str, FieldWrite]:
            if previous is None:
                raise RecordRefused(rid, f"{kind} {rid} is not on this device", "record_gone")
            checked = cls.model_validate({**previous.values(), name: value, "id": rid,
                                          "community": community})
            old = previous.fields.get(name)
            seen = {conflict.winner_clock, conflict.loser_clock} | ({old.clock} if old else set())
            return {name: FieldWrite(checked.model_dump(mode="json")[name], stamp,
                                     tuple(sorted(seen)), self._user)}

        mutation_id = self._edit(rid, kind, community, writes,
                                 seen=(conflict.winner_clock, conflict.loser_clock))
        self._models.pop(kind, None)
        return mutation_id

    def _edit(self, rid: str, kind: str, community: str,
              make_writes: Callable[[RecordState | None, str], dict[str, FieldWrite]],
              seen: tuple[str, ...] = ()) -> uuid.UUID:
        """Stamp, check and store one edit: new view + outbox entry in one transaction."""
        with self._write() as (cipher, conn):
            row, _base, previous = self._local_state(cipher, conn, rid)
            if row is not None and (row.kind != kind or row.community != community):
                raise RecordRefused(
                    rid, f"record {rid} is a {row.kind} of {row.community}, not a {kind} of "
                         f"{community}", "record_moved")
            clock = self._need_clock()
            # The stamp must exceed every clock the edit supersedes, whatever the wall says.
            for text in (*seen, *((previous.max_clock,) if previous is not None else ())):
                clock.receive(text)
            writes = make_writes(previous, clock.now().encode())
            if not writes:
                raise _Unchanged  # roll back: not one byte written, not even the clock
            change = state_from_writes(rid, kind, community, writes)
            reason = check_change(previous, change)
            if reason is not None:
                raise RecordRefused(rid, reason, "record_immutable")
            merged = change if previous is None else merge_records(previous, change)
            view_ct = cipher.seal_json(merged.values(),
                                       self._aad(cipher, "view", rid, kind, community))
            stamp_ms = now_ms(self._now)
            if row is None:
                conn.execute(INS_ROW, {"id": rid, "kind": kind, "community": community,
                                       "dirty": True, "updated_ms": stamp_ms, "view_ct": view_ct})
            else:
                conn.execute(_UPD_VIEW, {"rid": rid, "updated_ms": stamp_ms, "view_ct": view_ct})
            mutation_id = uuid.uuid4()
            conn.execute(_INS_OUTBOX, {
                "mutation_id": str(mutation_id), "record_id": rid, "kind": kind,
                "community": community, "created_ms": stamp_ms, "payload_ct": cipher.seal_json(
                    writes_to_json(writes),
                    self._aad(cipher, f"outbox:{mutation_id}", rid, kind, community))})
        self._corrupt.pop(rid, None)
        return mutation_id

    def get(self, cls: type[M], record_id: uuid.UUID | str, *,
            include_deleted: bool = False) -> M | None:
        """The record of that kind and id, or ``None``; ``CorruptRecord`` if it was altered."""
        rid = str(record_id)
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                row = conn.execute(select(RECORDS.c.kind, RECORDS.c.community, RECORDS.c.view_ct)
                                   .where(RECORDS.c.id == rid)).first()
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
        wanted = {name: comparable(value) for name, value in filters.items()}
        with self._mutex:
            if len(wanted) == 1 and next(iter(wanted)) in INDEXED_FIELDS:
                [(name, value)] = wanted.items()
                return [copy_model(m) for m in self._indexed(cls, name, value)
                        if include_deleted or not m.deleted]
            models = self._load_kind(cls)
            return [copy_model(m) for m in models
                    if (include_deleted or not m.deleted)
                    and all(comparable(getattr(m, n)) == v for n, v in wanted.items())]

    def _indexed(self, cls: type[M], name: str, value: Any) -> list[M]:
        """The cached models of a kind whose field ``name`` is ``value`` (comparable form),
        in the order first stored, through an index built on first use and rebuilt when the
        kind's cache was reloaded or edited since."""
        kind = cls.KIND.value
        self._load_kind(cls)
        cached = self._models[kind]
        edits = self._kind_edits.get(kind, 0)
        entry = self._indexes.get((kind, name))
        if entry is None or entry[0] is not cached or entry[1] != edits:
            index: dict[Any, list[str]] = {}
            for rid, m in cached.items():
                index.setdefault(comparable(getattr(m, name)), []).append(rid)
            entry = (cached, edits, index)
            self._indexes[(kind, name)] = entry
        return cast(list[M], [cached[rid] for rid in entry[2].get(value, ())])

    def _load_kind(self, cls: type[M]) -> list[M]:
        """All authenticated models of a kind (from the memory cache once loaded)."""
        kind = cls.KIND.value
        cipher = self._need_cipher()
        cached = self._models.get(kind)
        if cached is None:
            with self._reader.connect() as conn:
                rows = conn.execute(select(RECORDS.c.id, RECORDS.c.community, RECORDS.c.view_ct)
                                    .where(RECORDS.c.kind == kind)
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

    def preload(self, *classes: type[Record]) -> None:
        """Decrypt and validate every record of these kinds into the memory cache now.

        The first listing after unlock pays this (about 0.3 s for 5,000 families here); the
        app can call it on a worker thread right after unlock so the first search is instant.
        """
        with self._mutex:
            for cls in classes:
                self._load_kind(cls)

    def search(self, cls: type[M], text: str, *, fields: Iterable[str] | None = None,
               include_deleted: bool = False) -> list[M]:
        """Records of a kind whose text fields contain ``text`` (case-insensitive)."""
        needle = text.casefold().strip()
        names = list(fields) if fields is not None else [
            n for n, f in cls.model_fields.items() if f.annotation is str]
        with self._mutex:
            return [copy_model(m) for m in self._load_kind(cls)
                    if (include_deleted or not m.deleted)
                    and any(needle in str(getattr(m, n) or "").casefold() for n in names)]

    def delete(self, cls: type[Record], record_id: uuid.UUID | str) -> uuid.UUID | None:
        """Tombstone a record (a ``deleted=True`` write, synced like any edit)."""
        with self._mutex:
            model = self.get(cls, record_id, include_deleted=True)
            if model is None or model.deleted:
                return None
            return self.save(model.model_copy(update={"deleted": True}))

    def urgent_records(self) -> list[str]:
        """Ids of the records to push before anything else: those with unsent changes that
        record a threat to a child's life or health (a visit's ``threat_to_life``, an
        assessment's threat anywhere in the act), and the unsent records they name (the
        family, the case, the people present, the plan's tasks), so the server can accept
        them without what comes earlier in the outbox. In outbox order."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                rows = conn.execute(select(OUTBOX.c.record_id, OUTBOX.c.kind)
                                    .order_by(OUTBOX.c.seq)).all()
        pending: dict[str, str] = {}
        for rid, kind in rows:
            pending.setdefault(rid, kind)
        urgent: set[str] = set()
        for v in self._pending_models(Visit, pending):
            if v.threat_to_life:
                urgent.add(str(v.id))
        for a in self._pending_models(Assessment, pending):
            if a.threat:
                urgent.add(str(a.id))
        # A family's unsent cases go together: a new case may need the closure of the one
        # before it to reach the server first (one open case per family).
        cases: dict[str, list[str]] = {}
        for c in self._pending_models(Case, pending):
            cases.setdefault(str(c.family_id), []).append(str(c.id))
        todo = list(urgent)
        while todo:        # what the urgent records name, and what those name, if unsent
            rid = todo.pop()
            model = self.get(model_class(pending[rid]), rid, include_deleted=True)
            refs = _references(model) if model is not None else []
            if isinstance(model, Case):
                refs += cases.get(str(model.family_id), [])
            for ref in refs:
                if ref in pending and ref not in urgent:
                    urgent.add(ref)
                    todo.append(ref)
        return [rid for rid in pending if rid in urgent]

    def _pending_models(self, cls: type[M], pending: dict[str, str]) -> list[M]:
        """The models of ``cls`` among the ``pending`` records: from the lists' cache when it
        is loaded (or worth loading: many of them), else read one by one."""
        ids = [rid for rid, kind in pending.items() if kind == cls.KIND.value]
        if not ids:
            return []
        with self._mutex:
            if cls.KIND.value in self._models or len(ids) > _LOAD_KIND_FROM:
                cached = {str(m.id): m for m in self._load_kind(cls)}
                return [cached[rid] for rid in ids if rid in cached]
        return [m for rid in ids if (m := self.get(cls, rid, include_deleted=True)) is not None]

    def corrupt_records(self) -> list[CorruptRecord]:
        """Records found damaged since unlock (by ``get``/``all``/``verify``)."""
        with self._mutex:
            self._need_cipher()
            return list(self._corrupt.values())


#: Fields ``all`` answers from an index when it is the only filter: the references the
#: screens follow (a family's members, visits, cases...; a case's tasks; a record's reviews).
INDEXED_FIELDS = frozenset({"family_id", "case_id", "target_id", "record_id"})
#: From this many unsent records of a kind on, ``urgent_records`` decrypts the whole kind
#: into the lists' cache (which the next list uses) rather than one record at a time.
_LOAD_KIND_FROM = 200
#: Fields that name other records, of the kinds that can be urgent or be named by one.
_REFERENCE_FIELDS = ("family_id", "case_id", "present", "participants", "plan_tasks")


def _references(model: Record) -> list[str]:
    """Ids of the records ``model`` names (``urgent_records``)."""
    out: list[str] = []
    for name in _REFERENCE_FIELDS:
        value = getattr(model, name, None)
        if isinstance(value, list):
            out += [str(v) for v in value]
        elif value is not None:
            out.append(str(value))
    if isinstance(model, Assessment):
        out += [str(c.person_id) for c in model.children]
    return out
