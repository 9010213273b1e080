"""What a push transaction accumulates, and how it is written: records, typed rows, history.

``Batch`` holds the states a push reads and writes. A record created by one mutation of the
batch (most of a bulk push) stays a ``Fresh`` record — its wire writes as sent — unless a
later mutation of the same batch needs it as a merge state: its stored JSON state, history
rows and typed row are built straight from the writes, never through merge objects.
``write_batch`` then writes everything with one bulk statement per table (``upsert``).

Each pushed value is encoded to JSON text once: a mutation creating a record gets its
fingerprint, history entry, stored state and pull text from one pass over its writes
(``encode_create``); any other mutation its fingerprint from ``encode_writes``, and the
rest from the merge.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Connection, bindparam, select

from shared_models.clock import HybridClock
from shared_models.enums import RecordKind
from shared_models.merge import DELETED, FieldWrite, RecordState, state_from_writes
from shared_models.pullwire import compact_fields, wire_json
from shared_models.records import Record
from sync_server.audit import AuditEvent
from sync_server.feed import RECORDS, take_positions
from sync_server.history import HISTORY, HISTORY_COLUMNS, HISTORY_TEXT, entry_text, writes_text
from sync_server.permissions import Principal
from sync_server.references import Ref
from sync_server.statejson import feed_columns, state_from_json, state_to_json
from sync_server.tables import KIND_TABLES, TZ, AppliedMutation, table_of
from sync_server.upsert import (
    StoredForm,
    bulk_insert,
    json_str,
    json_text,
    stored_form,
    upsert,
)
from sync_server.wire import MutationDict

APPLIED = table_of(AppliedMutation)
APPLIED_COLUMNS = ("mutation_id", "device_id", "record_id", "payload_hash", "status", "code",
                   "reason", "applied_at")
RECORD_COLUMNS = ("id", "kind", "community", "position", "deleted", "state", "updated_at",
                  "wire", "winner_author", "loser_author")
#: JSON columns the push hands over as JSON text.
RECORD_TEXT = frozenset({"state"})
#: Value types whose JSON text is the same with keys sorted or not (they have no keys).
_KEYLESS = (str, bool, int, float, type(None))


class WriteText(NamedTuple):
    """One pushed field write with its JSON texts."""

    name: str
    value: Any
    value_json: str           # canonical JSON of the value
    clock: str
    supersedes: list[str]
    supersedes_json: str


def encode_writes(m: MutationDict) -> list[WriteText]:
    """The mutation's writes in the order sent, each value encoded once.

    Field names and clocks were checked against their patterns by the wire model (letters,
    digits, ``_`` and ``-``): they go into JSON text as they are.
    """
    out: list[WriteText] = []
    append = out.append
    for name, w in m["fields"].items():
        value = w.get("value")
        sup = w.get("supersedes")
        # Most values are text: encoded here without a call through ``json_text``.
        value_json = json_str(value) if type(value) is str else json_text(value)
        if sup:
            append(WriteText(name, value, value_json, w["clock"], sup,
                             '["' + '","'.join(sup) + '"]'))
        else:
            append(WriteText(name, value, value_json, w["clock"], [], "[]"))
    return out


def fingerprint_text(m: MutationDict, writes: list[WriteText]) -> str:
    """``merge.canonical`` of the mutation in its wire form, every default filled in."""
    return _fingerprint(m, [_print_part(w.name, w.clock, w.supersedes_json, w.value_json)
                            for w in writes])


def _print_part(name: str, clock: str, supersedes_json: str, value_json: str) -> str:
    """One field of ``fingerprint_text`` (its keys in canonical order)."""
    return f'"{name}":{{"clock":"{clock}","supersedes":{supersedes_json},"value":{value_json}}}'


def _fingerprint(m: MutationDict, parts: list[str]) -> str:
    """``fingerprint_text`` of the mutation with these ``_print_part`` fields (sorting the
    parts sorts by field name: a name is followed by its closing quote, below any name
    character)."""
    parts.sort()
    return (f'{{"community":"{m["community"].value}","fields":{{{",".join(parts)}}},'
            f'"kind":"{m["kind"].value}","mutation_id":"{m["mutation_id"]}",'
            f'"record_id":"{m["record_id"]}"}}')
#: Built once, ids bound as one expanding parameter: building an ``IN`` of hundreds of
#: literal values per push showed in profiles.
_SELECT_STATES = (select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.community, RECORDS.c.state)
                  .where(RECORDS.c.id.in_(bindparam("ids", expanding=True))))
_JSON_COLUMNS = {
    kind: frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))
    for kind, table in KIND_TABLES.items()
}


def kind_row(model: Record, now: datetime) -> dict[str, Any]:
    """The typed-table row of a validated model (JSON columns in their JSON form)."""
    # The field values as validated (records hold no nested models, so this is what
    # ``model_dump()`` gives, without building it again).
    row = dict(model.__dict__)
    json_columns = _JSON_COLUMNS[model.KIND]
    if json_columns:
        row.update(model.model_dump(mode="json", include=set(json_columns)))
    row["id"] = model.id
    row["community"] = model.community.value
    row["updated_at"] = now
    return row


@dataclass(frozen=True, slots=True)
class Fresh:
    """A record created by one mutation of this batch, kept as the writes it was sent with
    and the texts ``encode_create`` built from them."""

    kind: str
    community: str
    fields: Mapping[str, Any]     # the mutation's wire writes, as parsed
    author: str
    state_json: str               # ``statejson.state_to_json`` of ``state()``, as text
    values_json: str              # the members of the pull text's ``values`` object
    clock: str | None             # the clock of every write when they share one

    def state(self, record_id: str) -> RecordState:
        """The merge state these writes make (what the merge itself would have built)."""
        return state_from_writes(record_id, self.kind, self.community, {
            name: FieldWrite(w.get("value"), w["clock"], tuple(w.get("supersedes", ())),
                             self.author)
            for name, w in self.fields.items()})

    def current_json(self) -> dict[str, Any]:
        """The part of ``statejson.state_to_json`` the feed reads: each field's current write."""
        return {"f": {name: {"c": [w.get("value"), w["clock"], w.get("supersedes", []),
                                   self.author]}
                      for name, w in self.fields.items()}}

    def feed(self, record_id: str, position: int) -> dict[str, Any]:
        """``statejson.feed_columns`` of this record at ``position``, its ``wire`` text put
        together from the values' JSON texts where those are what ``encode_change`` writes."""
        if self.kind == RecordKind.CONFLICT.value:  # never fresh (the server writes them)
            return feed_columns(record_id, self.kind, self.community, position,
                                self.current_json())
        if self.clock is not None:
            # The usual create: one clock, one author — what ``compact_fields`` gives then.
            wire = (f'{{"record_id":"{record_id}","kind":"{self.kind}",'
                    f'"community":"{self.community}","position":{position},'
                    f'"clock":"{self.clock}","author":{json_str(self.author)},'
                    f'"values":{{{self.values_json}}}}}')
            return {"wire": wire, "winner_author": None, "loser_author": None}
        clock, author, clocks, authors = compact_fields(
            {name: (w.get("value"), w["clock"], self.author) for name, w in self.fields.items()})
        head: dict[str, Any] = {"record_id": record_id, "kind": self.kind,
                                "community": self.community, "position": position,
                                "clock": clock, "author": author}
        if clocks:
            head["clocks"] = clocks
        if authors:
            head["authors"] = authors
        wire = wire_json(head)[:-1] + ',"values":{' + self.values_json + "}}"
        return {"wire": wire, "winner_author": None, "loser_author": None}

    @property
    def deleted(self) -> bool:
        """True when the record was created as a tombstone."""
        w = self.fields.get(DELETED)
        return w is not None and w.get("value") is True


class Created(NamedTuple):
    """What a mutation creating a record needs, from one pass over its writes."""

    fresh: Fresh
    values: dict[str, Any]   # field values, for the model's validation
    fingerprint: str         # ``push.payload_hash`` of the mutation
    history: str             # its ``mutation_history.writes`` text


def encode_create(m: MutationDict, author: str) -> Created:
    """Every text a new record's rows need, each value encoded to JSON once.

    The same texts as the general path's (``encode_writes``, ``fingerprint_text``,
    ``history.entry_text``, ``statejson``), built in one loop: a bulk push creates
    10,000 records of a dozen writes each, and six passes over those writes cost more than
    validating them. Field names and clocks were checked against their patterns by the wire
    model (letters, digits, ``_`` and ``-``): they go into JSON text as they are.
    """
    author_json = json_str(author)
    values: dict[str, Any] = {}
    prints: list[str] = []
    history: list[str] = []
    state: list[str] = []
    pulled: list[str] = []
    first: str | None = None
    one_clock = True
    for name, w in m["fields"].items():
        value: Any = w.get("value")
        clock = w["clock"]
        kind = type(value)
        if kind is str:
            value_json = pull_json = json_str(value)
        else:
            value_json = json_text(value)
            pull_json = value_json if kind in _KEYLESS or (
                kind is list and all(type(v) in _KEYLESS for v in value)) else wire_json(value)
        values[name] = value
        sup = w.get("supersedes")
        if sup:
            sup_json = '["' + '","'.join(sup) + '"]'
            state.append(f'"{name}":{{"c":[{value_json},"{clock}",{sup_json},{author_json}],'
                         f'"s":{json_text(sorted(set(sup)))}}}')
        else:
            sup_json = "[]"
            state.append(f'"{name}":{{"c":[{value_json},"{clock}",[],{author_json}]}}')
        history.append(entry_text(name, value_json, clock, sup_json))
        prints.append(_print_part(name, clock, sup_json, value_json))
        pulled.append(f'"{name}":{pull_json}')
        if first is None:
            first = clock
        elif clock != first:
            one_clock = False
    kind_code, community = m["kind"].value, m["community"].value
    fingerprint = _fingerprint(m, prints)
    fresh = Fresh(kind_code, community, m["fields"], author,
                  '{"f":{' + ",".join(state) + "}}", ",".join(pulled),
                  first if one_clock else None)
    return Created(fresh, values, hashlib.sha256(fingerprint.encode()).hexdigest(),
                   writes_text(history))


def with_values(m: MutationDict, values: Mapping[str, Any]) -> MutationDict:
    """The mutation with these field values (the normal form of the values it was sent with)."""
    fields = {name: {**w, "value": values[name]} for name, w in m["fields"].items()}
    return {**m, "fields": fields}  # type: ignore[typeddict-item]


def normalised_create(m: MutationDict, author: str, created: Created,
                      values: Mapping[str, Any]) -> Created:
    """``created`` rebuilt from the normal form of its values (``shared_models.normal``); the
    fingerprint stays that of the mutation as sent, so a replay is still recognised."""
    again = encode_create(with_values(m, values), author)
    return again._replace(fingerprint=created.fingerprint)


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
    # Rows ready to write (``upsert.stored_form``, JSON as text) of HISTORY_COLUMNS and
    # APPLIED_COLUMNS: ``stored`` is this database's form, ``stamp`` the batch's time in it.
    history: list[tuple[Any, ...]] = field(default_factory=list)
    applied: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    loaded: set[str] = field(default_factory=set)
    #: Records named by the batch's references and not loaded as states (``references``).
    refs: dict[str, Ref | None] = field(default_factory=dict)
    stored: StoredForm = field(init=False)
    stamp: Any = field(init=False)

    def __post_init__(self) -> None:
        self.stored = stored_form(self.conn, TZ)
        self.stamp = self.stored.timestamp(self.now)

    def load(self, ids: list[str]) -> None:
        """Read the stored states of ``ids`` not read yet (one query)."""
        missing = [i for i in ids if i not in self.loaded]
        if not missing:
            return
        self.loaded.update(missing)
        rows = self.conn.execute(_SELECT_STATES, {"ids": [uuid.UUID(i) for i in missing]}).all()
        for rid, kind, community, state in rows:
            self.states[str(rid)] = state_from_json(str(rid), kind, community, state)

    @property
    def lookup(self) -> Mapping[str, RecordState]:
        """The batch's records by id as a mapping (fresh ones become merge states on access)."""
        return _Lookup(self)

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


class _Lookup(Mapping[str, RecordState]):
    """``Batch.state`` as a read-only mapping, for checks written against plain dicts."""

    def __init__(self, batch: Batch) -> None:
        self._batch = batch

    def __getitem__(self, rid: str) -> RecordState:
        state = self._batch.state(rid)
        if state is None:
            raise KeyError(rid)
        return state

    def __iter__(self) -> Iterator[str]:
        return iter({*self._batch.states, *self._batch.fresh})

    def __len__(self) -> int:
        return len({*self._batch.states, *self._batch.fresh})


def write_batch(batch: Batch) -> None:
    """Write the batch's records at new feed positions, typed rows, history, applied ids."""
    conn, now, uuid_form = batch.conn, batch.now, batch.stored.uuid
    by_community: dict[str, list[str]] = {}
    for rid, model in batch.changed.items():
        by_community.setdefault(model.community.value, []).append(rid)
    record_rows: list[tuple[Any, ...]] = []
    kind_rows: dict[RecordKind, list[dict[str, Any]]] = {}
    for community, ids in sorted(by_community.items()):
        for rid, position in zip(ids, take_positions(conn, community, len(ids)), strict=True):
            model = batch.changed[rid]
            fresh = batch.fresh.get(rid)
            # With what pull pages send of the record, computed once here (``statejson``).
            if fresh is not None:
                state_json, deleted = fresh.state_json, fresh.deleted
                feed = fresh.feed(str(model.id), position)
            else:
                state = batch.states[rid]
                data = state_to_json(state)
                state_json, deleted = json_text(data), state.deleted
                feed = feed_columns(rid, model.KIND.value, community, position, data)
            record_rows.append((uuid_form(model.id), model.KIND.value, community, position,
                                deleted, state_json, batch.stamp, feed["wire"],
                                feed["winner_author"], feed["loser_author"]))
            kind_rows.setdefault(model.KIND, []).append(kind_row(model, now))
    upsert(conn, RECORDS, record_rows, RECORD_COLUMNS, as_text=RECORD_TEXT, ready=True)
    for kind, rows in kind_rows.items():
        upsert(conn, KIND_TABLES[kind], rows)
    bulk_insert(conn, HISTORY, batch.history, HISTORY_COLUMNS, as_text=HISTORY_TEXT, ready=True)
    bulk_insert(conn, APPLIED, batch.applied, APPLIED_COLUMNS, ready=True)
