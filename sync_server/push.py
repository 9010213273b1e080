"""Push: apply a device's batch of mutations with the shared merge rule, in one transaction.

Per mutation, in order: repeated id in the batch (``duplicate``); stored answer for an id seen
before (idempotent replay answers the same; a different change under a used id is rejected);
role and community (``forbidden``, audited, never written); field names, author fields and
clock drift (``clock_ahead``: the device re-stamps); ``check_change`` (no community move, no
edit of notes and reviews); the merge (``apply_change``); validation of the merged record
(``validation_error`` with readable messages). Accepted mutations write the record at a new
feed position, its typed row, one history row per new write, conflict records for conflicts
they opened (status ``conflict``) and the ``resolved`` mark on conflicts they closed.
Rejections never fail the batch; a database error fails it as a whole (nothing written; the
client retries, and retries are idempotent).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select

from shared_models.changes import model_from_state
from shared_models.clock import WALL_DIGITS, ClockDriftError, HybridClock, wall_clock_ms
from shared_models.enums import ConflictStatus, RecordKind
from shared_models.merge import (
    FieldWrite,
    MergeOutcome,
    RecordState,
    apply_change,
    check_change,
    state_from_writes,
)
from shared_models.messages import field_errors
from shared_models.protocol import (
    ErrorCode,
    Mutation,
    MutationResult,
    MutationStatus,
    PushRequest,
    PushResponse,
)
from shared_models.records import Record, field_names
from sync_server.audit import AuditEvent, write_events
from sync_server.db import write_tx
from sync_server.errors import ApiError
from sync_server.feed import RECORDS, lock_communities, take_positions
from sync_server.permissions import AUTHOR_FIELDS, Principal
from sync_server.references import PLACEMENT_REFERENCES, placement_problem
from sync_server.statejson import feed_columns, state_from_json, state_to_json
from sync_server.tables import KIND_TABLES, AppliedMutation, HistoryEntry
from sync_server.upsert import bulk_insert, upsert

APPLIED = AppliedMutation.__table__  # type: ignore[attr-defined]
HISTORY = HistoryEntry.__table__  # type: ignore[attr-defined]
#: uuid5 namespace of conflict record ids: the same conflict gets the same id on any instance.
CONFLICT_NAMESPACE = uuid.UUID("5b0d3a52-6c1e-4c57-9a43-0e6f4c1d9b21")
_JSON_COLUMNS = {
    kind: frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))
    for kind, table in KIND_TABLES.items()
}


def conflict_id(record_id: str, field_name: str, loser_clock: str) -> str:
    """Deterministic id of the conflict record for one losing write."""
    return str(uuid.uuid5(CONFLICT_NAMESPACE, f"{record_id}/{field_name}/{loser_clock}"))


#: ``merge.canonical``'s encoding, built once (a new encoder per call showed in profiles).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def payload_hash(mutation: Mutation) -> str:
    """Fingerprint of a mutation's content, to tell a replay from a reused id."""
    body = mutation.model_dump(mode="json")
    return hashlib.sha256(_CANONICAL.encode(body).encode()).hexdigest()


def _result(m: Mutation, status: MutationStatus, code: ErrorCode | None = None,
            reason: str | None = None) -> MutationResult:
    return MutationResult(mutation_id=m.mutation_id, status=status, code=code, reason=reason)


def kind_row(model: Record, now: datetime) -> dict[str, Any]:
    """The typed-table row of a validated model (JSON columns in their JSON form)."""
    python = model.model_dump()
    as_json = model.model_dump(mode="json", include=set(_JSON_COLUMNS[model.KIND]))
    row = {k: as_json.get(k, v) for k, v in python.items()}
    row["id"] = model.id
    row["community"] = model.community.value
    row["updated_at"] = now
    return row


@dataclass
class _Batch:
    """What one push transaction accumulates before writing it."""

    conn: Connection
    principal: Principal
    clock: HybridClock
    now: datetime
    states: dict[str, RecordState] = field(default_factory=dict)
    changed: dict[str, Record] = field(default_factory=dict)     # record id -> validated model
    history: list[dict[str, Any]] = field(default_factory=list)
    applied: list[dict[str, Any]] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    loaded: set[str] = field(default_factory=set)

    def load(self, ids: list[str]) -> None:
        """Read the stored states of ``ids`` not read yet."""
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

    def server_clock_after(self, clocks: list[str]) -> str:
        """A server clock above every clock in ``clocks``."""
        top = max(clocks, default=None)
        return (self.clock.receive(top) if top else self.clock.now()).encode()


@cache
def _field_names(kind: RecordKind) -> frozenset[str]:
    # Computed once per kind: it showed in profiles when built for every mutation.
    return field_names(kind.value)


def _precheck(m: Mutation, principal: Principal, wall_ms: int, max_drift_ms: int
              ) -> tuple[ErrorCode, str] | None:
    """Checks that need no database: role, community, field names, authors, clock drift."""
    refusal = principal.write_refusal(m.kind, m.community)
    if refusal:
        return ErrorCode.FORBIDDEN, refusal
    unknown = sorted(set(m.fields) - _field_names(m.kind))
    if unknown:
        return ErrorCode.VALIDATION, f"Невідомі поля: {', '.join(unknown)} (unknown fields)"
    author_field = AUTHOR_FIELDS.get(m.kind)
    if author_field in m.fields and m.fields[author_field].value != principal.username:
        return (ErrorCode.FORBIDDEN,
                f"Поле {author_field} має бути вашим іменем користувача (must be you)")
    for name, w in m.fields.items():
        # The wire model already checked the clock's form: its first digits are wall ms.
        drift = int(w.clock[:WALL_DIGITS]) - wall_ms
        if drift > max_drift_ms:
            return (ErrorCode.CLOCK_AHEAD,
                    f"Годинник пристрою випереджає сервер на {drift // 1000} с (поле {name}): "
                    "перевірте дату й час на телефоні (device clock ahead of server)")
    return None


def _refuse(batch: _Batch, m: Mutation, code: ErrorCode, reason: str) -> MutationResult:
    batch.audit.append(AuditEvent(
        "push_refused", "refused", actor=batch.principal.username,
        device_id=batch.principal.device_id, community=m.community.value,
        record_ids=(str(m.record_id),), detail=f"{m.kind.value}: {code.value}"))
    return _result(m, MutationStatus.REJECTED, code, reason)


def _new_history(batch: _Batch, before: RecordState | None, change: RecordState,
                 mutation_id: uuid.UUID) -> None:
    for name, fs in change.fields.items():
        w = fs.current
        old = before.fields.get(name) if before is not None else None
        if old is not None and (w.key == old.current.key or w.clock in old.superseded
                                or any(u.key == w.key for u in old.unseen)):
            continue  # already known: a replayed write keeps one history row
        batch.history.append({
            "record_id": uuid.UUID(change.id), "kind": change.kind,
            "community": change.community, "field": name, "value": w.value, "clock": w.clock,
            "author": w.author, "supersedes": list(w.supersedes),
            "previous_value": old.current.value if old else None,
            "previous_clock": old.current.clock if old else None,
            "mutation_id": mutation_id, "recorded_at": batch.now,
        })


def _open_conflicts(batch: _Batch, state: RecordState, opened: dict[str, list[FieldWrite]]
                    ) -> None:
    for name, losers in opened.items():
        winner = state.fields[name].current
        for loser in losers:
            cid = conflict_id(state.id, name, loser.clock)
            batch.load([cid])
            if cid in batch.states:
                continue
            clock = batch.server_clock_after([winner.clock, loser.clock])
            values = {
                "deleted": False, "record_kind": state.kind, "record_id": state.id,
                "field": name, "winner_value": winner.value, "winner_clock": winner.clock,
                "winner_author": winner.author, "loser_value": loser.value,
                "loser_clock": loser.clock, "loser_author": loser.author,
                "status": ConflictStatus.OPEN.value, "resolved_by": None,
            }
            writes = {k: FieldWrite(v, clock, (), "server") for k, v in values.items()}
            conflict = state_from_writes(cid, RecordKind.CONFLICT.value, state.community, writes)
            batch.states[cid] = conflict
            batch.changed[cid] = model_from_state(conflict)


def _close_conflicts(batch: _Batch, state: RecordState, closed: dict[str, list[FieldWrite]]
                     ) -> None:
    for name, losers in closed.items():
        for loser in losers:
            cid = conflict_id(state.id, name, loser.clock)
            batch.load([cid])
            old = batch.states.get(cid)
            if old is None or old.values().get("status") == ConflictStatus.RESOLVED.value:
                continue
            marks = {"status": ConflictStatus.RESOLVED.value,
                     "resolved_by": batch.principal.username}
            clock = batch.server_clock_after([old.fields[k].clock for k in marks])
            writes = {k: FieldWrite(v, clock, (old.fields[k].clock,), "server")
                      for k, v in marks.items()}
            outcome = apply_change(old, state_from_writes(cid, old.kind, old.community, writes))
            batch.states[cid] = outcome.state
            batch.changed[cid] = model_from_state(outcome.state)


def _review_target_problem(batch: _Batch, review: Record) -> str | None:
    """Why a new review cannot stand: its target must be that kind, in the same community."""
    target_id = str(review.target_id)  # type: ignore[attr-defined]
    batch.load([target_id])
    target = batch.states.get(target_id)
    kind = review.target_kind.value  # type: ignore[attr-defined]
    if target is None or target.kind != kind or target.community != review.community.value:
        return (f"target_id: запис ({kind}) для рецензії не знайдено в цій громаді "
                "(review target not found in this community)")
    return None


def _apply_one(batch: _Batch, m: Mutation) -> MutationResult:
    rid = str(m.record_id)
    existing = batch.states.get(rid)
    change = m.to_state(batch.principal.username)
    why = check_change(existing, change)
    if why:
        return _refuse(batch, m, ErrorCode.CONFLICT, why)
    if existing is None and not any(fs.unseen for fs in change.fields.values()):
        # A new record from one mutation: the merge would return it unchanged and no conflict
        # can open (nothing is unseen), so skip its bookkeeping — creates are most pushes.
        outcome = MergeOutcome(change, True, {}, {})
    else:
        outcome = apply_change(existing, change)
    status = MutationStatus.CONFLICT if outcome.opened else MutationStatus.APPLIED
    if outcome.changed:
        try:
            model = model_from_state(outcome.state)
        except ValidationError as exc:
            errors = field_errors(exc)
            text = "; ".join(f"{k}: {v}" for k, v in errors.items())
            return _refuse(batch, m, ErrorCode.VALIDATION, text[:480])
        if m.kind is RecordKind.REVIEW and existing is None:
            problem = _review_target_problem(batch, model)
            if problem:
                return _refuse(batch, m, ErrorCode.VALIDATION, problem)
        if m.kind is RecordKind.PLACEMENT and PLACEMENT_REFERENCES & set(m.fields):
            problem = placement_problem(model, batch.states, batch.load)  # type: ignore[arg-type]
            if problem:
                return _refuse(batch, m, ErrorCode.VALIDATION, problem)
        _new_history(batch, existing, change, m.mutation_id)
        batch.states[rid] = outcome.state
        batch.changed[rid] = model
        _open_conflicts(batch, outcome.state, outcome.opened)
        _close_conflicts(batch, outcome.state, outcome.closed)
        if m.kind is RecordKind.REVIEW and existing is None:
            batch.audit.append(AuditEvent(
                "review", "ok", actor=batch.principal.username,
                device_id=batch.principal.device_id, community=m.community.value,
                record_ids=(rid, str(model.target_id))))  # type: ignore[attr-defined]
    return _result(m, status)


def push(
    engine: Engine,
    *,
    principal: Principal,
    request: PushRequest,
    clock: HybridClock,
    max_drift_ms: int,
) -> PushResponse:
    """Apply ``request`` for ``principal``; one result per mutation, in order."""
    try:
        clock.receive(request.device_clock)
    except ClockDriftError as exc:
        raise ApiError(
            400, ErrorCode.CLOCK_AHEAD,
            f"Годинник пристрою випереджає сервер на {exc.drift_ms // 1000} с: перевірте дату "
            "й час на телефоні (device clock is ahead of the server)") from None
    wall = wall_clock_ms()
    now = datetime.now(UTC)
    results: list[MutationResult | None] = [None] * len(request.mutations)
    with write_tx(engine) as conn:
        batch = _Batch(conn, principal, clock, now)
        seen: set[uuid.UUID] = set()
        todo: list[tuple[int, Mutation]] = []
        for i, m in enumerate(request.mutations):
            if m.mutation_id in seen:
                results[i] = _result(m, MutationStatus.DUPLICATE)
                continue
            seen.add(m.mutation_id)
            problem = _precheck(m, principal, wall, max_drift_ms)
            if problem:
                results[i] = _refuse(batch, m, *problem)
            else:
                todo.append((i, m))
        lock_communities(conn, (m.community.value for _, m in todo))
        stored = {
            row.mutation_id: row for row in conn.execute(
                select(APPLIED).where(APPLIED.c.mutation_id.in_([m.mutation_id for _, m in todo]))
            )
        } if todo else {}
        batch.load([str(m.record_id) for i, m in todo if m.mutation_id not in stored])
        for i, m in todo:
            fingerprint = payload_hash(m)
            old = stored.get(m.mutation_id)
            if old is not None:
                if old.payload_hash != fingerprint:
                    results[i] = _refuse(batch, m, ErrorCode.CONFLICT,
                                         "Цей ідентифікатор зміни вже використано для іншої "
                                         "зміни (mutation id reused for a different change)")
                else:
                    results[i] = MutationResult(
                        mutation_id=m.mutation_id, status=MutationStatus(old.status),
                        code=ErrorCode(old.code) if old.code else None, reason=old.reason)
                continue
            result = _apply_one(batch, m)
            results[i] = result
            if result.status is not MutationStatus.REJECTED:
                batch.applied.append({
                    "mutation_id": m.mutation_id, "device_id": principal.device_id,
                    "record_id": m.record_id, "payload_hash": fingerprint,
                    "status": result.status.value, "code": None, "reason": None,
                    "applied_at": now})
        _write(batch)
        final = [r for r in results if r is not None]
        counts: dict[str, int] = {}
        for r in final:
            counts[r.status.value] = counts.get(r.status.value, 0) + 1
        batch.audit.append(AuditEvent(
            "push", "ok", actor=principal.username, device_id=principal.device_id,
            record_ids=tuple(batch.changed),
            detail=" ".join(f"{k}={v}" for k, v in sorted(counts.items()))))
        write_events(conn, batch.audit)
    return PushResponse(results=final, server_clock=clock.now().encode())


def _write(batch: _Batch) -> None:
    """Write the batch's records at new feed positions, typed rows, history, applied ids."""
    conn = batch.conn
    by_community: dict[str, list[str]] = {}
    for rid in batch.changed:
        by_community.setdefault(batch.states[rid].community, []).append(rid)
    record_rows: list[dict[str, Any]] = []
    kind_rows: dict[RecordKind, list[dict[str, Any]]] = {}
    for community, ids in sorted(by_community.items()):
        for rid, position in zip(ids, take_positions(conn, community, len(ids)), strict=True):
            state = batch.states[rid]
            data = state_to_json(state)
            record_rows.append({
                "id": uuid.UUID(rid), "kind": state.kind, "community": community,
                "position": position, "deleted": state.deleted,
                "state": data, "updated_at": batch.now,
                # What pull pages send of this record, computed once here (pull side).
                **feed_columns(rid, state.kind, community, position, data)})
            model = batch.changed[rid]
            kind_rows.setdefault(model.KIND, []).append(kind_row(model, batch.now))
    upsert(conn, RECORDS, record_rows)
    for kind, rows in kind_rows.items():
        upsert(conn, KIND_TABLES[kind], rows)
    bulk_insert(conn, HISTORY, batch.history)
    bulk_insert(conn, APPLIED, batch.applied)
