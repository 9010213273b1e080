"""Sync between the device's encrypted store and the server (no Flet, no UI).

``SyncClient`` does the exchange; ``AutoSyncPolicy`` decides when the app starts one; the
errors in ``errors`` carry the plain words the app shows.
"""

from field_app.sync.backoff import Backoff
from field_app.sync.client import Account, SyncClient, stored_account
from field_app.sync.errors import (
    BadCredentials,
    DeviceRevoked,
    InsecureServer,
    NeedsLogin,
    Offline,
    ServerTrouble,
    SyncError,
    TooManyAttempts,
    UntrustedServer,
    UpdateRequired,
    WrongClock,
)
from field_app.sync.policy import AutoSyncPolicy, Trigger
from field_app.sync.report import Attention, Progress, Stage, SyncReport

__all__ = [
    "Account",
    "Attention",
    "AutoSyncPolicy",
    "Backoff",
    "BadCredentials",
    "DeviceRevoked",
    "InsecureServer",
    "NeedsLogin",
    "Offline",
    "Progress",
    "ServerTrouble",
    "Stage",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "TooManyAttempts",
    "Trigger", "UntrustedServer",
    "UpdateRequired",
    "WrongClock",
    "stored_account",
]
