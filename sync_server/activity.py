"""When each device last reached the server, for the supervisors' dashboard.

``device.last_seen_at`` is refreshed by ``accounts.authenticate`` on signed-in requests, at
most once per ``accounts.LAST_SEEN_GRANULARITY`` (not a write per request). A supervisor sees
the devices of the users bound to their communities; coordinators and admins see every
device. Revoked devices and deactivated accounts are left out of that list (nobody needs to
call them); ``revoked_devices`` lists them apart, with what each reported it lost by wiping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, or_, select

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.revocation import LostWorkReport
from shared_models.supervision import DeviceActivity, RevokedDevice
from sync_server.accounts import DEVICES, USER_COMMUNITIES, USERS
from sync_server.db import as_utc

#: Most devices listed (11 communities × a few workers × a few phones fits many times).
ACTIVITY_LIMIT = 2000


def _bound(conn: Connection, user_ids: Iterable[int]) -> dict[int, list[CommunityCode]]:
    """Communities of each user, sorted."""
    bound: dict[int, list[CommunityCode]] = defaultdict(list)
    wanted = sorted(set(user_ids))
    if wanted:
        for uid, code in conn.execute(select(USER_COMMUNITIES.c.user_id,
                                             USER_COMMUNITIES.c.community)
                                      .where(USER_COMMUNITIES.c.user_id.in_(wanted))):
            bound[uid].append(CommunityCode(code))
    return {uid: sorted(codes) for uid, codes in bound.items()}


def device_activity(conn: Connection, *, communities: Iterable[CommunityCode] | None
                    ) -> list[DeviceActivity]:
    """Active devices of users bound to ``communities`` (``None``: every device).

    Longest silent first (never seen before anyone seen), then by user name.
    """
    d, u, uc = DEVICES, USERS, USER_COMMUNITIES
    query = (select(d.c.id, u.c.id, u.c.username, u.c.role, d.c.name, d.c.created_at,
                    d.c.last_seen_at)
             .join(u, u.c.id == d.c.user_id)
             .where(d.c.revoked_at.is_(None), u.c.active.is_(True)))
    if communities is not None:
        wanted = sorted(c.value for c in communities)
        query = query.where(u.c.id.in_(select(uc.c.user_id).where(uc.c.community.in_(wanted))))
    rows = conn.execute(query.limit(ACTIVITY_LIMIT)).all()
    bound: dict[int, list[CommunityCode]] = defaultdict(list)
    user_ids = sorted({r[1] for r in rows})
    if user_ids:
        for uid, code in conn.execute(select(uc.c.user_id, uc.c.community)
                                      .where(uc.c.user_id.in_(user_ids))):
            bound[uid].append(CommunityCode(code))
    out = [DeviceActivity(device_id=did, user=name, role=Role(role),
                          communities=sorted(bound[uid]), name=dname,
                          created_at=as_utc(created),
                          last_seen_at=as_utc(seen) if seen else None)
           for did, uid, name, role, dname, created, seen in rows]
    out.sort(key=lambda a: (a.last_seen_at or datetime.min.replace(tzinfo=a.created_at.tzinfo),
                            a.user))
    return out


def revoked_devices(conn: Connection, *, communities: Iterable[CommunityCode] | None
                    ) -> list[RevokedDevice]:
    """Revoked devices, and devices of deactivated accounts, of users bound to
    ``communities`` (``None``: all), with what each reported it lost; latest revoked first."""
    d, u, uc = DEVICES, USERS, USER_COMMUNITIES
    query = (select(d.c.id, u.c.id, u.c.username, u.c.role, d.c.name, d.c.revoked_at,
                    u.c.active, d.c.lost_reported_at, d.c.lost_work)
             .join(u, u.c.id == d.c.user_id)
             .where(or_(d.c.revoked_at.is_not(None), u.c.active.is_(False))))
    if communities is not None:
        wanted = sorted(c.value for c in communities)
        query = query.where(u.c.id.in_(select(uc.c.user_id).where(uc.c.community.in_(wanted))))
    rows = conn.execute(query.limit(ACTIVITY_LIMIT)).all()
    bound = _bound(conn, (r[1] for r in rows))
    out = [RevokedDevice(device_id=did, user=name, role=Role(role),
                         communities=bound.get(uid, []), name=dname,
                         revoked_at=as_utc(revoked) if revoked else None,
                         account_active=bool(active),
                         lost_reported_at=as_utc(reported) if reported else None,
                         lost=LostWorkReport.model_validate(lost) if lost else None)
           for did, uid, name, role, dname, revoked, active, reported, lost in rows]
    out.sort(key=lambda r: (-(r.revoked_at.timestamp() if r.revoked_at else 0.0), r.user))
    return out
