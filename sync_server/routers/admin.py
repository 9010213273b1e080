"""``/api/v1/admin``: devices for administrators (list, revoke a lost phone)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy import select

from shared_models.protocol import ErrorCode
from sync_server import accounts
from sync_server.audit import AuditEvent, write_events
from sync_server.db import as_utc, read_tx, write_tx
from sync_server.deps import AdminDevice, EngineDep
from sync_server.errors import ApiError
from sync_server.schemas import DeviceInfo, DeviceList, RevokeResponse

router = APIRouter(prefix="/admin", tags=["admin"])
DEVICE_LIST_LIMIT = 1000


@router.get("/devices", response_model=DeviceList)
def list_devices(principal: AdminDevice, engine: EngineDep) -> DeviceList:
    """Registered devices, newest first (metadata only: never tokens)."""
    d, u = accounts.DEVICES, accounts.USERS
    with read_tx(engine) as conn:
        rows = conn.execute(
            select(d.c.id, u.c.username, d.c.name, d.c.created_at, d.c.last_seen_at,
                   d.c.revoked_at).join(u, u.c.id == d.c.user_id)
            .order_by(d.c.created_at.desc()).limit(DEVICE_LIST_LIMIT)).all()
    return DeviceList(devices=[
        DeviceInfo(device_id=r[0], user=r[1], name=r[2], created_at=as_utc(r[3]),
                   last_seen_at=as_utc(r[4]) if r[4] else None,
                   revoked=r[5] is not None) for r in rows])


@router.post("/devices/{device_id}/revoke", response_model=RevokeResponse)
def revoke(device_id: uuid.UUID, principal: AdminDevice, engine: EngineDep) -> RevokeResponse:
    """Revoke a device: its next request is told to wipe its data."""
    with write_tx(engine) as conn:
        if not accounts.revoke_device(conn, device_id=device_id):
            raise ApiError(404, ErrorCode.NOT_FOUND, "Пристрій не знайдено (no such device)")
        write_events(conn, [AuditEvent("revoke_device", "ok", actor=principal.username,
                                       device_id=principal.device_id,
                                       record_ids=(str(device_id),))])
    return RevokeResponse(device_id=device_id, revoked=True)
