"""Push: apply a device's batch of mutations with the shared merge rule, in one transaction.

Per mutation, in order: repeated id in the batch (``duplicate``); stored answer for an id seen
before (idempotent replay answers the same; a different change under a used id is rejected);
role and community (``forbidden``, audited, never written; so is a review of the reviewer's
own visit, note, needs assessment or case closure: four eyes); field names, author fields and
clock drift (``clock_ahead``: the device re-stamps); ``check_change`` (no community move, no
edit of notes and reviews); the merge (``apply_change``); validation of the merged record
(``validation_error`` with readable messages); the records it names (``references``:
same community, right kind, stored or created earlier in the batch, else
``reference_missing``; a deleted family still counts, so no worker's visit is lost); a case
that would leave its family with two open cases (``case_already_open``, ``cases.py``).
Accepted mutations write the record at a new feed position, its typed row, one history row
with its new writes, conflict records for conflicts they opened (status ``conflict``) and the
``resolved`` mark on conflicts they closed, and for a family an older app closes with the
retired ``closed`` flag, its closed legacy case (as migration ``0007_legacy_cases`` writes).
Rejections never fail the batch; a database error fails it as a whole (nothing written; the
client retries, and retries are idempotent).

Batch-level work, not per-mutation work: the stored answers of every mutation id, the stored
states of every record and review target are read with one query each, and the records
children name (kind, community, tombstone) with one more; a mutation creating a
new record (most of a bulk push) skips the merge, whose result would be the change itself,
and gets every text its rows need from one pass over its writes (``push_rows.encode_create``);
everything is written with one statement per table.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import suppress
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, bindparam, select

from shared_models.cases import legacy_case_id, legacy_case_values
from shared_models.changes import model_from_state
from shared_models.clock import WALL_DIGITS, ClockDriftError, HybridClock, wall_clock_ms
from shared_models.enums import ConflictStatus, RecordKind
from shared_models.merge import (
    FieldState,
    FieldWrite,
    MergeError,
    MergeOutcome,
    RecordState,
    apply_change,
    check_change,
    state_from_writes,
)
from shared_models.messages import explain, field_errors
from shared_models.normal import field_json, normal_json, same_json
from shared_models.protocol import (
    ErrorCode,
    MutationResult,
    MutationStatus,
    PushRequest,
    PushResponse,
)
from shared_models.records import Case, Family, Record, field_names, model_class
from sync_server.audit import AuditEvent, write_events
from sync_server.cases import open_case_problem
from sync_server.db import write_tx
from sync_server.errors import ApiError
from sync_server.feed import lock_communities
from sync_server.history import entry_text, writes_text
from sync_server.permissions import AUTHOR_FIELDS, Principal
from sync_server.push_rows import (
    APPLIED,
    Batch,
    Created,
    WriteText,
    encode_create,
    encode_writes,
    fingerprint_text,
    normalised_create,
    with_values,
    write_batch,
)
from sync_server.references import (
    CASE_CHILDREN,
    CASE_LINK,
    CHILD_REFERENCES,
    PLACEMENT_REFERENCES,
    Named,
    case_family_problem,
    child_problem,
    named_ids,
    placement_problem,
    read_refs,
)
from sync_server.upsert import json_text
from sync_server.wire import MutationDict, PushBody, push_body

#: The stored answers of a batch's mutation ids (one expanding parameter, built once).
_SELECT_ANSWERS = select(APPLIED).where(APPLIED.c.mutation_id.in_(bindparam("ids",
                                                                           expanding=True)))
#: The author of the records the server writes itself (conflicts, legacy cases).
SERVER_AUTHOR = "server"
#: uuid5 namespace of conflict record ids: the same conflict gets the same id on any instance.
CONFLICT_NAMESPACE = uuid.UUID("5b0d3a52-6c1e-4c57-9a43-0e6f4c1d9b21")


def conflict_id(record_id: str, field_name: str, loser_clock: str) -> str:
    """Deterministic id of the conflict record for one losing write."""
    return str(uuid.uuid5(CONFLICT_NAMESPACE, f"{record_id}/{field_name}/{loser_clock}"))


def payload_hash(m: MutationDict, writes: list[WriteText] | None = None) -> str:
    """Fingerprint of a mutation's content, to tell a replay from a reused id.

    The SHA-256 of the canonical JSON of the mutation in its wire form with every default
    filled in (what ``Mutation.model_dump(mode="json")`` gives): stored fingerprints stay
    comparable whatever way the body was parsed.
    """
    text = fingerprint_text(m, writes if writes is not None else encode_writes(m))
    return hashlib.sha256(text.encode()).hexdigest()


def _result(m: MutationDict, status: MutationStatus, code: ErrorCode | None = None,
            reason: str | None = None) -> MutationResult:
    return MutationResult(mutation_id=m["mutation_id"], status=status, code=code, reason=reason)


@cache
def _field_names(kind: RecordKind) -> frozenset[str]:
    # Computed once per kind: it showed in profiles when built for every mutation.
    return field_names(kind.value)


def _precheck(m: MutationDict, principal: Principal, wall_ms: int, max_drift_ms: int
              ) -> tuple[ErrorCode, str] | None:
    """Checks that need no database: role, community, field names, authors, clock drift."""
    kind, fields = m["kind"], m["fields"]
    refusal = principal.write_refusal(kind, m["community"])
    if refusal:
        return ErrorCode.FORBIDDEN, refusal
    unknown = sorted(set(fields) - _field_names(kind))
    if unknown:
        return ErrorCode.VALIDATION, f"Невідомі поля: {', '.join(unknown)} (unknown fields)"
    author_field = AUTHOR_FIELDS.get(kind)
    if author_field in fields and fields[author_field].get("value") != principal.username:
        return (ErrorCode.FORBIDDEN,
                f"Поле {author_field} має бути вашим іменем користувача (must be you)")
    for name, w in fields.items():
        # The wire model already checked the clock's form: its first digits are wall ms.
        drift = int(w["clock"][:WALL_DIGITS]) - wall_ms
        if drift > max_drift_ms:
            return (ErrorCode.CLOCK_AHEAD,
                    f"Годинник пристрою випереджає сервер на {drift // 1000} с (поле {name}): "
                    "перевірте дату й час на телефоні (device clock ahead of server)")
        for seen in w.get("supersedes", ()):
            if seen >= w["clock"]:  # the merge refuses such a write (MergeError)
                return (ErrorCode.VALIDATION,
                        f"{name}: supersedes має бути раніше за clock "
                        "(a write can only supersede earlier clocks)")
    return None


def _refuse(batch: Batch, m: MutationDict, code: ErrorCode, reason: str) -> MutationResult:
    batch.audit.append(AuditEvent(
        "push_refused", "refused", actor=batch.principal.username,
        device_id=batch.principal.device_id, community=m["community"].value,
        record_ids=(str(m["record_id"]),), detail=f"{m['kind'].value}: {code.value}"))
    return _result(m, MutationStatus.REJECTED, code, reason)


def _to_state(m: MutationDict, author: str) -> RecordState:
    """The mutation as a merge state, every write attributed to ``author``."""
    return RecordState(
        str(m["record_id"]), m["kind"].value, m["community"].value,
        {name: FieldState.of(FieldWrite(w.get("value"), w["clock"],
                                        tuple(w.get("supersedes", ())), author))
         for name, w in m["fields"].items()})


def _history(batch: Batch, before: RecordState | None, change: RecordState,
             m: MutationDict) -> None:
    entries = []
    for name, fs in change.fields.items():
        w = fs.current
        old = before.fields.get(name) if before is not None else None
        if old is not None and (w.key == old.current.key or w.clock in old.superseded
                                or any(u.key == w.key for u in old.unseen)):
            continue  # already known: a replayed write keeps one history entry
        entries.append(entry_text(
            name, json_text(w.value), w.clock, json_text(list(w.supersedes)),
            previous_json=json_text(old.current.value if old else None),
            previous_clock=old.current.clock if old else None))
    if entries:
        uuid_form = batch.stored.uuid
        batch.history.append((
            uuid_form(m["record_id"]), change.kind, change.community, batch.principal.username,
            writes_text(entries), uuid_form(m["mutation_id"]), batch.stamp))


def _open_conflicts(batch: Batch, state: RecordState, opened: dict[str, list[FieldWrite]]
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
            writes = {k: FieldWrite(v, clock, (), SERVER_AUTHOR) for k, v in values.items()}
            conflict = state_from_writes(cid, RecordKind.CONFLICT.value, state.community, writes)
            batch.states[cid] = conflict
            batch.changed[cid] = model_from_state(conflict)


def _close_conflicts(batch: Batch, state: RecordState, closed: dict[str, list[FieldWrite]]
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
            writes = {k: FieldWrite(v, clock, (old.fields[k].clock,), SERVER_AUTHOR)
                      for k, v in marks.items()}
            outcome = apply_change(old, state_from_writes(cid, old.kind, old.community, writes))
            batch.states[cid] = outcome.state
            batch.changed[cid] = model_from_state(outcome.state)


def _legacy_case(batch: Batch, family: Family, closed_clock: str) -> None:
    """The closed case of a family closed with the retired ``closed`` flag (an app from before
    the case cycle still sends it), as migration ``0007_legacy_cases`` writes it: the same id
    and values (``cases.legacy_case_values``), so a device's own copy merges into it."""
    cid = str(legacy_case_id(family.id))
    batch.load([cid])
    if batch.exists(cid):
        return
    community = family.community.value
    case = Case.model_validate({"id": cid, "community": community,
                                **legacy_case_values(family.id, closed_clock)})
    clock = batch.server_clock_after([closed_clock])
    values = case.model_dump(mode="json", exclude={"id", "community"})
    writes = {k: FieldWrite(v, clock, (), SERVER_AUTHOR) for k, v in values.items()}
    batch.states[cid] = state_from_writes(cid, RecordKind.CASE.value, community, writes)
    batch.changed[cid] = case
    batch.history.append((
        batch.stored.uuid(case.id), RecordKind.CASE.value, community, SERVER_AUTHOR,
        writes_text(entry_text(k, json_text(v), clock) for k, v in values.items()), None,
        batch.stamp))
    batch.audit.append(AuditEvent(
        "legacy_case", "ok", actor=batch.principal.username,
        device_id=batch.principal.device_id, community=community,
        record_ids=(cid, str(family.id)), detail="closed family -> closed case"))


def _referenced(m: MutationDict) -> list[str]:
    """Record ids whose states a mutation's checks read (with the batch's records): a
    review's target, a placement's records, an assessment's or plan task's case."""
    kind = m["kind"]
    names = ("target_id",) if kind is RecordKind.REVIEW else \
        PLACEMENT_REFERENCES if kind is RecordKind.PLACEMENT else \
        ("case_id",) if kind in CASE_CHILDREN else ()
    out = []
    for name in names:
        w = m["fields"].get(name)
        if w is not None:
            with suppress(ValueError):  # not an id: the model validation refuses it
                out.append(str(uuid.UUID(str(w.get("value")))))
    return out


def _ref(batch: Batch, rid: str) -> Named | None:
    """A named record as this batch has it: created or changed in it, or stored."""
    found: Named | None = batch.fresh.get(rid) or batch.states.get(rid)
    if found is None:
        if rid not in batch.refs and rid not in batch.loaded:  # not read with the batch's
            batch.refs.update(read_refs(batch.conn, [rid]))    # ids (not expected)
        found = batch.refs.get(rid)
    return found


def _reference_problem(batch: Batch, m: MutationDict, model: Record
                       ) -> tuple[ErrorCode, str] | None:
    """Why the references a change writes cannot stand (only the fields it writes)."""
    kind = m["kind"]
    if kind in CHILD_REFERENCES:
        problem = child_problem(kind, m["community"].value, m["fields"], partial(_ref, batch))
        if problem:
            return ErrorCode.REFERENCE_MISSING, problem
        if kind in CASE_CHILDREN and CASE_LINK & set(m["fields"]):
            return case_family_problem(model, batch.lookup, batch.load)
        if isinstance(model, Case):
            why = open_case_problem(batch.conn, model, created=not batch.exists(str(model.id)),
                                    written=set(m["fields"]), batch=batch.changed)
            return (ErrorCode.CASE_ALREADY_OPEN, why) if why else None
        return None
    if kind is not RecordKind.PLACEMENT or not PLACEMENT_REFERENCES & set(m["fields"]):
        return None
    return placement_problem(model, batch.lookup, batch.load)  # type: ignore[arg-type]


#: Per reviewable kind: the field naming its author, and the fields whose writers count as
#: its authors too (who completed an assessment, who recorded a case's closure): four eyes
#: refuse a review by any of them.
REVIEWED_AUTHORS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    RecordKind.VISIT.value: ("author", ()),
    RecordKind.NOTE.value: ("author", ()),
    RecordKind.ASSESSMENT.value: ("assessor", ("completed_on",)),
    RecordKind.CASE.value: (None, ("closed_on", "closure_reason")),
}
#: How the four-eyes refusal names what was reviewed (English half of the message).
_OWN = {RecordKind.VISIT.value: "visit or note", RecordKind.NOTE.value: "visit or note",
        RecordKind.ASSESSMENT.value: "needs assessment", RecordKind.CASE.value: "case closure"}


def authors_of(target: RecordState) -> set[str]:
    """Who counts as the author of a reviewable record (``REVIEWED_AUTHORS``)."""
    field, writers = REVIEWED_AUTHORS.get(target.kind, ("author", ()))
    out: set[str] = set()
    if field is not None:
        value = target.values().get(field)
        if isinstance(value, str):
            out.add(value)
    for name in writers:
        fs = target.fields.get(name)
        if fs is not None:
            out.add(fs.current.author)
    return out


def _review_target_problem(batch: Batch, review: Record) -> tuple[ErrorCode, str] | None:
    """Why a review cannot stand: its target must be that kind, in the same community, and
    written by someone else (four eyes: nobody reviews their own visit, note, needs
    assessment or case closure)."""
    target_id = str(review.target_id)  # type: ignore[attr-defined]
    batch.load([target_id])
    target = batch.state(target_id)
    kind = review.target_kind.value  # type: ignore[attr-defined]
    if target is None or target.kind != kind or target.community != review.community.value:
        return (ErrorCode.VALIDATION,
                f"target_id: запис ({kind}) для перевірки не знайдено в цій громаді "
                "(review target not found in this community)")
    if batch.principal.username in authors_of(target):
        return (ErrorCode.FORBIDDEN,
                "Власні записи перевіряє інший супервізор або координатор: рішення щодо свого "
                f"запису не прийнято (you cannot review your own {_OWN.get(kind, 'record')})")
    return None


def _invalid(batch: Batch, m: MutationDict, exc: ValidationError) -> MutationResult:
    text = "; ".join(f"{k}: {v}" for k, v in field_errors(exc).items())
    return _refuse(batch, m, ErrorCode.VALIDATION, text[:480])


def _accepted_review(batch: Batch, m: MutationDict, model: Record) -> None:
    batch.audit.append(AuditEvent(
        "review", "ok", actor=batch.principal.username, device_id=batch.principal.device_id,
        community=m["community"].value,
        record_ids=(str(m["record_id"]), str(model.target_id))))  # type: ignore[attr-defined]


def _create(batch: Batch, m: MutationDict, rid: str, created: Created) -> MutationResult:
    """A mutation creating a record: the merged state is the change itself (no merge)."""
    kind, community = m["kind"], m["community"].value
    try:
        model = model_class(kind.value).model_validate(
            {**created.values, "id": rid, "community": community})
    except ValidationError as exc:
        return _invalid(batch, m, exc)
    normal = normal_json(model, created.values)
    if normal is not None:  # stored as the model holds it, never as sent ("yes" is true)
        created = normalised_create(m, batch.principal.username, created, normal)
    if kind is RecordKind.REVIEW:
        refusal = _review_target_problem(batch, model)
        if refusal:
            return _refuse(batch, m, *refusal)
        _accepted_review(batch, m, model)
    problem = _reference_problem(batch, m, model)
    if problem:
        return _refuse(batch, m, *problem)
    uuid_form = batch.stored.uuid
    batch.fresh[rid] = created.fresh
    batch.changed[rid] = model
    batch.history.append((uuid_form(m["record_id"]), kind.value, community,
                          batch.principal.username, created.history,
                          uuid_form(m["mutation_id"]), batch.stamp))
    if "closed" in m["fields"] and isinstance(model, Family) and model.closed:
        _legacy_case(batch, model, m["fields"]["closed"]["clock"])
    return _result(m, MutationStatus.APPLIED)


def _normalised(m: MutationDict) -> MutationDict | str:
    """The mutation with every value in its field's normal form (``normal.field_json``; the
    mutation itself when they all are), or why a value cannot be one. Each write is checked
    alone, winning the merge or not, so what is stored — current, overwritten or in
    conflict — is what the model would hold."""
    kind = m["kind"].value
    values: dict[str, Any] = {}
    changed = False
    for name, w in m["fields"].items():
        value = w.get("value")
        try:
            values[name] = field_json(kind, name, value)
        except ValidationError as exc:
            return f"{name}: {explain(exc.errors()[0])}"[:480]
        changed = changed or not same_json(values[name], value)
    return with_values(m, values) if changed else m


def _merge(batch: Batch, m: MutationDict, existing: RecordState | None, change: RecordState
           ) -> tuple[RecordState, MergeOutcome, Record | None] | MutationResult:
    """The change merged and the merged record validated, the values as the model holds them:
    the change (normalised), the outcome and the model (``None`` when nothing changed); or
    the refusal."""
    outcome = apply_change(existing, change)
    model: Record | None = None
    if outcome.changed:
        # The whole record's verdict first: the same reasons as a create's.
        try:
            model = model_from_state(outcome.state)
        except ValidationError as exc:
            return _invalid(batch, m, exc)
    normal = _normalised(m)
    if isinstance(normal, str):
        return _refuse(batch, m, ErrorCode.VALIDATION, normal)
    if normal is not m:  # merged again as the model holds the values ("yes" is true)
        change = _to_state(normal, batch.principal.username)
        outcome = apply_change(existing, change)
        try:
            model = model_from_state(outcome.state) if outcome.changed else None
        except ValidationError as exc:
            return _invalid(batch, m, exc)
    return change, outcome, model


def _apply_one(batch: Batch, m: MutationDict, rid: str) -> MutationResult:
    """A mutation to a record stored or written earlier in this batch: the merge."""
    existing = batch.state(rid)
    change = _to_state(m, batch.principal.username)
    why = check_change(existing, change)
    if why:
        return _refuse(batch, m, ErrorCode.CONFLICT, why)
    merged = _merge(batch, m, existing, change)
    if isinstance(merged, MutationResult):
        return merged
    change, outcome, model = merged
    status = MutationStatus.CONFLICT if outcome.opened else MutationStatus.APPLIED
    if outcome.changed and model is not None:
        if m["kind"] is RecordKind.REVIEW:
            # A review is immutable, but a later mutation may add a field it lacked (e.g.
            # ``target_clock``): the same checks as at creation, four eyes included.
            refusal = _review_target_problem(batch, model)
            if refusal:
                return _refuse(batch, m, *refusal)
            _accepted_review(batch, m, model)
        problem = _reference_problem(batch, m, model)
        if problem:
            return _refuse(batch, m, *problem)
        _history(batch, existing, change, m)
        batch.states[rid] = outcome.state
        batch.changed[rid] = model
        _open_conflicts(batch, outcome.state, outcome.opened)
        _close_conflicts(batch, outcome.state, outcome.closed)
        if "closed" in m["fields"] and isinstance(model, Family) and model.closed:
            _legacy_case(batch, model, outcome.state.fields["closed"].current.clock)
    return _result(m, status)


def push(
    engine: Engine,
    *,
    principal: Principal,
    request: PushRequest | PushBody,
    clock: HybridClock,
    max_drift_ms: int,
) -> PushResponse:
    """Apply ``request`` for ``principal``; one result per mutation, in order."""
    body = push_body(request)
    try:
        clock.receive(body["device_clock"])
    except ClockDriftError as exc:
        raise ApiError(
            400, ErrorCode.CLOCK_AHEAD,
            f"Годинник пристрою випереджає сервер на {exc.drift_ms // 1000} с: перевірте дату "
            "й час на телефоні (device clock is ahead of the server)") from None
    wall = wall_clock_ms()
    now = datetime.now(UTC)
    mutations = body["mutations"]
    results: list[MutationResult | None] = [None] * len(mutations)
    with write_tx(engine) as conn:
        batch = Batch(conn, principal, clock, now)
        seen: set[uuid.UUID] = set()
        todo: list[tuple[int, MutationDict]] = []
        for i, m in enumerate(mutations):
            if m["mutation_id"] in seen:
                results[i] = _result(m, MutationStatus.DUPLICATE)
                continue
            seen.add(m["mutation_id"])
            problem = _precheck(m, principal, wall, max_drift_ms)
            if problem:
                results[i] = _refuse(batch, m, *problem)
            else:
                todo.append((i, m))
        lock_communities(conn, (m["community"].value for _, m in todo))
        stored = {
            row.mutation_id: row for row in conn.execute(
                _SELECT_ANSWERS, {"ids": [m["mutation_id"] for _, m in todo]})
        } if todo else {}
        fresh = [m for _, m in todo if m["mutation_id"] not in stored]
        batch.load([str(m["record_id"]) for m in fresh]
                   + [rid for m in fresh for rid in _referenced(m)])
        # The families, people and notes children name: kind, community, tombstone only.
        batch.refs = read_refs(conn, [rid for m in fresh
                                      for rid in named_ids(m["kind"], m["fields"])
                                      if rid not in batch.loaded])
        for i, m in todo:
            results[i] = _answer(batch, m, stored.get(m["mutation_id"]))
        write_batch(batch)
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


def _answer(batch: Batch, m: MutationDict, stored: Any) -> MutationResult:
    """The result of one mutation that passed the prechecks: a replay's or a new one's."""
    rid = str(m["record_id"])
    if stored is None and not batch.exists(rid):
        # Most of a bulk push: every text its rows need, from one pass over its writes.
        created = encode_create(m, batch.principal.username)
        fingerprint = created.fingerprint
        result = _create(batch, m, rid, created)
    else:
        fingerprint = payload_hash(m)
        if stored is not None:
            if stored.payload_hash != fingerprint:
                return _refuse(batch, m, ErrorCode.CONFLICT,
                               "Цей ідентифікатор зміни вже використано для іншої зміни "
                               "(mutation id reused for a different change)")
            return MutationResult(
                mutation_id=m["mutation_id"], status=MutationStatus(stored.status),
                code=ErrorCode(stored.code) if stored.code else None, reason=stored.reason)
        try:
            result = _apply_one(batch, m, rid)
        except MergeError as exc:  # e.g. a clock that supersedes itself; the precheck should
            return _refuse(batch, m, ErrorCode.VALIDATION, str(exc)[:480])  # catch it
    if result.status is not MutationStatus.REJECTED:
        uuid_form = batch.stored.uuid
        batch.applied.append((uuid_form(m["mutation_id"]), uuid_form(batch.principal.device_id),
                              uuid_form(m["record_id"]), fingerprint, result.status.value,
                              None, None, batch.stamp))
    return result
