"""What a push transaction accumulates, and how it is written: records, typed rows, history.

``Batch`` holds the states a push reads and writes. A record created by one mutation of the
batch (most of a bulk push) stays a ``Fresh`` record — its wire writes as sent — unless a
later mutation of the same batch needs it as a merge state: its stored JSON state, history
rows and typed row are built straight from the writes, never through merge objects.
``write_batch`` then writes everything with one bulk statement per table (``upsert``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, select

from shared_models.clock import HybridClock
from shared_models.enums import RecordKind
from shared_models.merge import DELETED, FieldWrite, RecordState, state_from_writes
from shared_models.records import Record
from sync_server.audit import AuditEvent
from sync_server.feed import RECORDS, take_positions
from sync_server.permissions import Principal
from sync_server.statejson import state_from_json, state_to_json
from sync_server.tables import KIND_TABLES, AppliedMutation, HistoryEntry
from sync_server.upsert import bulk_insert, upsert
from sync_server.wire import WireWriteDict

APPLIED = AppliedMutation.__table__  # type: ignore[attr-defined]
HISTORY = HistoryEntry.__table__  # type: ignore[attr-defined]
HISTORY_COLUMNS = ("record_id", "kind", "community", "field", "value", "clock", "author",
                   "supersedes", "previous_value", "previous_clock", "mutation_id",
                   "recorded_at")
APPLIED_COLUMNS = ("mutation_id", "device_id", "record_id", "payload_hash", "status", "code",
                   "reason", "applied_at")
RECORD_COLUMNS = ("id", "kind", "community", "position", "deleted", "state", "updated_at")
_JSON_COLUMNS = {
    kind: frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))
    for kind, table in KIND_TABLES.items()
}


def kind_row(model: Record, now: datetime) -> dict[str, Any]:
    """The typed-table row of a validated model (JSON columns in their JSON form)."""
    python = model.model_dump()
    as_json = model.model_dump(mode="json", include=set(_JSON_COLUMNS[model.KIND]))
    row = {k: as_json.get(k, v) for k, v in python.items()}
    row["id"] = model.id
    row["community"] = model.community.value
    row["updated_at"] = now
    return row


@dataclass(frozen=True, slots=True)
class Fresh:
    """A record created by one mutation of this batch, kept as the writes it was sent with."""

    kind: str
    community: str
    writes: dict[str, WireWriteDict]
    author: str

    def state(self, record_id: str) -> RecordState:
        """The merge state these writes make (what the merge itself would have built)."""
        return state_from_writes(record_id, self.kind, self.community, {
            name: FieldWrite(w.get("value"), w["clock"], tuple(w.get("supersedes", ())),
                             self.author)
            for name, w in self.writes.items()})

    def state_json(self) -> dict[str, Any]:
        """``statejson.state_to_json`` of ``state()``, built without the merge objects."""
        fields: dict[str, Any] = {}
        for name, w in self.writes.items():
            sup = w.get("supersedes") or []
            entry: dict[str, Any] = {"c": [w.get("value"), w["clock"], list(sup), self.author]}
            if sup:
                entry["s"] = sorted(set(sup))
            fields[name] = entry
        return {"f": fields}

    @property
    def deleted(self) -> bool:
        """True when the record was created as a tombstone."""
        w = self.writes.get(DELETED)
        return w is not None and w.get("value") is True


@dataclass
class Batch:
    """What one push transaction accumulates before writing it."""

    conn: Connection
    principal: Principal
    clock: HybridClock
    now: datetime
    states: dict[str, RecordState] = field(default_factory=dict)
    fresh: dict[str, Fresh] = field(default_factory=dict)
    changed: dict[str, Record] = field(default_factory=dict)     # record id -> validated model
    history: list[list[Any]] = field(default_factory=list)       # rows of HISTORY_COLUMNS
    applied: list[list[Any]] = field(default_factory=list)       # rows of APPLIED_COLUMNS
    audit: list[AuditEvent] = field(default_factory=list)
    loaded: set[str] = field(default_factory=set)

    def load(self, ids: list[str]) -> None:
        """Read the stored states of ``ids`` not read yet (one query)."""
        missing = [i for i in ids if i not in self.loaded]
        if not missing:
            return
        self.loaded.update(missing)
        rows = self.conn.execute(
            select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.community, RECORDS.c.state)
            .where(RECORDS.c.id.in_([uuid.UUID(i) for i in missing]))
        ).all()
        for rid, kind, community, state in rows:
            self.states[str(rid)] = state_from_json(str(rid), kind, community, state)

    def exists(self, rid: str) -> bool:
        """True when the record is stored or was written earlier in this batch."""
        return rid in self.states or rid in self.fresh

    def state(self, rid: str) -> RecordState | None:
        """The record's current state in this batch (a fresh record becomes a merge state)."""
        state = self.states.get(rid)
        if state is None and rid in self.fresh:
            state = self.states[rid] = self.fresh.pop(rid).state(rid)
        return state

    def server_clock_after(self, clocks: list[str]) -> str:
        """A server clock above every clock in ``clocks``."""
        top = max(clocks, default=None)
        return (self.clock.receive(top) if top else self.clock.now()).encode()


def write_batch(batch: Batch) -> None:
    """Write the batch's records at new feed positions, typed rows, history, applied ids."""
    conn, now = batch.conn, batch.now
    by_community: dict[str, list[str]] = {}
    for rid, model in batch.changed.items():
        by_community.setdefault(model.community.value, []).append(rid)
    record_rows: list[tuple[Any, ...]] = []
    kind_rows: dict[RecordKind, list[dict[str, Any]]] = {}
    for community, ids in sorted(by_community.items()):
        for rid, position in zip(ids, take_positions(conn, community, len(ids)), strict=True):
            model = batch.changed[rid]
            fresh = batch.fresh.get(rid)
            if fresh is not None:
                state_json, deleted = fresh.state_json(), fresh.deleted
            else:
                state = batch.states[rid]
                state_json, deleted = state_to_json(state), state.deleted
            record_rows.append((model.id, model.KIND.value, community, position, deleted,
                                state_json, now))
            kind_rows.setdefault(model.KIND, []).append(kind_row(model, now))
    upsert(conn, RECORDS, record_rows, RECORD_COLUMNS)
    for kind, rows in kind_rows.items():
        upsert(conn, KIND_TABLES[kind], rows)
    bulk_insert(conn, HISTORY, batch.history, HISTORY_COLUMNS)
    bulk_insert(conn, APPLIED, batch.applied, APPLIED_COLUMNS)
