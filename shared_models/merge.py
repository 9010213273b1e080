"""The merge rule shared by device and server: per-field last-writer-wins, with no silent loss.

Model. Every edit of one field is a ``FieldWrite``: the new value, the clock it was made at,
and ``supersedes`` — the clocks of the values its author saw and replaced (normally one: the
value on screen when the edit began; a conflict resolution names both sides). A field's state
is, in effect, the *set* of all writes ever made to it:

* the **current** value is the write with the highest clock (ties, which only corrupt input
  can produce, break on the canonical JSON of the value, so every replica picks the same);
* a write that is not current and whose clock no known write supersedes was never seen by
  anyone who overwrote it: it is an **open conflict** (when its value differs from the current
  one), kept until someone resolves it by a write that supersedes it.

Because the state is a set union, ``merge_field`` is commutative, associative and idempotent
and any delivery order of the same writes gives the same value *and* the same conflicts.
The compact form drops superseded losers (they can never come back: sets only grow, and a
superseding write always has a higher clock), keeping ``current``, the ``unseen`` losers and
the set of ``superseded`` clocks.

Deletes are the ``deleted`` field set to ``True``: a tombstone that merges like any field, so
an edit of another field can never resurrect a record. Immutable kinds (notes, reviews)
accept each field once; ``check_change`` refuses edits before they reach the merge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared_models.clock import is_clock

DELETED = "deleted"


class MergeError(ValueError):
    """Two states or a change cannot be merged (they describe different records)."""


def canonical(value: Any) -> str:
    """Canonical JSON text of a value: equal values give equal text on every replica."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class FieldWrite:
    """One edit of one field: value, clock (encoded HLC), what it replaced, who wrote it."""

    value: Any
    clock: str
    supersedes: tuple[str, ...] = ()
    author: str = ""
    # The sort key, computed on first use and kept: merges compare keys often, but most
    # pulled writes (new records) are never compared at all.
    _key: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False,
                                         hash=False)

    def __post_init__(self) -> None:
        if not is_clock(self.clock):
            raise MergeError(f"not a clock value: {self.clock!r}")
        for seen in self.supersedes:
            if not is_clock(seen):
                raise MergeError(f"not a clock value in supersedes: {seen!r}")
            if seen >= self.clock:
                raise MergeError(
                    f"write at {self.clock} claims to supersede a later or equal clock {seen}"
                )

    @property
    def key(self) -> tuple[str, str]:
        """Total order of writes: clock first, canonical value as the tie-break."""
        key = self._key
        if key is None:
            key = (self.clock, canonical(self.value))
            object.__setattr__(self, "_key", key)
        return key


@dataclass(frozen=True, slots=True)
class FieldState:
    """Merged state of one field (compact form of the set of its writes)."""

    current: FieldWrite
    unseen: tuple[FieldWrite, ...] = ()
    superseded: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, write: FieldWrite) -> FieldState:
        """State holding a single write."""
        return cls(write, (), frozenset(write.supersedes))

    @property
    def value(self) -> Any:
        """The field's current value."""
        return self.current.value

    @property
    def clock(self) -> str:
        """The clock of the current value."""
        return self.current.clock

    def conflicts(self) -> list[FieldWrite]:
        """Losing writes nobody saw whose value differs from the current one (oldest first)."""
        if not self.unseen:
            return []
        cur = self.current.key[1]
        return [w for w in self.unseen if w.key[1] != cur]


def merge_field(a: FieldState, b: FieldState) -> FieldState:
    """Join of two states of the same field. Commutative, associative, idempotent."""
    if a == b:
        return a
    if not a.unseen and not b.unseen and a.superseded <= b.superseded and (
            a.current.key == b.current.key or a.current.clock in b.superseded):
        # ``b`` already holds or supersedes ``a``'s only write (the common case: a newer edit).
        return b
    superseded = a.superseded | b.superseded
    writes: dict[tuple[str, str], FieldWrite] = {}
    for w in (a.current, b.current, *a.unseen, *b.unseen):
        writes.setdefault(w.key, w)
    current_key = max(writes)
    current = writes.pop(current_key)
    unseen = tuple(writes[k] for k in sorted(writes) if writes[k].clock not in superseded)
    return FieldState(current, unseen, superseded)


@dataclass(frozen=True, slots=True)
class RecordState:
    """Merged state of one record: identity plus one ``FieldState`` per field written."""

    id: str
    kind: str
    community: str
    fields: Mapping[str, FieldState]

    def values(self) -> dict[str, Any]:
        """Current value of every field."""
        return {name: fs.value for name, fs in self.fields.items()}

    def clocks(self) -> dict[str, str]:
        """Clock of every field's current value (what an editor passes as ``supersedes``)."""
        return {name: fs.clock for name, fs in self.fields.items()}

    @property
    def deleted(self) -> bool:
        """True when the record carries a tombstone."""
        fs = self.fields.get(DELETED)
        return bool(fs and fs.value is True)

    @property
    def max_clock(self) -> str:
        """Highest clock of any field (the record's last change)."""
        return max(fs.clock for fs in self.fields.values())

    def conflicts(self) -> dict[str, list[FieldWrite]]:
        """Open conflicts per field (fields without any are left out)."""
        out = {name: fs.conflicts() for name, fs in self.fields.items()}
        return {name: ws for name, ws in out.items() if ws}


def state_from_writes(
    record_id: str, kind: str, community: str, writes: Mapping[str, FieldWrite]
) -> RecordState:
    """A record state holding exactly the given writes (one per field)."""
    return RecordState(record_id, kind, community,
                       {name: FieldState.of(w) for name, w in writes.items()})


def merge_records(a: RecordState, b: RecordState) -> RecordState:
    """Field-by-field join of two states of the same record."""
    if (a.id, a.kind, a.community) != (b.id, b.kind, b.community):
        raise MergeError(
            f"cannot merge {a.kind} {a.id} ({a.community}) with {b.kind} {b.id} ({b.community})"
        )
    fields = dict(a.fields)
    for name, fs in b.fields.items():
        fields[name] = merge_field(fields[name], fs) if name in fields else fs
    return RecordState(a.id, a.kind, a.community, fields)


def merge_all(states: Iterable[RecordState]) -> RecordState:
    """Join of one or more states of the same record."""
    it = iter(states)
    try:
        acc = next(it)
    except StopIteration:
        raise MergeError("merge_all needs at least one state") from None
    for s in it:
        acc = merge_records(acc, s)
    return acc


#: Kinds whose fields are written once: a correction is a new record pointing at the old one.
IMMUTABLE_KINDS = frozenset({"note", "review"})


def check_change(existing: RecordState | None, change: RecordState) -> str | None:
    """Why ``change`` may not be applied to ``existing`` (``None`` when it may).

    Refuses: a change that moves a record to another community or kind, and any edit to an
    immutable kind's field once written (a repeat of the same write is fine: idempotent).
    """
    if existing is None:
        return None
    if existing.kind != change.kind:
        return f"record {change.id} is a {existing.kind}, not a {change.kind}"
    if existing.community != change.community:
        return f"record {change.id} belongs to another community and cannot be moved"
    if change.kind in IMMUTABLE_KINDS:
        for name, fs in change.fields.items():
            old = existing.fields.get(name)
            if old is not None and old.current.key != fs.current.key:
                return f"a {change.kind} cannot be edited: add a new one that refers to it"
    return None


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    """What applying a change did: the new state and the conflicts it opened or closed."""

    state: RecordState
    changed: bool
    opened: dict[str, list[FieldWrite]]
    closed: dict[str, list[FieldWrite]]


def _conflict_keys(state: RecordState | None) -> dict[str, set[tuple[str, str]]]:
    if state is None:
        return {}
    return {name: {w.key for w in ws} for name, ws in state.conflicts().items()}


def apply_change(existing: RecordState | None, change: RecordState) -> MergeOutcome:
    """Merge ``change`` into ``existing`` and report which conflicts opened and closed.

    The caller checks ``check_change`` first; this function only merges.
    """
    merged = change if existing is None else merge_records(existing, change)
    before, after = _conflict_keys(existing), _conflict_keys(merged)
    opened: dict[str, list[FieldWrite]] = {}
    closed: dict[str, list[FieldWrite]] = {}
    for name in set(before) | set(after):
        b, a = before.get(name, set()), after.get(name, set())
        if a - b:
            opened[name] = [w for w in merged.fields[name].unseen if w.key in a - b]
        if b - a and existing is not None:
            closed[name] = [w for w in existing.fields[name].unseen if w.key in b - a]
    return MergeOutcome(merged, merged != existing, opened, closed)
