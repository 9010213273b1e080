"""Families closed with the old ``closed`` flag become closed cases (closure reason ``legacy``).

The case cycle closes a case, not a family. Every family whose merged state has ``closed``
true gets a closed ``case`` record with the id ``shared_models.cases.legacy_case_id(family)``
and the values of ``shared_models.cases.legacy_case_values`` (the family, and the day of the
family's closing write as the case's request and closure day), written as a push writes a
record: its ``record`` row (merged state JSON, the next feed position of its community, the
pull text from ``statejson.feed_columns``), its typed ``case`` row, a ``mutation_history`` row
(author ``server``, no mutation id) and an ``audit_log`` row per community. So every device
pulls it; a device's own store migration makes the same id with the same values, and the two
copies merge into one record without a conflict. ``Family.closed`` itself is left as it is (a
retired field that older app versions still send).

Going down deletes those cases again (record, typed row, history; the audit rows stay, the
log is append-only): the families still carry the flag they were made from.

The tables are declared here as they are at this revision (not imported from the code,
which moves on).

Revision ID: 0007_legacy_cases
Revises: 0006_case_cycle
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared_models.cases import legacy_case_id, legacy_case_values
from shared_models.clock import HLC, wall_clock_ms
from sync_server.statejson import feed_columns

revision = "0007_legacy_cases"
down_revision = "0006_case_cycle"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TZ = sa.DateTime(timezone=True)
#: Who wrote the cases (as the server's conflict records are written by ``server``).
AUTHOR = "server"
#: Node of the clock the writes carry: these writes were made by this migration.
NODE = "migration-0007"
#: Most record ids in one audit row (``audit.MAX_IDS``).
_IDS_PER_AUDIT = 500
#: Every field of a case at this revision with its default: the written record is complete,
#: as a device's create is.
CASE_DEFAULTS: dict[str, Any] = {
    "deleted": False, "reporter_kind": "family", "reporter_name": "",
    "reporter_consent": False, "request_summary": "", "assigned_worker": None,
    "reopens": None, "plan_agreed_on": None, "plan_agreed_by": "", "support_start": None,
    "planned_end": None, "extension_decision_date": None, "extension_reason": "",
    "extended_end": None, "closure_result": None, "closure_notes": "",
}
_DATES = ("opened_on", "plan_agreed_on", "support_start", "planned_end",
          "extension_decision_date", "extended_end", "closed_on")
_IDS = ("family_id", "reopens")

_RECORD = sa.table(
    "record", sa.column("id", sa.Uuid()), sa.column("kind", sa.String()),
    sa.column("community", sa.String()), sa.column("position", sa.BigInteger()),
    sa.column("deleted", sa.Boolean()), sa.column("state", _JSON),
    sa.column("updated_at", _TZ), sa.column("wire", sa.Text()),
    sa.column("winner_author", sa.String()), sa.column("loser_author", sa.String()))
_FAMILY = sa.table("family", sa.column("id", sa.Uuid()), sa.column("closed", sa.Boolean()))
_CASE = sa.table(
    "case", sa.column("id", sa.Uuid()), sa.column("community", sa.String()),
    sa.column("updated_at", _TZ), sa.column("deleted", sa.Boolean()),
    sa.column("family_id", sa.Uuid()), sa.column("reopens", sa.Uuid()),
    *(sa.column(name, sa.Date()) for name in _DATES),
    *(sa.column(name, sa.Boolean()) for name in ("reporter_consent",)),
    *(sa.column(name, sa.String()) for name in (
        "reporter_kind", "reporter_name", "request_summary", "assigned_worker",
        "plan_agreed_by", "extension_reason", "closure_reason", "closure_result",
        "closure_notes")))
_COUNTER = sa.table("feed_counter", sa.column("community", sa.String()),
                    sa.column("position", sa.BigInteger()))
_HISTORY = sa.table(
    "mutation_history", sa.column("record_id", sa.Uuid()), sa.column("kind", sa.String()),
    sa.column("community", sa.String()), sa.column("author", sa.String()),
    sa.column("writes", _JSON), sa.column("mutation_id", sa.Uuid()),
    sa.column("recorded_at", _TZ))
_AUDIT = sa.table(
    "audit_log", sa.column("at", _TZ), sa.column("actor", sa.String()),
    sa.column("device_id", sa.Uuid()), sa.column("action", sa.String()),
    sa.column("outcome", sa.String()), sa.column("community", sa.String()),
    sa.column("record_ids", _JSON), sa.column("detail", sa.String()),
    sa.column("address", sa.String()))


def _closed_families(conn: sa.Connection) -> list[tuple[uuid.UUID, str, str]]:
    """(family id, community, clock of its ``closed`` write) of every family closed now."""
    rows = conn.execute(
        sa.select(_RECORD.c.id, _RECORD.c.community, _RECORD.c.state)
        .select_from(_RECORD.join(_FAMILY, _FAMILY.c.id == _RECORD.c.id))
        .where(_RECORD.c.kind == "family", _FAMILY.c.closed.is_(True))
        .order_by(_RECORD.c.community, _RECORD.c.id)).all()
    out = []
    for rid, community, state in rows:
        closed = state["f"].get("closed", {}).get("c")
        if closed is not None and closed[0] is True:  # the typed row follows the state
            out.append((uuid.UUID(str(rid)), community, closed[1]))
    return out


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """The typed row's values from JSON values (dates and ids as their Python types)."""
    out = dict(values)
    for name in _DATES:
        if out.get(name) is not None:
            out[name] = date.fromisoformat(out[name])
    for name in _IDS:
        if out.get(name) is not None:
            out[name] = uuid.UUID(out[name])
    return out


def upgrade() -> None:
    """Write a closed legacy case for every family closed with the old flag."""
    conn = op.get_bind()
    now = datetime.now(UTC)
    families = _closed_families(conn)
    existing = {uuid.UUID(str(rid)) for rid in conn.execute(
        sa.select(_RECORD.c.id).where(_RECORD.c.kind == "case")).scalars()}
    by_community: dict[str, list[tuple[uuid.UUID, dict[str, Any]]]] = {}
    for family_id, community, closed_clock in families:
        case_id = legacy_case_id(family_id)
        if case_id not in existing:  # already there: nothing to add
            values = {**CASE_DEFAULTS, **legacy_case_values(family_id, closed_clock)}
            by_community.setdefault(community, []).append((case_id, values))
    clock = HLC(wall_clock_ms(), 0, NODE).encode()
    for community, cases in by_community.items():
        last = conn.execute(
            sa.update(_COUNTER).where(_COUNTER.c.community == community)
            .values(position=_COUNTER.c.position + len(cases))
            .returning(_COUNTER.c.position)).scalar_one()
        records, typed, history = [], [], []
        for position, (case_id, values) in enumerate(cases, start=last - len(cases) + 1):
            state = {"f": {name: {"c": [value, clock, [], AUTHOR]}
                           for name, value in values.items()}}
            records.append({"id": case_id, "kind": "case", "community": community,
                            "position": position, "deleted": False, "state": state,
                            "updated_at": now,
                            **feed_columns(case_id, "case", community, position, state)})
            typed.append({"id": case_id, "community": community, "updated_at": now,
                          **_typed(values)})
            history.append({"record_id": case_id, "kind": "case", "community": community,
                            "author": AUTHOR, "mutation_id": None, "recorded_at": now,
                            "writes": {name: [value, clock] for name, value in values.items()}})
        conn.execute(sa.insert(_RECORD), records)
        conn.execute(sa.insert(_CASE), typed)
        conn.execute(sa.insert(_HISTORY), history)
        ids = [str(case_id) for case_id, _values in cases]
        conn.execute(sa.insert(_AUDIT), [
            {"at": now, "actor": AUTHOR, "device_id": None, "action": "legacy_case",
             "outcome": "ok", "community": community,
             "record_ids": ids[i:i + _IDS_PER_AUDIT], "address": None,
             "detail": f"{revision}: closed families -> closed cases ({len(cases)})"}
            for i in range(0, len(ids), _IDS_PER_AUDIT)])


def downgrade() -> None:
    """Delete the legacy cases again (the families keep their flag)."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_CASE.c.id, _CASE.c.family_id)
                        .where(_CASE.c.closure_reason == "legacy")).all()
    ids = [uuid.UUID(str(cid)) for cid, fid in rows
           if uuid.UUID(str(cid)) == legacy_case_id(uuid.UUID(str(fid)))]
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        conn.execute(sa.delete(_HISTORY).where(_HISTORY.c.record_id.in_(chunk)))
        conn.execute(sa.delete(_CASE).where(_CASE.c.id.in_(chunk)))
        conn.execute(sa.delete(_RECORD).where(_RECORD.c.id.in_(chunk)))
