"""``AppServices``: everything one Flet session is built from, assembled by ``__main__``.

Tests build it with test doubles; the app builds it over the data folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from field_app.services.device import Device
from field_app.services.settings import SettingsFile
from field_app.services.state import SyncStatus
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.services.supervision import ServerSupervision, Supervision
from field_app.sync.policy import AutoSyncPolicy, Trigger


@dataclass
class AppServices:
    """The device (store + sign-in), the settings file and the shared sync status."""

    data_dir: Path
    device: Device
    settings: SettingsFile
    sync: SyncStatus = field(default_factory=SyncStatus)
    #: The supervisors' server calls (device activity, exports); ``None``: not available.
    supervision: Supervision | None = None
    #: Sync on its own: right after the store opens, then every ``sync_interval_s`` while
    #: the app is open and unlocked (``field_app.sync.AutoSyncPolicy``). Off in most UI tests.
    sync_on_open: bool = True
    sync_interval_s: float = 15 * 60
    #: How often the app asks the policy whether an interval sync is due.
    sync_check_s: float = 30.0
    #: How long after a supervisor's decision the app syncs (``App.sync_soon``).
    sync_soon_s: float = 2.0
    #: Hands the phone's device secret (from its keystore) to the store before it is created
    #: or opened; ``None``: this build's device takes none (``services.device_secret``).
    use_device_secret: Callable[[bytes | None], None] | None = None

    def auto_sync_policy(self) -> AutoSyncPolicy:
        """A new policy for one session (never two syncs at once; gaps scale with the interval)."""
        return AutoSyncPolicy(interval_s=self.sync_interval_s,
                              min_gap_s=min(30.0, self.sync_interval_s / 2))


__all__ = ["AppServices", "AutoSyncPolicy", "Trigger", "default_services"]


def default_services(data_dir: Path) -> AppServices:
    """The services of this build over ``data_dir``: the encrypted store, signed in and
    synced through the sync client."""
    device = StoreDevice(data_dir, sign_in=sync_client_sign_in)
    return AppServices(
        data_dir=data_dir,
        device=device,
        settings=SettingsFile(data_dir),
        supervision=ServerSupervision(device),
        use_device_secret=device.use_device_secret,
    )
