"""The phone's keystore for the device secret, through ``flet-secure-storage``.

Android: the Keystore-backed storage, with ``reset_on_error`` off — its default would erase
the stored secret on a key error, which makes the store unopenable for good; an error is
better shown and retried. iOS: the Keychain, readable after the first unlock since a restart,
never synchronised to iCloud or migrated to another phone.

``DeviceKeystore.prepare`` runs before the store is created (first start: a new secret) or
opened (the kept one) and hands the secret to the device (``services.device_secret``).
"""

from __future__ import annotations

import logging
from typing import Any

from field_app.services.device import DeviceError
from field_app.services.device_secret import (
    KeystoreUnavailable,
    KeyVault,
    existing_secret,
    new_secret,
    uses_keystore,
)
from field_app.services.problem import Problem

log = logging.getLogger(__name__)


class FletKeyVault:
    """``KeyVault`` over ``flet_secure_storage.SecureStorage`` (Android Keystore, Keychain)."""

    def __init__(self) -> None:
        # Imported here: the package is a Flet extension only the phone builds need at once.
        from flet_secure_storage import (  # noqa: PLC0415
            AndroidOptions,
            IOSOptions,
            KeychainAccessibility,
            SecureStorage,
        )

        self._storage: Any = SecureStorage(
            android_options=AndroidOptions(reset_on_error=False),
            ios_options=IOSOptions(
                accessibility=KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE,
                synchronizable=False))

    async def get(self, key: str) -> str | None:
        value = await self._storage.get(key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._storage.set(key, value)


class DeviceKeystore:
    """The session's way to the device secret; inert where the platform has no keystore."""

    def __init__(self, vault: KeyVault | None, hand_over: Any) -> None:
        self.vault = vault
        self._hand_over = hand_over

    @classmethod
    def for_page(cls, platform: object, *, web: bool, hand_over: Any) -> DeviceKeystore:
        """Android and iOS apps get the keystore; desktop and the browser view do not."""
        name = str(getattr(platform, "value", platform) or "")
        if hand_over is None or not uses_keystore(name, web=web):
            return cls(None, hand_over)
        try:
            return cls(FletKeyVault(), hand_over)
        except Exception:
            log.exception("the secure storage service could not be created")
            return cls(None, hand_over)

    @property
    def active(self) -> bool:
        return self.vault is not None

    async def prepare(self, *, first_start: bool) -> None:
        """Give the device the secret for what comes next: a new one before the store is
        created, the kept one before it is opened. Raises ``DeviceError`` with a readable
        problem when the keystore fails at first start; at unlock a missing secret is left
        to the store, which refuses without counting an attempt."""
        if self.vault is None:
            return
        try:
            secret = (await new_secret(self.vault) if first_start
                      else await existing_secret(self.vault))
        except KeystoreUnavailable:
            raise DeviceError(Problem("setup.keystore_failed")) from None
        except Exception:
            log.exception("the keystore could not be read")
            if first_start:
                raise DeviceError(Problem("setup.keystore_failed")) from None
            secret = None
        self._hand_over(secret)
