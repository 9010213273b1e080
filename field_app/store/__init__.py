"""The device's encrypted offline store (no Flet imports: the UI uses it through services).

Modules: ``errors`` (what can go wrong, in uk/en), ``pin_policy``, ``crypto`` (AES-256-GCM
sealing), ``vault`` (Argon2id key wrapping, lockout policy), ``unlock`` (attempts against the
vault row), ``schema`` (tables, PRAGMAs), ``codec`` (sealed JSON forms, ``PendingChange``),
``files`` (shredding), ``views`` (sealed values to models), ``core`` (shared state and
sealed-row helpers), ``clocks`` (when records last changed), ``editing`` (saving a form
against what it loaded), ``sync`` (sync-client hooks), ``store`` (``LocalStore``).
See docs/device-security.md.
"""

from field_app.store.codec import PendingChange
from field_app.store.editing import Snapshot
from field_app.store.errors import (
    CorruptRecord,
    Locked,
    PinPolicyError,
    RecordRefused,
    SecretMissing,
    StoreError,
    StoreExists,
    StoreNotFound,
    StoreWiped,
    TryLater,
    UnlockRefused,
    WrongPin,
)
from field_app.store.pin_policy import check_pin
from field_app.store.store import LocalStore
from field_app.store.sync import PurgeResult
from field_app.store.vault import TEST_KDF, KdfParams, LockoutPolicy

__all__ = [
    "TEST_KDF",
    "CorruptRecord",
    "KdfParams",
    "LocalStore",
    "Locked",
    "LockoutPolicy",
    "PendingChange",
    "PinPolicyError",
    "PurgeResult",
    "RecordRefused",
    "SecretMissing",
    "Snapshot",
    "StoreError",
    "StoreExists",
    "StoreNotFound",
    "StoreWiped",
    "TryLater",
    "UnlockRefused",
    "WrongPin",
    "check_pin",
]
