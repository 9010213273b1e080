"""The sync client's side of the store (`SyncApply`): outbox, acknowledgements, pulls, purges.

Pending local writes live in the outbox, pulled and acknowledged ones in the record's base
state; every view is their merge by the shared rule. So an acknowledgement only moves writes
from the outbox into the base, a pull only merges into the base, and neither can lose an
unsynced edit. Pulled pages and their cursors commit in one transaction.

Decision: ``purge_communities`` drops the purged communities' outbox entries with their
records. The server has withdrawn access and would refuse those pushes, and keeping personal
data the worker may no longer hold would defeat the purge. It returns how many pending changes
were dropped so the app can say so; the sync client pushes before it pulls, so normally none.
A rejected push is undone locally with ``discard``; an applied one leaves with ``acknowledge``.
A refused change the worker corrected is folded with its corrections into one entry
(``merge_pending``), so the server sees the whole record again, not a correction alone.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from field_app.store import unlock as vault_db
from field_app.store.clockfix import ClockFix
from field_app.store.codec import (
    PendingChange,
    WireEntry,
    base_json_of,
    json_bytes,
    pulled_to_json,
    state_from_json,
    state_to_json,
    wire_fields,
    writes_to_json,
)
from field_app.store.core import CURSORS, OUTBOX, RECORDS, SECRETS, UPD_ROW, USER_SLOT, now_ms
from field_app.store.crypto import Cipher, SealError
from field_app.store.errors import (
    CorruptRecord,
    RecordRefused,
)
from field_app.store.rescan import RescanHooks, store_cursors
from shared_models.clock import HLC, HybridClock
from shared_models.merge import FieldWrite, RecordState, merge_all, merge_records
from shared_models.protocol import RecordChange
from shared_models.pullwire import PulledRecord, pulled
from shared_models.records import Record

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Record)
#: Names of the sealed entries that hold the forms' drafts (``services.draft_store``).
DRAFT_SECRET_PREFIX = "draft."  # noqa: S105 (a name, not a secret)
_CHUNK = 500  # ids per IN (...) list: far below SQLite's limit on bound parameters
_INSERT_COLUMNS = ("id", "kind", "community", "position", "updated_ms", "dirty", "base_ct",
                   "view_ct")
_INSERT_SQL = (f"INSERT INTO {RECORDS.name} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 (our names)
               f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})")
_UPD_PULLED = UPD_ROW.values(
    position=bindparam("position"), updated_ms=bindparam("updated_ms"),
    dirty=bindparam("dirty"), base_ct=bindparam("base_ct"), view_ct=bindparam("view_ct"))
#: A pulled record this device already holds exactly (its own change coming back).
_UPD_ECHO = UPD_ROW.values(position=bindparam("position"), updated_ms=bindparam("updated_ms"))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


@dataclass(slots=True)
class _Page:
    """A pulled page sorted by ``SyncApply._sort_page``."""

    #: (record, dirty, base plaintext, view plaintext) of every record to write
    out: list[tuple[PulledRecord, bool, bytes, bytes]] = field(default_factory=list)
    #: records to merge with what is held: the record and its new base state
    merged: dict[str, tuple[PulledRecord, RecordState]] = field(default_factory=dict)
    #: held records coming back unchanged: only their position moves
    echoes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What ``purge_communities`` removed."""

    records: int
    pending_dropped: int


class SyncApply(RescanHooks, ClockFix):
    """Sync-client API of ``LocalStore`` (see the module docstring)."""

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
        with self._write() as (_cipher, conn):
            got = self._need_clock().receive(remote)
            self._note_seen(remote)
            self._save_seen(conn)
            return got

    @property
    def user(self) -> str:
        """User name written as the author of local edits ("" until ``set_user``)."""
        self._need_cipher()
        return self._user

    def set_user(self, name: str) -> None:
        """Set the author of local edits (kept sealed, like the token)."""
        self.set_secret(USER_SLOT, name.encode())
        self._user = name

    def pending_changes(self, limit: int | None = None) -> list[PendingChange]:
        """Outbox entries in the order they were made (``to_mutation()`` gives the wire form)."""
        with self._mutex:
            cipher = self._need_cipher()
            query = select(OUTBOX).order_by(OUTBOX.c.seq)
            if limit is not None:
                query = query.limit(limit)
            with self._reader.connect() as conn:
                rows = conn.execute(query).all()
        return [self._open_pending(cipher, r) for r in rows]

    def pending_wire(self, *, after: int = 0, limit: int | None = None,
                     skip_records: Collection[str] = (),
                     only_records: Collection[str] | None = None) -> list[WireEntry]:
        """Outbox entries after position ``after``, in order, in the push's wire form.

        Cheaper than ``pending_changes`` (no merge objects). ``skip_records``: records whose
        entries stay out (those waiting with a refused change); ``only_records``: only these
        records' entries (the urgent ones, pushed first); ``limit``: at most this many
        (one push batch).
        """
        query = select(OUTBOX).where(OUTBOX.c.seq > after).order_by(OUTBOX.c.seq)
        if skip_records:
            query = query.where(OUTBOX.c.record_id.notin_(list(skip_records)))
        if only_records is not None:
            query = query.where(OUTBOX.c.record_id.in_(list(only_records)))
        if limit is not None:
            query = query.limit(limit)
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                rows = conn.execute(query).all()
        out = []
        for r in rows:
            payload = self._open_payload(cipher, r)
            try:
                fields = wire_fields(payload)
            except (IndexError, TypeError, AttributeError) as exc:
                raise CorruptRecord(r.record_id, "outbox entry") from exc
            out.append(WireEntry(r.seq, r.mutation_id, r.record_id, r.kind, r.community,
                                 fields, r.payload_ct, payload))
        return out

    def unsynced_ids(self) -> set[str]:
        """Ids of records with changes not yet acknowledged ("saved on this phone" only)."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                return set(conn.execute(select(RECORDS.c.id).where(RECORDS.c.dirty)).scalars())

    def pending_count(self) -> int:
        """Number of changes not yet acknowledged by the server."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                return vault_db.count_pending(conn)

    def unsent_work(self) -> tuple[dict[str, int], int]:
        """What wiping now would lose: outbox entries per record kind, and open drafts.

        Read from columns in the clear (kind, the secret's name), so it works locked too:
        a revoked device reports these counts — never ids or content — before it wipes.
        """
        with self._mutex:
            self._check_open()
            with self._reader.connect() as conn:
                kinds = {str(k): int(n) for k, n in conn.execute(
                    select(OUTBOX.c.kind, func.count()).group_by(OUTBOX.c.kind))}
                drafts = int(conn.execute(select(func.count()).select_from(SECRETS).where(
                    SECRETS.c.name.startswith(DRAFT_SECRET_PREFIX, autoescape=True))).scalar_one())
        return kinds, drafts

    def local_state(self, record_id: uuid.UUID | str) -> RecordState | None:
        """The record's merge state on this device (pulled base and pending writes), or
        ``None``: per field the current write and the clocks it supersedes, e.g. to tell
        whether a conflict was already resolved here."""
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                return self._local_state(cipher, conn, str(record_id))[2]

    def merge_pending(self, record_id: uuid.UUID | str) -> uuid.UUID | None:
        """Fold every outbox entry of one record into one new entry; its mutation id.

        For a change the server refused and the worker then corrected: pushed alone, the
        correction would lack the rest of the record. Per field the latest write stays, and
        it supersedes everything the folded writes superseded (so no conflict is invented
        with the server's value). ``None`` when nothing is pending for the record.
        """
        rid = str(record_id)
        with self._write() as (cipher, conn):
            entries = self._pending_for(cipher, conn, rid)
            if not entries:
                return None
            if len(entries) == 1:
                return entries[0].mutation_id
            merged = merge_all([e.to_state() for e in entries])
            own = {w.clock for e in entries for w in e.writes.values()}
            writes = {
                name: FieldWrite(fs.current.value, fs.current.clock,
                                 tuple(sorted(fs.superseded - own)), fs.current.author)
                for name, fs in merged.fields.items()
            }
            first = entries[0]
            mutation_id = uuid.uuid4()
            conn.execute(delete(OUTBOX).where(OUTBOX.c.mutation_id.in_(
                [str(e.mutation_id) for e in entries])))
            conn.execute(insert(OUTBOX).values(
                mutation_id=str(mutation_id), record_id=rid, kind=first.kind,
                community=first.community, created_ms=now_ms(self._now),
                payload_ct=cipher.seal_json(writes_to_json(writes), self._aad(
                    cipher, f"outbox:{mutation_id}", rid, first.kind, first.community))))
        log.info("folded %d outbox entries of one record", len(entries))
        return mutation_id

    def acknowledge(self, mutation_ids: Iterable[uuid.UUID | str],
                    entries: Iterable[WireEntry] = ()) -> int:
        """Drop acknowledged entries, folding their writes into the base state.

        Unknown ids are ignored (a repeated acknowledgement is harmless). Returns how many
        entries left the outbox. A record with no pending entry left is no longer dirty.
        ``entries`` (from ``pending_wire``) spare decrypting again those still unchanged.
        """
        return self._settle(mutation_ids, keep_writes=True,
                            opened={e.mutation_id: e for e in entries})

    def discard(self, mutation_ids: Iterable[uuid.UUID | str]) -> int:
        """Drop entries the server rejected, undoing their writes locally."""
        return self._settle(mutation_ids, keep_writes=False)

    def _settle(self, mutation_ids: Iterable[uuid.UUID | str], *, keep_writes: bool,
                opened: dict[str, WireEntry] | None = None) -> int:
        # In bulk: a few queries for the whole batch (not two per record), one transaction.
        ids = list(dict.fromkeys(str(m) for m in mutation_ids))
        if not ids:
            return 0
        # An acknowledgement lost in a power cut is pushed again and answered the same (see
        # schema.RECOVERABLE); a discard is the worker's decision and waits for the disk.
        with self._write(recoverable=keep_writes) as (cipher, conn):
            rows = [r for chunk in _chunks(ids)
                    for r in conn.execute(select(OUTBOX).where(OUTBOX.c.mutation_id.in_(chunk)))]
            settled: dict[str, list[Any]] = {}
            for r in sorted(rows, key=lambda r: r.seq):
                settled.setdefault(r.record_id, []).append(r)
            for chunk in _chunks(ids):
                conn.execute(delete(OUTBOX).where(OUTBOX.c.mutation_id.in_(chunk)))
            records: dict[str, Any] = {}
            rest: dict[str, list[Any]] = {}
            for chunk in _chunks(list(settled)):
                records.update((r.id, r) for r in conn.execute(
                    select(RECORDS).where(RECORDS.c.id.in_(chunk))))
                for e in conn.execute(select(OUTBOX).where(OUTBOX.c.record_id.in_(chunk))
                                      .order_by(OUTBOX.c.seq)):
                    rest.setdefault(e.record_id, []).append(e)
            quick: list[dict[str, Any]] = []
            for rid, entries in settled.items():
                row = records.get(rid)
                if row is None:
                    continue
                if keep_writes and row.base_ct is None and len(entries) == 1:
                    # A record the server never had, created by this entry alone (a bulk
                    # push): its new base is that entry's writes, and the view — the merge of
                    # the same writes — does not change.
                    known = (opened or {}).get(entries[0].mutation_id)
                    payload = (known.payload if known is not None and known.opens(entries[0])
                               else self._open_payload(cipher, entries[0]))
                    try:
                        base = base_json_of(payload)
                    except (IndexError, TypeError, AttributeError) as exc:
                        raise CorruptRecord(rid, "outbox entry") from exc
                    quick.append({"rid": rid, "dirty": rid in rest, "base_ct": cipher.seal_json(
                        base, self._aad(cipher, "base", rid, row.kind, row.community))})
                    continue
                self._settle_one(cipher, conn, row, entries, rest.get(rid, []),
                                 keep_writes=keep_writes)
            if quick:
                conn.execute(UPD_ROW.values(dirty=bindparam("dirty"),
                                            base_ct=bindparam("base_ct")), quick)
        if not keep_writes:  # views changed: reload those kinds on the next listing
            for r in rows:
                self._models.pop(r.kind, None)
        log.info("settled %d outbox entries (kept=%s)", len(rows), keep_writes)
        return len(rows)

    def _settle_one(self, cipher: Any, conn: Any, row: Any, entries: list[Any],
                    rest_rows: list[Any], *, keep_writes: bool) -> None:
        """Fold (or undo) one record's settled entries; ``rest_rows`` stay pending."""
        rid = row.id
        settled = [self._open_pending(cipher, e) for e in entries]
        base = (self._open_state(cipher, row.base_ct, rid, row.kind, row.community)
                if row.base_ct is not None else None)
        if keep_writes:
            parts = [s for s in (base, *(p.to_state() for p in settled)) if s]
            base = merge_all(parts)
        rest = [self._open_pending(cipher, e).to_state() for e in rest_rows]
        parts = [s for s in (base, *rest) if s is not None]
        if not parts:  # a rejected record the server never had
            conn.execute(delete(RECORDS).where(RECORDS.c.id == rid))
            return
        values: dict[str, Any] = {"dirty": bool(rest), "view_ct": cipher.seal_json(
            merge_all(parts).values(), self._aad(cipher, "view", rid, row.kind, row.community))}
        if base is not None:
            values["base_ct"] = cipher.seal_json(
                state_to_json(base), self._aad(cipher, "base", rid, row.kind, row.community))
        conn.execute(update(RECORDS).where(RECORDS.c.id == rid).values(**values))

    def apply_pull(self, changes: Iterable[PulledRecord | RecordChange],
                   cursors: Mapping[Any, int], *, server_clock: str | None = None,
                   rescan: Collection[str] = (), served_role: str | None = None,
                   secrets: Mapping[str, bytes] | None = None) -> int:
        """Merge a pulled page into the base states and store its cursors, atomically.

        ``rescan``: communities to read again from the start (their conflict records and
        cursors go first, ``rescan.forget_for_rescan``); ``served_role``: the role the page
        was served as, kept for the next pull; ``secrets``: sealed entries to set with the
        page (the sync's last page: when it finished — one commit, not two). All in the
        page's transaction.

        Pending local writes stay in the outbox and keep winning over older server values.
        Raises ``RecordRefused`` (and stores nothing) if a change contradicts a local record's
        kind or community. The device clock receives ``server_clock`` and the page's highest
        clock in the same transaction. Returns the number of records whose values on this
        device changed: new ones, and held ones that now read differently. This device's own
        changes coming back in the feed are not counted (the sync screen's "received").

        Fast paths: a record this device does not hold, with no pending write and only once in
        the page, needs no merge — its wire form *is* its base state (``pulled_to_json``) and
        its values are its view; a held record with no pending write whose base state is
        exactly the pulled one (``_same_state``: its own change coming back) only moves to its new
        position. Every other record goes through the merge.
        """
        records = [pulled(c) for c in changes]
        stamp = now_ms(self._now)
        again = {str(getattr(c, "value", c)) for c in rescan}
        times = Counter(r.record_id for r in records)
        # The page and its cursor commit together; lost together in a power cut, the page is
        # pulled again (schema.RECOVERABLE).
        with self._write(recoverable=True) as (cipher, conn):
            forgotten = self._scope_notices(cipher, conn, again, served_role)
            self._receive_page_clocks(records, server_clock)
            rows, pending = self._held(cipher, conn, list(times))
            page = self._sort_page(cipher, records, times, rows, pending, stamp=stamp)
            news = self._merge_page(cipher, page, rows, pending)
            self._write_pulled(cipher, conn, page.out, rows, stamp)
            if page.echoes:
                conn.execute(_UPD_ECHO, page.echoes)
            self._save_seen(conn)
            store_cursors(conn, cursors, skip=again)
            for name, value in (secrets or {}).items():
                self._put_secret(cipher, conn, name, value)
        self._secrets.update(secrets or {})  # committed
        for rid in times:
            self._corrupt.pop(rid, None)
        for kind in {r.kind for r in records}:
            self._models.pop(kind, None)
        if again:
            log.info("rescan of %d communities: %d conflict records dropped", len(again),
                     forgotten)
        log.info("applied %d pulled records (%d merged, %d already held, %d changed here)",
                 len(times), len(page.merged), len(page.echoes), news)
        return news

    def _receive_page_clocks(self, records: list[PulledRecord], server_clock: str | None) -> None:
        """The device clock receives the server's clock and the page's highest one."""
        clock = self._need_clock()
        top = max((r.max_clock for r in records), default=None)
        for remote in filter(None, (server_clock, top)):
            clock.receive(remote)
            self._note_seen(remote)

    def _sort_page(self, cipher: Cipher, records: list[PulledRecord], times: Counter[str],
                   rows: dict[str, Any], pending: dict[str, list[RecordState]], *,
                   stamp: int) -> _Page:
        """Each pulled record down its path: new to the device (its wire form is its base and
        its values its view), an echo of what is held (only moves), or to be merged."""
        page = _Page()
        for rec in records:
            rid = rec.record_id
            row = rows.get(rid)
            if row is not None and (row.kind != rec.kind or row.community != rec.community):
                raise RecordRefused(rid, f"pulled {rec.kind} {rid} of {rec.community} "
                                         f"contradicts the local {row.kind} of {row.community}",
                                    "record_moved")
            if row is None and rid not in pending and times[rid] == 1:
                page.out.append((rec, False, pulled_to_json(rec),
                                 rec.raw_values or json_bytes(rec.values)))
                continue
            earlier = page.merged.get(rid)  # the same record twice in one page
            held_base = None if earlier else self._base_json(cipher, row, rec)
            if rid not in pending and times[rid] == 1 and _same_state(held_base, rec):
                page.echoes.append({"rid": rid, "position": rec.position, "updated_ms": stamp})
                continue
            page.merged[rid] = (rec, _pulled_base(rec, held_base,
                                                  earlier[1] if earlier else None))
        return page

    def _merge_page(self, cipher: Cipher, page: _Page, rows: dict[str, Any],
                    pending: dict[str, list[RecordState]]) -> int:
        """Merge the records to merge with their pending writes into ``page.out``; how many
        records now read differently on this device (the new ones included)."""
        news = len(page.out)   # so far only the fast path's records, new to the device
        for rec, base in page.merged.values():
            mine = pending.get(rec.record_id, [])
            view = json_bytes(merge_all([base, *mine]).values())
            page.out.append((rec, bool(mine), json_bytes(state_to_json(base)), view))
            held = rows.get(rec.record_id)
            if held is None or json.loads(view) != self._open_view(
                    cipher, held.view_ct, rec.record_id, rec.kind, rec.community):
                news += 1
        return news

    def _base_json(self, cipher: Cipher, row: Any, rec: PulledRecord) -> Any:
        """The held record's base state as sealed (JSON data), or ``None`` if it has none."""
        if row is None or row.base_ct is None:
            return None
        try:
            return cipher.open_json(row.base_ct, self._aad(cipher, "base", rec.record_id,
                                                           rec.kind, rec.community))
        except (SealError, ValueError) as exc:
            raise CorruptRecord(rec.record_id) from exc

    def _write_pulled(self, cipher: Cipher, conn: Connection,
                      out: list[tuple[PulledRecord, bool, bytes, bytes]], held: dict[str, Any],
                      stamp: int) -> None:
        """Seal and store pulled rows: inserted when new to the device, else updated."""
        sealed = cipher.seal_many([
            item for rec, _dirty, base, view in out for item in (
                (base, self._aad(cipher, "base", rec.record_id, rec.kind, rec.community)),
                (view, self._aad(cipher, "view", rec.record_id, rec.kind, rec.community)))])
        new: list[tuple[Any, ...]] = []
        old: list[dict[str, Any]] = []
        for i, (rec, dirty, _base, _view) in enumerate(out):
            base_ct, view_ct = sealed[2 * i], sealed[2 * i + 1]
            if rec.record_id in held:
                old.append({"rid": rec.record_id, "position": rec.position, "updated_ms": stamp,
                            "dirty": dirty, "base_ct": base_ct, "view_ct": view_ct})
            else:
                new.append((rec.record_id, rec.kind, rec.community, rec.position, stamp, dirty,
                            base_ct, view_ct))
        if new:
            # Straight to the driver: SQLAlchemy's per-row parameter handling cost about as
            # much as SQLite's own insert of a 1,000-record page.
            conn.exec_driver_sql(_INSERT_SQL, new)
        if old:
            conn.execute(_UPD_PULLED, old)

    def _held(self, cipher: Cipher, conn: Connection, ids: list[str]
              ) -> tuple[dict[str, Any], dict[str, list[RecordState]]]:
        """Local rows of ``ids`` and their pending writes (one query each per 500 ids, sent
        to the driver as they are: building a 500-value ``IN`` list through SQLAlchemy cost
        more than running it)."""
        rows: dict[str, Any] = {}
        pending: dict[str, list[RecordState]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows.update((r.id, r) for r in conn.exec_driver_sql(
                f"SELECT id, kind, community, base_ct, view_ct FROM {RECORDS.name} "  # noqa: S608
                f"WHERE id IN ({marks})", tuple(chunk)))
            for e in conn.exec_driver_sql(
                    f"SELECT {', '.join(OUTBOX.c.keys())} FROM {OUTBOX.name} "  # noqa: S608 (our names)
                    f"WHERE record_id IN ({marks}) ORDER BY seq", tuple(chunk)):
                pending.setdefault(e.record_id, []).append(
                    self._open_pending(cipher, e).to_state())
        return rows, pending

    def cursors(self) -> dict[str, int]:
        """Pull cursor per community code."""
        with self._mutex:
            self._need_cipher()
            with self._reader.connect() as conn:
                return dict(conn.execute(select(CURSORS.c.community, CURSORS.c.position)).all())

    def purge_communities(self, codes: Iterable[Any]) -> PurgeResult:
        """Delete every record, outbox entry and cursor of these communities."""
        names = [str(getattr(c, "value", c)) for c in codes]
        with self._write() as (_cipher, conn):
            dropped = conn.execute(select(func.count()).select_from(OUTBOX)
                                   .where(OUTBOX.c.community.in_(names))).scalar_one()
            conn.execute(delete(OUTBOX).where(OUTBOX.c.community.in_(names)))
            records = conn.execute(delete(RECORDS).where(RECORDS.c.community.in_(names))).rowcount
            conn.execute(delete(CURSORS).where(CURSORS.c.community.in_(names)))
        self._corrupt.clear()
        self._models.clear()
        self._indexes.clear()
        log.info("purged %d communities: %d records, %d pending dropped",
                 len(names), records, dropped)
        return PurgeResult(int(records), int(dropped))


def _same_state(base: Any, rec: PulledRecord) -> bool:
    """True when a held base state (its sealed JSON) is exactly ``rec``: this device's own
    change coming back after its push was acknowledged, so merging would change nothing.

    Compared in the compact form both take when no write supersedes another (a new record,
    a pulled one): a comparison instead of a merge and two encryptions (a bulk push of 10,000
    records pulled them all back at about 0.5 ms each).
    """
    return (isinstance(base, dict) and base.get("clock") == rec.clock
            and base.get("author") == rec.author and base.get("values") == rec.values
            and (base.get("clocks") or {}) == rec.clocks
            and (base.get("authors") or {}) == rec.authors)


def _pulled_base(rec: PulledRecord, held: Any, earlier: RecordState | None) -> RecordState:
    """The base state after merging ``rec`` into what was pulled earlier in the page, or
    into the held base (``held``: its sealed JSON, opened once for both uses)."""
    incoming = rec.to_state()
    if earlier is not None:
        return merge_records(earlier, incoming)
    if held is None:
        return incoming
    try:
        base = state_from_json(rec.record_id, rec.kind, rec.community, held)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptRecord(rec.record_id) from exc
    return merge_records(base, incoming)
