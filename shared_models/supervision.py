"""Wire models of the supervisors' server calls: device activity and exports.

The device's client and the server both build on these, so the two cannot disagree on a
field. The sync exchange itself is ``protocol``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from shared_models.communities import CommunityCode
from shared_models.enums import Role

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


class DeviceActivityList(BaseModel):
    """Devices (not revoked) of the users the caller supervises, longest silent first."""

    devices: list[DeviceActivity]
    server_time: datetime


class ExportFormat(StrEnum):
    """File formats of the visits-and-services export."""

    XLSX = "xlsx"
    CSV = "csv"


class ExportTable(StrEnum):
    """What an export holds: one row per visit, or visits counted per service."""

    VISITS = "visits"
    SERVICES = "services"
