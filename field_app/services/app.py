"""``AppServices``: everything one Flet session is built from, assembled by ``__main__``.

Tests build it with test doubles; the app builds it over the data folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from field_app.services.device import Device, DeviceWithoutStore
from field_app.services.settings import SettingsFile
from field_app.services.state import SyncStatus


@dataclass
class AppServices:
    """The device (store + sign-in), the settings file and the shared sync status."""

    data_dir: Path
    device: Device
    settings: SettingsFile
    sync: SyncStatus = field(default_factory=SyncStatus)


def default_services(data_dir: Path) -> AppServices:
    """The services of this build over ``data_dir``.

    The encrypted store (``field_app.store``) and the sync client are not wired here yet;
    until they are, the device is ``DeviceWithoutStore``, which refuses to set anything up.
    """
    return AppServices(
        data_dir=data_dir,
        device=DeviceWithoutStore(data_dir),
        settings=SettingsFile(data_dir),
    )
