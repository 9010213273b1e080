"""``/api/v1/auth``: log in (register a device), log out (revoke this device); ``/api/v1/me``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sync_server import accounts
from sync_server.audit import AuditEvent, request_address, write_events
from sync_server.db import write_tx
from sync_server.deps import ClockDep, CurrentDevice, EngineDep, SettingsDep
from sync_server.permissions import scope
from sync_server.schemas import LoginRequest, LoginResponse, MeResponse

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=LoginResponse)
def login(body: LoginRequest, request: Request, engine: EngineDep, settings: SettingsDep,
          clock: ClockDep) -> LoginResponse:
    """Check the password and register this device; the token is shown only here."""
    request.state.actor = body.username[:64]
    result = accounts.login(
        engine, username=body.username, password=body.password, device_name=body.device_name,
        address=request_address(request), settings=settings)
    return LoginResponse(
        token=result.token, device_id=result.device_id, user=result.username, role=result.role,
        communities=sorted(scope(result.role, result.communities)),
        server_clock=clock.now().encode())


@router.post("/auth/logout", status_code=204)
def logout(principal: CurrentDevice, engine: EngineDep, request: Request) -> None:
    """Revoke the calling device's token (the app forgets it too)."""
    with write_tx(engine) as conn:
        accounts.revoke_device(conn, device_id=principal.device_id)
        write_events(conn, [AuditEvent("logout", "ok", actor=principal.username,
                                       device_id=principal.device_id,
                                       address=request_address(request))])


@router.get("/me", response_model=MeResponse)
def me(principal: CurrentDevice, clock: ClockDep) -> MeResponse:
    """The signed-in user, role, device and communities."""
    return MeResponse(user=principal.username, role=principal.role,
                      device_id=principal.device_id,
                      communities=sorted(principal.communities),
                      server_clock=clock.now().encode())
