"""``RecordState`` <-> JSON, the form the ``record.state`` column stores.

Compact on purpose (it is read and written on every merge)::

    {"f": {"<field>": {"c": W, "u": [W, ...], "s": ["<clock>", ...]}}}
    W = [value, "<clock>", ["<superseded clock>", ...], "<author>"]

``u`` (unseen losers) and ``s`` (superseded clocks) are left out when empty.
"""

from __future__ import annotations

from typing import Any

from shared_models.merge import FieldState, FieldWrite, RecordState


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


def current_fields(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"value", "clock", "author"}}`` of the current writes (for pull pages)."""
    return {
        name: {"value": entry["c"][0], "clock": entry["c"][1], "author": entry["c"][3]}
        for name, entry in data["f"].items()
    }
