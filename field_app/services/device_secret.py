"""The phone's device secret: 32 random bytes kept in the platform keystore.

On Android and iOS the store's key-encryption key is derived from the PIN *and* this secret
(``docs/device-security.md``), so a copied store file cannot be attacked with PIN guesses
alone: the secret never leaves the Android Keystore / iOS Keychain. Desktop and the browser
view have no such keystore and use the PIN alone.

The keystore is reached through ``KeyVault`` (in the app: ``flet-secure-storage``; in tests an
in-memory one, since no keystore runs on these machines). The secret is made once, at the first
start, written, and read back before the store is created with it: a store is never sealed
with a secret the keystore did not keep.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from typing import Protocol

log = logging.getLogger(__name__)

#: Name of the keystore entry.
SECRET_KEY = "poruch.device_secret.v1"  # noqa: S105  (the entry's name, not a secret)
SECRET_BYTES = 32
#: Platforms (Flet's ``page.platform`` values) whose keystore holds the device secret.
KEYSTORE_PLATFORMS = frozenset({"android", "ios"})


class KeyVault(Protocol):
    """What the device secret needs of the platform keystore (``flet-secure-storage``)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class KeystoreUnavailable(Exception):
    """The keystore did not keep or give back the device secret."""


def uses_keystore(platform: str | None, *, web: bool) -> bool:
    """Whether this session's device keeps a device secret: the Android or iOS app (never
    the browser view, whose Python side runs on the serving machine)."""
    return not web and (platform or "").lower() in KEYSTORE_PLATFORMS


def _decode(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return raw if len(raw) == SECRET_BYTES else None


async def existing_secret(vault: KeyVault) -> bytes | None:
    """The device secret kept in the keystore, or ``None`` when there is none (or it is not
    one of ours: it is never overwritten here, since a store may depend on it)."""
    text = await vault.get(SECRET_KEY)
    if text is None:
        return None
    secret = _decode(text)
    if secret is None:
        log.warning("the keystore entry of the device secret is not a device secret")
    return secret


async def new_secret(vault: KeyVault) -> bytes:
    """Make a device secret, keep it in the keystore and read it back.

    For a first start only (no store yet): a store sealed with the previous secret would
    become unopenable. Raises ``KeystoreUnavailable`` when the keystore does not give back
    what it was given.
    """
    secret = secrets.token_bytes(SECRET_BYTES)
    await vault.set(SECRET_KEY, base64.b64encode(secret).decode("ascii"))
    if await existing_secret(vault) != secret:
        raise KeystoreUnavailable("the keystore did not keep the device secret")
    return secret
