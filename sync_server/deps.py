"""FastAPI dependencies and their ``Annotated`` aliases: settings, engine, clock, principal.

``check_protocol`` runs first on every ``/api/v1`` route: a missing header is a 400, a version
we do not speak a 426, both with code ``unsupported_protocol`` and an "update the app" text.

Dependencies that only read the app's state or the request are ``async def``: FastAPI runs a
plain ``def`` dependency on a worker thread, and the hand-over to and from it cost more than
the work (a quarter of a no-op pull's server time). ``current_device`` queries the database
and stays on a worker thread.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from shared_models.clock import HybridClock
from shared_models.enums import Role
from shared_models.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, ErrorCode
from sync_server.accounts import authenticate
from sync_server.errors import UPDATE_APP_MESSAGE, ApiError, ForbiddenError, UnauthenticatedError
from sync_server.permissions import Principal
from sync_server.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Device token from /api/v1/auth/login")


async def check_protocol(
    version: Annotated[str | None, Header(alias=PROTOCOL_HEADER,
                                          description="Sync protocol version (1)")] = None,
) -> None:
    """Refuse requests without our protocol version header, or with another version."""
    if version is None:
        raise ApiError(400, ErrorCode.UNSUPPORTED_PROTOCOL,
                       f"Немає заголовка {PROTOCOL_HEADER}. " + UPDATE_APP_MESSAGE)
    if version.strip() != str(PROTOCOL_VERSION):
        raise ApiError(426, ErrorCode.UNSUPPORTED_PROTOCOL, UPDATE_APP_MESSAGE,
                       {"Upgrade": f"poruch-sync/{PROTOCOL_VERSION}"})


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


async def get_clock(request: Request) -> HybridClock:
    """This instance's hybrid logical clock."""
    clock: HybridClock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[HybridClock, Depends(get_clock)]


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_device(request: Request, engine: EngineDep, settings: SettingsDep,
                   credentials: Credentials) -> Principal:
    """The signed-in device and user; 401 without a valid token, ``device_revoked`` if revoked.

    A plain function too: the pull, the request a phone makes most, calls it on its own
    worker thread rather than declaring ``CurrentDevice`` (one thread hand-over less).
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthenticatedError()
    principal = authenticate(engine, credentials.credentials,
                             idle_limit=timedelta(days=settings.token_idle_days))
    request.state.principal = principal  # for auditing refusals further down
    return principal


CurrentDevice = Annotated[Principal, Depends(current_device)]


def require_roles(*roles: Role) -> object:
    """A dependency that refuses (403) users whose role is not in ``roles``."""

    async def _check(principal: CurrentDevice) -> Principal:
        if principal.role not in roles:
            raise ForbiddenError(f"Потрібна роль: {', '.join(r.value for r in roles)} "
                            "(your role may not do this)")
        return principal

    return Depends(_check)


AdminDevice = Annotated[Principal, require_roles(Role.ADMIN)]
