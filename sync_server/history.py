"""The history: every field write the server accepted, with the value it replaced.

Stored as one ``mutation_history`` row per accepted mutation, not one row per field write: a
bulk push of 10,000 new records of a dozen fields each wrote 123,000 rows, and writing them
was the largest single part of the push. The row names the record, its kind and community,
the author (every write of a mutation is its sender's), the mutation and the time; ``writes``
is a JSON object with an entry per field the mutation newly wrote::

    {"address": [value, clock]}                      superseding and replacing nothing
    {"address": [value, clock, supersedes]}          superseding earlier clocks
    {"address": [value, clock, supersedes, previous_value, previous_clock]}   replacing

(trailing empty parts are left out: a create writes the short form). ``field_writes`` reads
them back one ``HistoryWrite`` per field write, the form reports and checks use.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from sync_server.tables import MutationHistory, table_of

HISTORY = table_of(MutationHistory)
HISTORY_COLUMNS = ("record_id", "kind", "community", "author", "writes", "mutation_id",
                   "recorded_at")
#: JSON columns the push hands over as JSON text.
HISTORY_TEXT = frozenset({"writes"})


class HistoryWrite(NamedTuple):
    """One accepted field write, as ``field_writes`` gives it."""

    record_id: str
    kind: str
    community: str
    field: str
    value: Any
    clock: str
    author: str
    supersedes: list[str]
    previous_value: Any
    previous_clock: str | None
    mutation_id: str | None
    recorded_at: datetime


def entry_text(name: str, value_json: str, clock: str, supersedes_json: str = "[]", *,
               previous_json: str = "null", previous_clock: str | None = None) -> str:
    """One field's entry of ``writes`` as JSON text (``"name":[...]``), from JSON texts.

    Field names and clocks are letters, digits, ``_`` and ``-`` (checked by the wire model):
    they go into the text as they are.
    """
    if previous_clock is not None:
        return (f'"{name}":[{value_json},"{clock}",{supersedes_json},{previous_json},'
                f'"{previous_clock}"]')
    if supersedes_json != "[]":
        return f'"{name}":[{value_json},"{clock}",{supersedes_json}]'
    return f'"{name}":[{value_json},"{clock}"]'


def writes_text(entries: Iterable[str]) -> str:
    """The ``writes`` JSON object of ``entry_text`` parts."""
    return "{" + ",".join(entries) + "}"


def expand(row: Any) -> Iterator[HistoryWrite]:
    """The field writes of one ``mutation_history`` row (any object with its columns)."""
    writes: Mapping[str, list[Any]] = row.writes
    mid = str(row.mutation_id) if row.mutation_id is not None else None
    for name, entry in writes.items():
        value, clock, *rest = entry
        supersedes = rest[0] if rest else []
        previous_value, previous_clock = (rest[1], rest[2]) if len(rest) > 1 else (None, None)
        yield HistoryWrite(str(row.record_id), row.kind, row.community, name, value, clock,
                           row.author, list(supersedes), previous_value, previous_clock, mid,
                           row.recorded_at)


def field_writes(conn: Connection, record_ids: Iterable[str | uuid.UUID] | None = None
                 ) -> list[HistoryWrite]:
    """Every accepted field write (of ``record_ids`` only, when given), oldest first."""
    query = select(HISTORY).order_by(HISTORY.c.id)
    if record_ids is not None:
        query = query.where(HISTORY.c.record_id.in_([uuid.UUID(str(r)) for r in record_ids]))
    return [w for row in conn.execute(query) for w in expand(row)]
