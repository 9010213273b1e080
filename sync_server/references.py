"""Checks that a record's references name records of the right kind in the same community.

A foster-care placement names a child (a ``person``), a foster family (a ``family`` marked
``foster_family``) and, optionally, the child's own family. The placement model can only check
its own dates; these checks need the other records, so push runs them (in its transaction,
on the merged states it holds) whenever a change writes one of the reference fields. A
record created earlier in the same batch counts: the batch's states already hold it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from shared_models.enums import RecordKind
from shared_models.merge import RecordState
from shared_models.messages import MESSAGES
from shared_models.records import Placement

#: Fields of a placement that name other records; a change to one of them is checked.
PLACEMENT_REFERENCES = frozenset({"child_id", "foster_family_id", "birth_family_id"})


def _message(field: str, code: str) -> str:
    uk, en = MESSAGES[code]
    return f"{field}: {uk} ({en})"


def placement_problem(placement: Placement, states: Mapping[str, RecordState],
                      load: Callable[[list[str]], None]) -> str | None:
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
            return _message(field, "placement_reference_missing")
    foster = states[str(placement.foster_family_id)]
    if foster.values().get("foster_family") is not True:
        return _message("foster_family_id", "placement_not_foster_family")
    return None
