"""Checks that a record's references name records of the right kind in the same community.

Every kind that names other records is checked on push when a change writes the naming
field (`docs/sync-protocol.md`, Push):

* a person, a visit and a note name their family (``family_id``); a visit names the people
  present (``present``), a note the note it corrects (``corrects``): each must be a record of
  that kind in the record's own community. A *deleted* one counts: a visit made offline on a
  family that another device deleted meanwhile is kept (the worker's text is never lost) and
  shown on devices as belonging to a deleted family. A reference to a record the server never
  had, or had in another community or as another kind, is refused (``reference_missing``).
* the case cycle's records: a case names its family (``family_id``) and the case it reopens
  (``reopens``); a needs assessment names its case and family (``case_id``, ``family_id``),
  the people who took part (``participants``) and each child it describes (``children``,
  by ``person_id``); a plan task its case, family and the member
  responsible (``responsible_person_id``); a visit the plan tasks it ticks (``plan_tasks``).
  The same rule: a record of that kind in the same community, stored or earlier in the batch
  (a deleted one counts). An assessment's and a plan task's case must also be a case of
  *their* family (``case_family_problem``: ``validation_error``, "Цей випадок належить іншій
  сім'ї"), whichever of the two fields the change writes.
* a foster-care placement names a child (a ``person``), a foster family (a ``family`` marked
  ``foster_family``) and, optionally, the child's own family: these must also be live.
* reviews name their target; ``push`` checks those (four eyes needs the target's author).

A record created earlier in the same batch counts; one created later in the batch does not
(the device sends its outbox in order, so a family always comes before its members).
The child kinds' checks need only each named record's kind, community and tombstone, read for
a whole batch with one query (``read_refs``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection, String, bindparam, select, type_coerce

from shared_models.enums import RecordKind
from shared_models.merge import RecordState
from shared_models.messages import MESSAGES
from shared_models.protocol import ErrorCode
from shared_models.records import Placement
from sync_server.feed import RECORDS as _RECORDS

#: Fields of a placement that name other records; a change to one of them is checked.
PLACEMENT_REFERENCES = frozenset({"child_id", "foster_family_id", "birth_family_id"})
#: Per kind, the fields naming other records and the kind each must name.
CHILD_REFERENCES: dict[RecordKind, dict[str, RecordKind]] = {
    RecordKind.PERSON: {"family_id": RecordKind.FAMILY},
    RecordKind.VISIT: {"family_id": RecordKind.FAMILY, "present": RecordKind.PERSON,
                       "plan_tasks": RecordKind.PLAN_TASK},
    RecordKind.NOTE: {"family_id": RecordKind.FAMILY, "corrects": RecordKind.NOTE},
    RecordKind.CASE: {"family_id": RecordKind.FAMILY, "reopens": RecordKind.CASE},
    RecordKind.ASSESSMENT: {"case_id": RecordKind.CASE, "family_id": RecordKind.FAMILY,
                            "participants": RecordKind.PERSON, "children": RecordKind.PERSON},
    RecordKind.PLAN_TASK: {"case_id": RecordKind.CASE, "family_id": RecordKind.FAMILY,
                           "responsible_person_id": RecordKind.PERSON},
}
#: Kinds that belong to a case of their family: a change writing one of ``CASE_LINK`` is
#: checked against the case's ``family_id`` (its state is read with the batch's records).
CASE_CHILDREN = frozenset({RecordKind.ASSESSMENT, RecordKind.PLAN_TASK})
CASE_LINK = frozenset({"case_id", "family_id"})

#: Kind, community and tombstone of the named records (no state JSON: nothing to parse).
_SELECT_REFS = (select(_RECORDS.c.id, _RECORDS.c.kind, _RECORDS.c.community,
                       _RECORDS.c.deleted)
                .where(_RECORDS.c.id.in_(bindparam("ids", expanding=True))))
#: The same on SQLite, ids as the 32 hex digits it stores: no ``UUID`` object either way
#: (building them was most of this query's cost in a bulk push).
_HEX_ID = type_coerce(_RECORDS.c.id, String)
_SELECT_REFS_HEX = (select(_HEX_ID, _RECORDS.c.kind, _RECORDS.c.community, _RECORDS.c.deleted)
                    .where(_HEX_ID.in_(bindparam("ids", expanding=True))))


#: An id as devices send it (canonical: lower-case, hyphenated), taken without parsing.
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: ``CHILD_REFERENCES`` as plain tuples, for the per-mutation loops of a bulk push.
_NAMING = {kind: tuple((name, target.value) for name, target in fields.items())
           for kind, fields in CHILD_REFERENCES.items()}


class Named(Protocol):
    """What a reference check needs of a named record (a ``Ref``, a merge state, a record
    created in the batch)."""

    @property
    def kind(self) -> str: ...
    @property
    def community(self) -> str: ...
    @property
    def deleted(self) -> bool: ...


class Ref(NamedTuple):
    """A stored record as ``read_refs`` gives it."""

    kind: str
    community: str
    deleted: bool


def _message(field: str, code: str) -> str:
    uk, en = MESSAGES[code]
    return f"{field}: {uk} ({en})"


def _id(item: Any) -> str | None:
    """The canonical form of an id as sent (``None``: not an id; the model refuses it)."""
    if type(item) is str and _CANONICAL.fullmatch(item):
        return item
    try:
        return str(uuid.UUID(str(item)))
    except ValueError:
        return None


def _ids(value: Any) -> list[str]:
    """The ids a wire value names: one id, or a list of them (``present``)."""
    if type(value) is str:
        one = _id(value)
        return [one] if one is not None else []
    if type(value) is list:
        # An assessment's ``children`` are objects naming their child by ``person_id``.
        items = (v.get("person_id") if type(v) is dict else v for v in value)
        return [rid for rid in map(_id, items) if rid is not None]
    return []  # None, or not an id at all


def named_ids(kind: RecordKind, fields: Mapping[str, Any]) -> list[str]:
    """Canonical ids a mutation's wire writes name in a child kind's reference fields."""
    out: list[str] = []
    for name, _ in _NAMING.get(kind, ()):
        w = fields.get(name)
        if w is not None:
            out += _ids(w.get("value"))
    return out


def read_refs(conn: Connection, ids: Iterable[str]) -> dict[str, Ref | None]:
    """Kind, community and tombstone of stored records by id (one query; ``None``: absent)."""
    wanted = list(dict.fromkeys(ids))
    out: dict[str, Ref | None] = dict.fromkeys(wanted)
    if not wanted:
        return out
    if conn.dialect.name == "sqlite":
        canonical = {rid.replace("-", ""): rid for rid in wanted}
        for hex_id, kind, community, deleted in conn.execute(
                _SELECT_REFS_HEX, {"ids": list(canonical)}):
            out[canonical[hex_id]] = Ref(kind, community, bool(deleted))
        return out
    for rid, kind, community, deleted in conn.execute(
            _SELECT_REFS, {"ids": [uuid.UUID(i) for i in wanted]}):
        out[str(rid)] = Ref(kind, community, bool(deleted))
    return out


def child_problem(kind: RecordKind, community: str, fields: Mapping[str, Any],
                  ref: Callable[[str], Named | None]) -> str | None:
    """Why the references a change writes (its wire ``fields``) cannot stand, or ``None``.

    Called once the record passed its model's validation, so the values are ids. ``ref(id)``
    gives the named record as the batch has it (``None``: the server holds none). A deleted
    record counts: children of a deleted family are kept, see the module's doc.
    """
    for name, target in _NAMING.get(kind, ()):
        w = fields.get(name)
        if w is None:
            continue
        for rid in _ids(w.get("value")):
            found = ref(rid)
            if found is None or found.kind != target or found.community != community:
                return _message(name, "reference_missing")
    return None


def case_family_problem(record: Any, states: Mapping[str, RecordState],
                        load: Callable[[list[str]], None]) -> tuple[ErrorCode, str] | None:
    """Why an assessment's or plan task's case is not a case of its family (``None``: it is).

    Called after ``child_problem`` accepted the case id, so the case is a case of the
    record's community; ``load(ids)`` reads records into ``states``.
    """
    case_id = str(record.case_id)
    load([case_id])
    case = states.get(case_id)
    if case is None:  # not expected: child_problem found it
        return ErrorCode.REFERENCE_MISSING, _message("case_id", "reference_missing")
    if case.values().get("family_id") != str(record.family_id):
        return ErrorCode.VALIDATION, _message("case_id", "case_other_family")
    return None


def placement_problem(placement: Placement, states: Mapping[str, RecordState],
                      load: Callable[[list[str]], None]) -> tuple[ErrorCode, str] | None:
    """Why ``placement``'s references cannot stand (``None`` when they can).

    ``load(ids)`` reads records into ``states``; readable messages name the field.
    """
    wanted = {"child_id": (placement.child_id, RecordKind.PERSON),
              "foster_family_id": (placement.foster_family_id, RecordKind.FAMILY)}
    if placement.birth_family_id is not None:
        wanted["birth_family_id"] = (placement.birth_family_id, RecordKind.FAMILY)
    load([str(rid) for rid, _ in wanted.values()])
    for field, (rid, kind) in wanted.items():
        state = states.get(str(rid))
        if (state is None or state.kind != kind.value
                or state.community != placement.community.value or state.deleted):
            return ErrorCode.REFERENCE_MISSING, _message(field, "placement_reference_missing")
    foster = states[str(placement.foster_family_id)]
    if foster.values().get("foster_family") is not True:
        return ErrorCode.VALIDATION, _message("foster_family_id", "placement_not_foster_family")
    return None
