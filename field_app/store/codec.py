"""JSON forms of merge states and outbox entries, and the pending change the sync client pushes.

These forms only ever exist inside sealed blobs. A write is ``[value, clock, supersedes,
author]`` — short, because every stored record holds one per field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pydantic_core

from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind
from shared_models.merge import FieldState, FieldWrite, RecordState, state_from_writes
from shared_models.protocol import Mutation, WireWrite
from shared_models.pullwire import PulledRecord, compact_fields


def write_to_json(w: FieldWrite) -> list[Any]:
    """Compact form of one write."""
    return [w.value, w.clock, list(w.supersedes), w.author]


def write_from_json(data: list[Any]) -> FieldWrite:
    """Inverse of ``write_to_json`` (validates the clocks again)."""
    value, clock, supersedes, author = data
    return FieldWrite(value, clock, tuple(supersedes), author)


def _plain(state: RecordState) -> bool:
    """True when every field holds just its current write (no losers, nothing superseded)."""
    return all(not fs.unseen and not fs.superseded and not fs.current.supersedes
               for fs in state.fields.values())


def state_to_json(state: RecordState) -> dict[str, Any]:
    """The fields of a merge state (identity is stored beside it, and bound as sealed AD).

    A state that is just current writes — what a pull brings — takes the compact form of the
    wire (``RecordChange`` without identity): ``{"clock", "author", "values", "clocks",
    "authors"}``. Any other state takes the full form ``{field: {"c": write, "u": [unseen
    writes], "s": [superseded clocks]}}``. ``"clock"`` tells them apart: a string in the
    compact form, a field entry (an object) in the full one.
    """
    if state.fields and _plain(state):
        fields = {n: (fs.current.value, fs.current.clock, fs.current.author)
                  for n, fs in state.fields.items()}
        clock, author, clocks, authors = compact_fields(fields)
        return {"clock": clock, "author": author, "values": {n: f[0] for n, f in fields.items()},
                "clocks": clocks, "authors": authors}
    return {
        name: {"c": write_to_json(fs.current),
               "u": [write_to_json(w) for w in fs.unseen],
               "s": sorted(fs.superseded)}
        for name, fs in state.fields.items()
    }


def json_bytes(value: Any) -> bytes:
    """The compact JSON of ``value`` as ``Cipher.seal_json`` seals it."""
    return pydantic_core.to_json(value)


def pulled_to_json(record: PulledRecord) -> bytes:
    """The sealed form of a pulled record's state, straight from the wire (no merge).

    Its exact text in the page when there is one (the ``RecordChange``, identity included,
    read back as the compact form), else that form serialised.
    """
    if record.raw is not None:
        return record.raw
    return pydantic_core.to_json({"clock": record.clock, "author": record.author,
                                  "values": record.values, "clocks": record.clocks,
                                  "authors": record.authors})


def top_clock(data: dict[str, Any]) -> str:
    """The highest current clock in ``state_to_json``'s output (either form), read straight
    from the JSON without building the state."""
    if isinstance(data.get("clock"), str):
        return str(max([data["clock"], *data.get("clocks", {}).values()]))
    return max(str(f["c"][1]) for f in data.values())


def state_from_json(record_id: str, kind: str, community: str, data: dict[str, Any]
                    ) -> RecordState:
    """Inverse of ``state_to_json`` (either form; the clocks are checked again)."""
    if isinstance(data.get("clock"), str):
        clock, author = data["clock"], data.get("author", "")
        clocks, authors = data.get("clocks", {}), data.get("authors", {})
        fields = {name: FieldState.of(FieldWrite(v, clocks.get(name, clock), (),
                                                 authors.get(name, author)))
                  for name, v in data["values"].items()}
        return RecordState(record_id, kind, community, fields)
    fields = {
        name: FieldState(write_from_json(f["c"]), tuple(write_from_json(w) for w in f["u"]),
                         frozenset(f["s"]))
        for name, f in data.items()
    }
    return RecordState(record_id, kind, community, fields)


@dataclass(frozen=True, slots=True)
class PendingChange:
    """One outbox entry, decrypted: the writes one save made to one record."""

    seq: int
    mutation_id: uuid.UUID
    record_id: str
    kind: str
    community: str
    created_ms: int
    writes: dict[str, FieldWrite]

    def to_state(self) -> RecordState:
        """The change as a merge state."""
        return state_from_writes(self.record_id, self.kind, self.community, self.writes)

    def to_mutation(self) -> Mutation:
        """The wire form the sync client pushes (the server stamps the author)."""
        return Mutation(
            mutation_id=self.mutation_id,
            record_id=uuid.UUID(self.record_id),
            kind=RecordKind(self.kind),
            community=CommunityCode(self.community),
            fields={name: WireWrite(value=w.value, clock=w.clock, supersedes=list(w.supersedes))
                    for name, w in self.writes.items()},
        )


@dataclass(frozen=True, slots=True)
class WireEntry:
    """One outbox entry, decrypted straight into the push's wire form (no merge objects).

    ``fields`` is ``{name: {"value", "clock", "supersedes"}}``, the JSON shape of
    ``Mutation.fields``; ``wire()`` the whole mutation. What a bulk push sends, built without
    a model per field write: the entries were validated when they were saved.
    """

    seq: int
    mutation_id: str
    record_id: str
    kind: str
    community: str
    fields: dict[str, dict[str, Any]]
    #: The sealed payload and what it opened to: ``acknowledge`` reuses them (not decrypting
    #: twice) for an entry whose row still holds exactly this ciphertext.
    payload_ct: bytes = field(default=b"", repr=False, compare=False)
    payload: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def opens(self, row: Any) -> bool:
        """True when ``row`` is this entry, unchanged (so its payload is ``payload``)."""
        return bool(row.payload_ct == self.payload_ct and row.mutation_id == self.mutation_id
                    and row.record_id == self.record_id and row.kind == self.kind
                    and row.community == self.community)

    def wire(self) -> dict[str, Any]:
        """The mutation as the JSON object a push carries."""
        return {"mutation_id": self.mutation_id, "record_id": self.record_id,
                "kind": self.kind, "community": self.community, "fields": self.fields}


def wire_fields(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The wire form of a sealed outbox payload (``writes_to_json``); the author stays home.

    Raises ``IndexError``/``TypeError``/``AttributeError`` on a payload of another shape.
    """
    # An empty ``supersedes`` is the default and stays out: ~2 MB of a 10,000-record push.
    return {name: ({"value": w[0], "clock": w[1], "supersedes": w[2]} if w[2]
                   else {"value": w[0], "clock": w[1]})
            for name, w in data.items()}


def base_json_of(data: dict[str, Any]) -> dict[str, Any]:
    """``state_to_json`` of the state an outbox payload's writes make on their own.

    The same form ``state_to_json`` picks: compact when no write supersedes anything (the
    usual new record), else full.
    """
    if data and not any(w[2] for w in data.values()):
        fields = {name: (w[0], w[1], w[3]) for name, w in data.items()}
        clock, author, clocks, authors = compact_fields(fields)
        return {"clock": clock, "author": author, "values": {n: f[0] for n, f in fields.items()},
                "clocks": clocks, "authors": authors}
    return {name: {"c": w, "u": [], "s": sorted(set(w[2]))} for name, w in data.items()}


def writes_to_json(writes: dict[str, FieldWrite]) -> dict[str, Any]:
    """Sealed payload of an outbox entry."""
    return {name: write_to_json(w) for name, w in writes.items()}


def writes_from_json(data: dict[str, Any]) -> dict[str, FieldWrite]:
    """Inverse of ``writes_to_json``."""
    return {name: write_from_json(w) for name, w in data.items()}
