"""Pull: one page of the change feed across the communities the user may see.

Each community is read from its cursor (missing cursors start at 0) in position order, up to
the page limit in total; ``limit + 1`` rows tell whether more follows. A record appears once,
at its latest position, with its full current state. ``purge`` lists communities the device
holds data of (pulled before, or named in ``since``) that the user may no longer see; the
device deletes them and drops their cursors, which also ends the purge notice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.protocol import PullResponse
from sync_server.audit import AuditEvent, write_events
from sync_server.db import read_tx, write_tx
from sync_server.feed import read_page
from sync_server.permissions import Principal
from sync_server.statejson import current_fields
from sync_server.tables import DeviceCommunity

DEVICE_COMMUNITIES = DeviceCommunity.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class PullPage:
    """One page in wire form (``PullResponse``'s JSON shape), built without per-field models.

    A page holds up to 1,000 records of a dozen fields; building a pydantic model per field
    cost more than reading the page from the database.
    """

    changes: list[dict[str, Any]]
    cursors: dict[str, int]
    more: bool
    server_clock: str
    purge: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        """The page as the JSON body of a ``PullResponse``."""
        body = {"changes": self.changes, "cursors": self.cursors, "more": self.more,
                "purge": self.purge, "server_clock": self.server_clock}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def to_response(self) -> PullResponse:
        """The page as the validated protocol model (for in-process callers and tests)."""
        return PullResponse.model_validate_json(self.to_json())


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
) -> PullPage:
    """The next page after ``since`` for ``principal``'s device (``limit`` records at most)."""
    scope = sorted(principal.communities)
    changes: list[dict[str, Any]] = []
    cursors: dict[str, int] = {}
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
            # Values were validated when pushed: no need to validate them again on the way out.
            changes.extend(
                {"record_id": str(rid), "kind": kind, "community": code, "position": position,
                 "fields": current_fields(state)}
                for rid, kind, code, position, state in rows)
            cursors[community.value] = rows[-1][3] if rows else after
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
            record_ids=[c["record_id"] for c in changes],
            detail=f"records={len(changes)} more={more} purge={','.join(purge)}"[:300])])
    return PullPage(changes=changes, cursors=cursors, more=more, purge=purge,
                    server_clock=clock.now().encode())
