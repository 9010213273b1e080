"""``AppServices``: everything one Flet session is built from, assembled by ``__main__``.

Tests build it with test doubles; the app builds it over the data folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from field_app.services.device import Device
from field_app.services.settings import SettingsFile
from field_app.services.state import SyncStatus
from field_app.services.store_device import StoreDevice, sync_client_sign_in


@dataclass
class AppServices:
    """The device (store + sign-in), the settings file and the shared sync status."""

    data_dir: Path
    device: Device
    settings: SettingsFile
    sync: SyncStatus = field(default_factory=SyncStatus)
    #: Start a sync right after the store opens (the sync client's "start" trigger).
    sync_on_open: bool = True


def default_services(data_dir: Path) -> AppServices:
    """The services of this build over ``data_dir``: the encrypted store, signed in through
    the sync client; the sync client's auto-sync is not wired to ``SyncStatus`` yet."""
    return AppServices(
        data_dir=data_dir,
        device=StoreDevice(data_dir, sign_in=sync_client_sign_in),
        settings=SettingsFile(data_dir),
    )
