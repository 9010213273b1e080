"""Records and conflicts in a real store, as a pull from the server leaves them.

``pull_family`` stores a family the way the feed sends it; ``pull_conflict`` then stores the
outcome of two offline edits of one field: the record with the later edit, and the server's
conflict record naming both (``shared_models.records.Conflict``).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from field_app.store import LocalStore
from shared_models.clock import HLC
from shared_models.protocol import RecordChange

_position = iter(range(1, 1_000_000))


def clock(offset_ms: int = 0, node: str = "server") -> str:
    """A clock near now (``offset_ms`` from now), on ``node``."""
    return HLC(int(time.time() * 1000) - 60_000 + offset_ms, 0, node).encode()


def pull(store: LocalStore, kind: str, record_id: uuid.UUID | str, values: dict[str, Any],
         *, at: str, author: str, community: str = "zhytomyrska") -> None:
    """Store a record as the feed sends it (every field at one clock and author)."""
    change = RecordChange.of(record_id, kind, community, next(_position),
                             {n: (v, at, author) for n, v in values.items()})
    store.apply_pull([change], {community: change.position})


def pull_family(store: LocalStore, family_id: uuid.UUID, *, family_name: str = "Коваленко",
                settlement: str = "Малин", author: str = "olena", **more: Any) -> str:
    """A family pulled from the server; returns the clock of its fields."""
    at = clock(0, "dolena")
    pull(store, "family", family_id, {"deleted": False, "family_name": family_name,
                                      "settlement": settlement, "address": "", **more},
         at=at, author=author)
    return at


def pull_conflict(store: LocalStore, *, kind: str = "family", record_id: uuid.UUID,
                  field: str = "address", winner: Any = "вул. Садова, 5",
                  loser: Any = "вул. Садова, 3", winner_author: str = "petro",
                  loser_author: str = "olena", base_values: dict[str, Any] | None = None,
                  with_record: bool = True) -> uuid.UUID:
    """Two offline edits of ``field``: the record with the winner, and the conflict record
    (only the conflict record when not ``with_record``: the record is not on the phone)."""
    loser_clock = clock(1_000, "dloser")
    winner_clock = clock(2_000, "dwinner")
    if with_record:
        pull(store, kind, record_id, {**(base_values or {}), field: winner}, at=winner_clock,
             author=winner_author)
    conflict_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{record_id}/{field}/{loser_clock}")
    pull(store, "conflict", conflict_id, {
        "deleted": False, "record_kind": kind, "record_id": str(record_id), "field": field,
        "winner_value": winner, "winner_clock": winner_clock, "winner_author": winner_author,
        "loser_value": loser, "loser_clock": loser_clock, "loser_author": loser_author,
        "status": "open", "resolved_by": None,
    }, at=clock(3_000), author="server")
    return conflict_id
