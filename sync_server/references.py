"""Checks that a record's references name records of the right kind in the same community.

Every kind that names other records is checked on push when a change writes the naming
field (`docs/sync-protocol.md`, Push):

* a person, a visit and a note name their family (``family_id``); a visit names the people
  present (``present``), a note the note it corrects (``corrects``): each must be a record of
  that kind in the record's own community. A *deleted* one counts: a visit made offline on a
  family that another device deleted meanwhile is kept (the worker's text is never lost) and
  shown on devices as belonging to a deleted family. A reference to a record the server never
  had, or had in another community or as another kind, is refused (``reference_missing``).
* a foster-care placement names a child (a ``person``), a foster family (a ``family`` marked
  ``foster_family``) and, optionally, the child's own family: these must also be live.
* reviews name their target; ``push`` checks those (four eyes needs the target's author).

A record created earlier in the same batch counts; one created later in the batch does not
(the device sends its outbox in order, so a family always comes before its members).
The child kinds' checks need only each named record's kind, community and tombstone, read for
a whole batch with one query (``read_refs``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select

from shared_models.enums import RecordKind
from shared_models.merge import RecordState
from shared_models.messages import MESSAGES
from shared_models.protocol import ErrorCode
from shared_models.records import Placement, Record
from sync_server.feed import RECORDS as _RECORDS

#: Fields of a placement that name other records; a change to one of them is checked.
PLACEMENT_REFERENCES = frozenset({"child_id", "foster_family_id", "birth_family_id"})
#: Per kind, the fields naming other records and the kind each must name.
CHILD_REFERENCES: dict[RecordKind, dict[str, RecordKind]] = {
    RecordKind.PERSON: {"family_id": RecordKind.FAMILY},
    RecordKind.VISIT: {"family_id": RecordKind.FAMILY, "present": RecordKind.PERSON},
    RecordKind.NOTE: {"family_id": RecordKind.FAMILY, "corrects": RecordKind.NOTE},
}

#: Kind, community and tombstone of the named records (no state JSON: nothing to parse).
_SELECT_REFS = (select(_RECORDS.c.id, _RECORDS.c.kind, _RECORDS.c.community,
                       _RECORDS.c.deleted)
                .where(_RECORDS.c.id.in_(bindparam("ids", expanding=True))))


class Ref(NamedTuple):
    """What a reference check needs of a named record."""

    kind: str
    community: str
    deleted: bool


def _message(field: str, code: str) -> str:
    uk, en = MESSAGES[code]
    return f"{field}: {uk} ({en})"


def named_ids(kind: RecordKind, fields: Mapping[str, Any]) -> list[str]:
    """Canonical ids a mutation's wire writes name in a child kind's reference fields.

    Values that are not ids are left out: the model's validation refuses them.
    """
    out: list[str] = []
    for name in CHILD_REFERENCES.get(kind, {}):
        w = fields.get(name)
        if w is None:
            continue
        value = w.get("value")
        for item in value if isinstance(value, list) else (value,):
            if item is not None:
                with suppress(ValueError, TypeError, AttributeError):
                    out.append(str(uuid.UUID(str(item))))
    return out


def read_refs(conn: Connection, ids: Iterable[str]) -> dict[str, Ref | None]:
    """Kind, community and tombstone of stored records by id (one query; ``None``: absent)."""
    wanted = list(dict.fromkeys(ids))
    out: dict[str, Ref | None] = dict.fromkeys(wanted)
    if wanted:
        rows = conn.execute(_SELECT_REFS, {"ids": [uuid.UUID(i) for i in wanted]})
        for rid, kind, community, deleted in rows:
            out[str(rid)] = Ref(kind, community, bool(deleted))
    return out


def child_problem(model: Record, written: Iterable[str],
                  ref: Callable[[str], Ref | None]) -> str | None:
    """Why the references ``model`` writes (fields in ``written``) cannot stand, or ``None``.

    ``ref(id)`` gives the named record as the batch has it (``None``: the server holds none).
    A deleted record counts: children of a deleted family are kept, see the module's doc.
    """
    fields = CHILD_REFERENCES.get(model.KIND)
    if not fields:
        return None
    written = set(written)
    community = model.community.value
    for name, kind in fields.items():
        if name not in written:
            continue
        value = getattr(model, name)
        for rid in value if isinstance(value, list) else (value,):
            if rid is None:
                continue
            found = ref(str(rid))
            if found is None or found.kind != kind.value or found.community != community:
                return _message(name, "reference_missing")
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
