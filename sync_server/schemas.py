"""Request and answer models of the server's own routes (login, me, admin, health).

The sync exchange itself (push, pull, errors) uses ``shared_models.protocol``, which the
device shares; these are documented in docs/sync-protocol.md too.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.validators import Name, Secret, Username


class LoginRequest(BaseModel):
    """Credentials and a name for the device being registered."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Secret
    device_name: Name


class LoginResponse(BaseModel):
    """A registered device: its token (shown once, keep it in the vault) and the user's scope."""

    token: str
    device_id: uuid.UUID
    user: str
    role: Role
    communities: list[CommunityCode]
    server_clock: str


class MeResponse(BaseModel):
    """Who the token belongs to and what they may see."""

    user: str
    role: Role
    device_id: uuid.UUID
    communities: list[CommunityCode]
    server_clock: str


class DeviceInfo(BaseModel):
    """A registered device as an administrator sees it (no token, no hash)."""

    device_id: uuid.UUID
    user: str
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked: bool


class DeviceList(BaseModel):
    """Devices, newest first."""

    devices: list[DeviceInfo]


class RevokeResponse(BaseModel):
    """Result of revoking a device."""

    device_id: uuid.UUID
    revoked: bool


class HealthResponse(BaseModel):
    """Liveness and database reachability."""

    status: str
    database: str
    instance: str
