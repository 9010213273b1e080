"""Edits against what the worker saw: a record as an edit form loaded it, and its writes.

``LocalStore.save(model)`` compares the model with the record as it is *now*. That is right
for a record made and saved in one go, but an edit form stays open for minutes while a sync
may bring a colleague's change of the same record. Saving that form against "now" would do
two wrong things: write back the stale values of fields the worker never touched, and claim
to supersede a colleague's value the worker never saw (a silent overwrite).

So a form keeps the ``Snapshot`` it loaded (``LocalStore.snapshot``) and saves with
``LocalStore.save(model, since=snapshot)``: only the fields the worker changed are written,
and each supersedes the clock of the value that was on screen. A colleague's concurrent
value of the same field is then not superseded, so the merge keeps it as an open conflict
(shown on the record, resolved by a person) instead of losing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared_models.changes import model_values
from shared_models.merge import FieldWrite, RecordState, canonical
from shared_models.records import Record

M = TypeVar("M", bound=Record)


@dataclass(frozen=True, slots=True)
class Snapshot(Generic[M]):
    """A record as an editor loaded it: the model and the clock of each field's value."""

    model: M
    clocks: Mapping[str, str]

    def values(self) -> dict[str, Any]:
        """JSON-ready values of the mergeable fields, as loaded."""
        return model_values(self.model)


def writes_since(model: Record, since: Snapshot[Any], previous: RecordState | None, *,
                 clock: str, author: str) -> dict[str, FieldWrite]:
    """Writes for the fields the editor changed relative to ``since``.

    A field whose value equals the loaded one is left alone (even if it has changed in the
    store since); a changed field is written superseding the loaded clock (nothing, if the
    field had no value then), unless the store already holds exactly that value.
    """
    loaded = since.values()
    writes: dict[str, FieldWrite] = {}
    for name, value in model_values(model).items():
        text = canonical(value)
        if name in loaded and canonical(loaded[name]) == text:
            continue  # untouched by this editor
        current = previous.fields.get(name) if previous is not None else None
        if current is not None and current.current.key[1] == text:
            continue  # someone made the same change already
        seen = since.clocks.get(name)
        writes[name] = FieldWrite(value, clock, (seen,) if seen else (), author)
    return writes
