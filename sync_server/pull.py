"""Pull: one page of the change feed across the communities the user may see.

Each community is read from its cursor (missing cursors start at 0) in position order, up to
the page limit in total; ``limit + 1`` rows tell whether more follows. A record appears once,
at its latest position, with its full current state — the ``wire`` text stored with the row
(``statejson.feed_columns``), so a page is assembled from stored text, not re-serialised.

Conflict records go to the reviewers of the community (supervisors, coordinators, admins)
and to the social workers who wrote one of their sides; no other worker receives them. The
cursor still moves past what the filter leaves out: when a community's rows did not fill the
page, its cursor becomes the community's head, read *before* the rows — every position up to
the head was committed then (see ``feed``), so the query saw all of them and none is skipped.

``purge`` lists communities the device holds data of (pulled before, or named in ``since``)
that the user may no longer see; the device deletes them and drops their cursors, which also
ends the purge notice.

``rescan`` covers a role change that moves the conflict filter (a worker promoted to
supervisor, or the reverse): the device says which role its held feed was served as (the
``role`` of its last page, sent back as ``served_as``); when that role and the current one
filter conflicts differently, every community whose cursor is past 0 is answered with cursor
0 and none of its records, and named in ``rescan``. The device drops those communities'
conflict records and cursors in one transaction and reads them again from the start, now
filtered by the current role. Nothing is kept on the server: the notice repeats on every page
until the device asks from 0, so a lost answer loses nothing, and a device that signed in
again on the same store (a new device id) still knows what it holds. Old devices send no
role and get no rescan (they store the cursor 0 of a rescan page if one ever reached them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, insert, select

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.protocol import PullResponse
from shared_models.pullwire import encode_page
from sync_server.audit import AuditEvent, write_events
from sync_server.db import read_tx, write_tx
from sync_server.feed import head_positions, read_page
from sync_server.permissions import Principal, sees_all_conflicts
from sync_server.tables import DeviceCommunity, table_of

DEVICE_COMMUNITIES = table_of(DeviceCommunity)


@dataclass(frozen=True, slots=True)
class PullPage:
    """One page: the records' stored wire texts, the cursors after them, and the notices."""

    changes: list[str]
    cursors: dict[str, int]
    more: bool
    server_clock: str
    purge: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    role: str | None = None
    rescan: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        """The page as the JSON body of a ``PullResponse``."""
        return encode_page(self.changes, self.cursors, self.more, self.purge, self.server_clock,
                           role=self.role, rescan=self.rescan)

    def to_response(self) -> PullResponse:
        """The page as the validated protocol model (for in-process callers and tests)."""
        return PullResponse.model_validate_json(self.to_json())


def _tracked(conn: Connection, device_id: uuid.UUID) -> set[str]:
    return set(conn.execute(select(DEVICE_COMMUNITIES.c.community)
                            .where(DEVICE_COMMUNITIES.c.device_id == device_id)).scalars())


def rescan_needed(principal: Principal, served_as: Role | None,
                  since: dict[CommunityCode, int]) -> list[str]:
    """Communities to read again from 0: the device's cursors ran past conflict records that
    ``principal``'s role filters differently from ``served_as`` (see the module docstring)."""
    if served_as is None or sees_all_conflicts(served_as) == sees_all_conflicts(principal.role):
        return []
    return sorted(c.value for c in principal.communities if since.get(c, 0) > 0)


def pull(
    engine: Engine,
    *,
    principal: Principal,
    since: dict[CommunityCode, int],
    limit: int,
    clock: HybridClock,
    served_as: Role | None = None,
) -> PullPage:
    """The next page after ``since`` for ``principal``'s device (``limit`` records at most).

    ``served_as``: the role the device's held feed was served as (``None``: not said).
    """
    scope = sorted(principal.communities)
    rescan = rescan_needed(principal, served_as, since)
    conflicts_of = principal.conflicts_of
    changes: list[str] = []
    ids: list[str] = []
    cursors: dict[str, int] = {}
    more = False
    with read_tx(engine) as conn:
        tracked = _tracked(conn, principal.device_id)
        heads = head_positions(conn)  # before the rows: see the module docstring
        for community in scope:
            code = community.value
            if code in rescan:  # read again from the start, at the device's next request
                cursors[code] = 0
                continue
            after = since.get(community, 0)
            room = limit - len(changes)
            rows = read_page(conn, code, after, room + 1, conflicts_of=conflicts_of)
            if len(rows) > room:
                more = True
                rows = rows[:room]
                cursors[code] = rows[-1][1] if rows else after
            else:  # every row this user may see up to the head is in this page
                cursors[code] = max(rows[-1][1] if rows else after, heads.get(code, 0))
            # Stored when the record was written, from validated values: sent as they are.
            changes.extend(wire for _id, _position, wire in rows)
            ids.extend(str(rid) for rid, _position, _wire in rows)
    more = more or bool(rescan)
    visible = {c.value for c in scope}
    purge = sorted((tracked | {c.value for c in since}) - visible)
    new = visible - tracked
    if not (changes or purge or new or rescan):
        # Nothing sent and nothing to remember: no write (most syncs of a phone that is up
        # to date). The device's ``last_seen_at`` still says when it asked.
        return PullPage(changes=changes, cursors=cursors, more=more,
                        server_clock=clock.now().encode(), role=principal.role.value)
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
            record_ids=ids,
            detail=(f"records={len(changes)} more={more} purge={','.join(purge)}"
                    + (f" rescan={','.join(rescan)}" if rescan else ""))[:300])])
    return PullPage(changes=changes, cursors=cursors, more=more, purge=purge,
                    server_clock=clock.now().encode(), record_ids=ids,
                    role=principal.role.value, rescan=rescan)
