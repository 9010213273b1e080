"""``/api/v1/devices``: when each device last reached the server and which revoked devices
reported work lost (supervisors up); ``lost-work``: the one call a revoked device may make."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from shared_models.revocation import LOST_WORK_PATH, LostWorkReport
from shared_models.supervision import DeviceActivityList
from sync_server.accounts import report_lost_work
from sync_server.activity import device_activity, revoked_devices
from sync_server.audit import request_address
from sync_server.db import read_tx
from sync_server.deps import Credentials, CurrentDevice, EngineDep
from sync_server.errors import ForbiddenError, UnauthenticatedError
from sync_server.permissions import ALL_SEEING_ROLES, DEVICE_ACTIVITY_ROLES

router = APIRouter(prefix="/devices", tags=["devices"])


@router.get("/activity", response_model=DeviceActivityList)
def activity(principal: CurrentDevice, engine: EngineDep) -> DeviceActivityList:
    """Devices of the users of the caller's communities, longest silent first.

    Supervisors see their communities' users' devices; coordinators and admins every device.
    A device's last contact is refreshed on its signed-in requests (at most every 5 minutes).
    ``revoked`` lists the same users' revoked devices (and those of deactivated accounts) with
    what each reported it lost when it wiped, if it could.
    """
    if principal.role not in DEVICE_ACTIVITY_ROLES:
        raise ForbiddenError("Активність пристроїв бачать супервізори й координатори "
                             "(device activity: supervisors, coordinators, admins)")
    scope = None if principal.role in ALL_SEEING_ROLES else principal.communities
    with read_tx(engine) as conn:
        devices = device_activity(conn, communities=scope)
        revoked = revoked_devices(conn, communities=scope)
    return DeviceActivityList(devices=devices, server_time=datetime.now(UTC), revoked=revoked)


@router.post(LOST_WORK_PATH.removeprefix("/api/v1/devices"), status_code=204,
             response_class=Response)
def lost_work(report: LostWorkReport, request: Request, engine: EngineDep,
              credentials: Credentials) -> Response:
    """A revoked device says what it is about to lose by wiping (counts only), once.

    Takes the token the server refused with ``device_revoked``: the only call such a token
    may make, and only once (a second report is 403). A live device's token is refused here.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthenticatedError()
    report_lost_work(engine, credentials.credentials, report,
                     address=request_address(request))
    return Response(status_code=204)
