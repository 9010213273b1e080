"""``RecordState`` <-> JSON, the form the ``record.state`` column stores.

Compact on purpose (it is read and written on every merge)::

    {"f": {"<field>": {"c": W, "u": [W, ...], "s": ["<clock>", ...]}}}
    W = [value, "<clock>", ["<superseded clock>", ...], "<author>"]

``u`` (unseen losers) and ``s`` (superseded clocks) are left out when empty.

``feed_columns`` derives, from the same JSON, what a pull needs of a record row: its
``RecordChange`` as pull pages send it (``wire``, kept so that a page is assembled from stored
text) and, for conflict records, the two authors who may pull it besides the reviewers.
"""

from __future__ import annotations

import uuid
from typing import Any

from shared_models.enums import RecordKind
from shared_models.merge import FieldState, FieldWrite, RecordState
from shared_models.pullwire import encode_change


def _write(w: FieldWrite) -> list[Any]:
    return [w.value, w.clock, list(w.supersedes), w.author]


def _unwrite(data: list[Any]) -> FieldWrite:
    return FieldWrite(data[0], data[1], tuple(data[2]), data[3])


def state_to_json(state: RecordState) -> dict[str, Any]:
    """JSON-ready form of a record's merged state (identity lives in the row's columns)."""
    fields: dict[str, Any] = {}
    for name, fs in state.fields.items():
        entry: dict[str, Any] = {"c": _write(fs.current)}
        if fs.unseen:
            entry["u"] = [_write(w) for w in fs.unseen]
        if fs.superseded:
            entry["s"] = sorted(fs.superseded)
        fields[name] = entry
    return {"f": fields}


def state_from_json(record_id: str, kind: str, community: str, data: dict[str, Any]) -> RecordState:
    """The merged state stored by ``state_to_json``."""
    fields = {
        name: FieldState(
            _unwrite(entry["c"]),
            tuple(_unwrite(w) for w in entry.get("u", ())),
            frozenset(entry.get("s", ())),
        )
        for name, entry in data["f"].items()
    }
    return RecordState(record_id, kind, community, fields)


def feed_columns(record_id: object, kind: str, community: str, position: int,
                 data: dict[str, Any]) -> dict[str, Any]:
    """The pull-side columns of a record row at ``position`` whose state JSON is ``data``.

    ``wire``: the JSON text of its ``RecordChange``. ``winner_author``/``loser_author``: on
    conflict records, who wrote the two sides (a social worker pulls a conflict only when it is
    one of them); ``None`` on every other kind.
    """
    fields = {name: (e["c"][0], e["c"][1], e["c"][3]) for name, e in data["f"].items()}
    out: dict[str, Any] = {
        "wire": encode_change(str(uuid.UUID(str(record_id))), kind, community, position, fields),
        "winner_author": None, "loser_author": None,
    }
    if kind == RecordKind.CONFLICT.value:
        for column in ("winner_author", "loser_author"):
            value = fields.get(column, (None,))[0]
            out[column] = value if isinstance(value, str) and value else None
    return out
