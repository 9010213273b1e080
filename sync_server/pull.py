"""Pull: one page of the change feed across the communities the user may see.

Each community is read from its cursor (missing cursors start at 0) in position order, up to
the page limit in total; ``limit + 1`` rows tell whether more follows. A record appears once,
at its latest position, with its full current state. ``purge`` lists communities the device
holds data of (pulled before, or named in ``since``) that the user may no longer see; the
device deletes them and drops their cursors, which also ends the purge notice.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, Engine, delete, insert, select

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind
from shared_models.protocol import PullResponse, RecordChange, WireField
from sync_server.audit import AuditEvent, write_events
from sync_server.db import read_tx, write_tx
from sync_server.feed import read_page
from sync_server.permissions import Principal
from sync_server.statejson import current_fields
from sync_server.tables import DeviceCommunity

DEVICE_COMMUNITIES = DeviceCommunity.__table__  # type: ignore[attr-defined]


def _tracked(conn: Connection, device_id: uuid.UUID) -> set[str]:
    return set(conn.execute(select(DEVICE_COMMUNITIES.c.community)
                            .where(DEVICE_COMMUNITIES.c.device_id == device_id)).scalars())


def pull(
    engine: Engine,
    *,
    principal: Principal,
    since: dict[CommunityCode, int],
    limit: int,
    clock: HybridClock,
) -> PullResponse:
    """The next page after ``since`` for ``principal``'s device (``limit`` records at most)."""
    scope = sorted(principal.communities)
    changes: list[RecordChange] = []
    cursors: dict[CommunityCode, int] = {}
    more = False
    with read_tx(engine) as conn:
        tracked = _tracked(conn, principal.device_id)
        for community in scope:
            after = since.get(community, 0)
            room = limit - len(changes)
            rows = read_page(conn, community.value, after, room + 1)
            if len(rows) > room:
                more = True
                rows = rows[:room]
            for rid, kind, code, position, state in rows:
                # Built without re-validation: these values were validated when pushed.
                fields = {n: WireField.model_construct(**f)
                          for n, f in current_fields(state).items()}
                changes.append(RecordChange.model_construct(
                    record_id=rid, kind=RecordKind(kind), community=CommunityCode(code),
                    position=position, fields=fields))
            cursors[community] = rows[-1][3] if rows else after
    visible = {c.value for c in scope}
    purge = sorted((tracked | {c.value for c in since}) - visible)
    new = visible - tracked
    with write_tx(engine) as conn:
        if purge:
            conn.execute(delete(DEVICE_COMMUNITIES).where(
                DEVICE_COMMUNITIES.c.device_id == principal.device_id,
                DEVICE_COMMUNITIES.c.community.in_(purge)))
        if new:
            conn.execute(insert(DEVICE_COMMUNITIES),
                         [{"device_id": principal.device_id, "community": c} for c in sorted(new)])
        write_events(conn, [AuditEvent(
            "pull", "ok", actor=principal.username, device_id=principal.device_id,
            record_ids=[str(c.record_id) for c in changes],
            detail=f"records={len(changes)} more={more} purge={','.join(purge)}"[:300])])
    return PullResponse(
        changes=changes, cursors=cursors, more=more,
        purge=[CommunityCode(c) for c in purge], server_clock=clock.now().encode())
