"""Between domain models and merge states: turn an edit into field writes, a state into a model.

An editor saw some state of a record (``previous``) and saved a model; the fields that differ
become ``FieldWrite``s stamped with one clock, each superseding the clock of the value the
editor saw. That is what makes "no silent loss" work: the merge knows what each author saw.
"""

from __future__ import annotations

from typing import Any

from shared_models.merge import FieldWrite, RecordState, canonical, state_from_writes
from shared_models.records import IDENTITY_FIELDS, Record, model_class


def model_values(model: Record) -> dict[str, Any]:
    """JSON-ready values of every mergeable field of a model."""
    return model.model_dump(mode="json", exclude=set(IDENTITY_FIELDS))


def edit_writes(
    model: Record, previous: RecordState | None, *, clock: str, author: str
) -> dict[str, FieldWrite]:
    """Writes for the fields of ``model`` that differ from ``previous`` (all, for a new record)."""
    writes: dict[str, FieldWrite] = {}
    for name, value in model_values(model).items():
        old = previous.fields.get(name) if previous is not None else None
        if old is not None and old.current.key[1] == canonical(value):
            continue
        supersedes = (old.clock,) if old is not None else ()
        writes[name] = FieldWrite(value, clock, supersedes, author)
    return writes


def edit_state(
    model: Record, previous: RecordState | None, *, clock: str, author: str
) -> RecordState | None:
    """The change an edit makes, as a record state; ``None`` when nothing changed."""
    writes = edit_writes(model, previous, clock=clock, author=author)
    if not writes:
        return None
    return state_from_writes(str(model.id), model.KIND.value, model.community.value, writes)


def model_from_state(state: RecordState) -> Record:
    """Validate a merged state as its kind's model (raises pydantic's ``ValidationError``)."""
    cls = model_class(state.kind)
    return cls.model_validate({**state.values(), "id": state.id, "community": state.community})
