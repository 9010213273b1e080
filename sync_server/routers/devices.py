"""``/api/v1/devices/activity``: when each device last reached the server (supervisors up)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from shared_models.supervision import DeviceActivityList
from sync_server.activity import device_activity
from sync_server.db import read_tx
from sync_server.deps import CurrentDevice, EngineDep
from sync_server.errors import ForbiddenError
from sync_server.permissions import ALL_SEEING_ROLES, DEVICE_ACTIVITY_ROLES

router = APIRouter(prefix="/devices", tags=["devices"])


@router.get("/activity", response_model=DeviceActivityList)
def activity(principal: CurrentDevice, engine: EngineDep) -> DeviceActivityList:
    """Devices of the users of the caller's communities, longest silent first.

    Supervisors see their communities' users' devices; coordinators and admins every device.
    A device's last contact is refreshed on its signed-in requests (at most every 5 minutes).
    """
    if principal.role not in DEVICE_ACTIVITY_ROLES:
        raise ForbiddenError("Активність пристроїв бачать супервізори й координатори "
                             "(device activity: supervisors, coordinators, admins)")
    scope = None if principal.role in ALL_SEEING_ROLES else principal.communities
    with read_tx(engine) as conn:
        devices = device_activity(conn, communities=scope)
    return DeviceActivityList(devices=devices, server_time=datetime.now(UTC))
