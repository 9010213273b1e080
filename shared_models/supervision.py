"""Wire models of the supervisors' server calls: device activity and exports.

The device's client and the server both build on these, so the two cannot disagree on a
field. The sync exchange itself is ``protocol``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.revocation import LostWorkReport

DEVICE_ACTIVITY_PATH = "/api/v1/devices/activity"
EXPORTS_PATH = "/api/v1/exports"


class DeviceActivity(BaseModel):
    """When one device last reached the server (any signed-in request), and whose it is."""

    device_id: uuid.UUID
    user: str
    role: Role
    communities: list[CommunityCode]
    name: str
    created_at: datetime
    last_seen_at: datetime | None


class RevokedDevice(BaseModel):
    """A revoked device (or one of a deactivated account), and what it said it lost.

    ``lost_reported_at`` is ``None`` while the device has not reported: it has not called
    since, or it could not reach the server before wiping. ``lost`` holds the counts only.
    """

    device_id: uuid.UUID
    user: str
    role: Role
    communities: list[CommunityCode]
    name: str
    revoked_at: datetime | None         # None: the account was deactivated, not the device
    account_active: bool
    lost_reported_at: datetime | None
    lost: LostWorkReport | None


class DeviceActivityList(BaseModel):
    """Devices (not revoked) of the users the caller supervises, longest silent first;
    ``revoked``: the same users' revoked devices, most recently revoked first."""

    devices: list[DeviceActivity]
    server_time: datetime
    revoked: list[RevokedDevice] = Field(default_factory=list)


class ExportFormat(StrEnum):
    """File formats of the visits-and-services export."""

    XLSX = "xlsx"
    CSV = "csv"


class ExportTable(StrEnum):
    """What an export holds: one row per visit, visits counted per service, or one row per
    case (its stage and terms)."""

    VISITS = "visits"
    SERVICES = "services"
    CASES = "cases"
