"""The key vault: the data key wrapped by a key derived from the PIN, and the lockout rules.

The data key is random and never changes; the PIN only unlocks it. A key-encryption key
(KEK) comes from Argon2id over the normalized PIN, a random salt and, where the platform has
secure storage, a device-bound secret (Argon2id's ``secret=``): then a copied database alone
cannot be attacked offline at all. The data key is wrapped with AES-256-GCM under the KEK;
the KDF parameters and salt are stored beside it and bound into the wrap's associated data,
so lowering them in the file makes the unwrap fail instead of making guessing cheaper.
Changing the PIN re-wraps the same key with a new salt: no record is re-encrypted.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from field_app.store import kdf
from field_app.store.crypto import KEY_BYTES, NONCE_BYTES
from field_app.store.pin_policy import normalize_secret

SALT_BYTES = 16
_KEK_AD = b"poruch:kek:v1"


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. Defaults follow RFC 9106's second recommendation (64 MiB, 3 passes)."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def __post_init__(self) -> None:
        if self.lanes < 1 or self.iterations < 1 or self.memory_kib < 8 * self.lanes:
            raise ValueError("Argon2id needs lanes >= 1, iterations >= 1, memory >= 8*lanes KiB")

    def to_json(self) -> str:
        """Stable text form, stored beside the wrapped key."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        """Parse the stored form."""
        data = json.loads(text)
        return cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))


#: Cheap parameters for tests only: never pass these in the app.
TEST_KDF = KdfParams(memory_kib=64, iterations=1, lanes=1)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How wrong PINs are slowed down and when the key is destroyed.

    ``free_attempts`` wrong PINs cost nothing (typos); each further one doubles the wait,
    from ``base_delay`` up to ``max_delay`` seconds; after ``max_attempts`` wrong PINs in a
    row the wrapped key is wiped. ``warn_from`` attempts before that the error warns.
    """

    max_attempts: int = 10
    free_attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 300.0
    warn_from: int = 3

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.free_attempts < 0 or self.base_delay < 0:
            raise ValueError("invalid lockout policy")

    def delay_after(self, failures: int) -> float:
        """Seconds to wait before the next attempt after ``failures`` wrong PINs in a row."""
        if failures <= self.free_attempts:
            return 0.0
        doublings = failures - self.free_attempts - 1
        return float(min(self.max_delay, self.base_delay * 2**doublings))

    def to_json(self) -> str:
        """Stable text form, stored in the vault when the store is created."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LockoutPolicy:
        """Parse the stored form."""
        data = json.loads(text)
        return cls(int(data["max_attempts"]), int(data["free_attempts"]),
                   float(data["base_delay"]), float(data["max_delay"]), int(data["warn_from"]))


def new_salt() -> bytes:
    """A fresh random salt for one wrapping."""
    return os.urandom(SALT_BYTES)


def derive_kek(pin: str, salt: bytes, params: KdfParams, device_secret: bytes | None) -> bytes:
    """The key-encryption key for a PIN (about 0.2 s with the default parameters here).

    Argon2id through ``kdf`` (cryptography, or argon2-cffi-bindings where the platform's
    OpenSSL lacks Argon2id): the same key either way. Raises ``kdf.KdfUnavailable`` when
    neither works.
    """
    return kdf.derive(normalize_secret(pin), salt=salt, length=KEY_BYTES,
                      iterations=params.iterations, lanes=params.lanes,
                      memory_kib=params.memory_kib, secret=device_secret or None, ad=_KEK_AD)


def _wrap_ad(key_id: str, params: KdfParams, salt: bytes, with_secret: bool) -> bytes:
    return f"poruch:wrap:v1|{key_id}|{params.to_json()}|{salt.hex()}|{int(with_secret)}".encode()


def wrap_key(data_key: bytes | bytearray, kek: bytes, *, key_id: str, params: KdfParams,
             salt: bytes, with_secret: bool) -> bytes:
    """Encrypt the data key under the KEK: ``nonce || ciphertext || tag``."""
    nonce = os.urandom(NONCE_BYTES)
    ad = _wrap_ad(key_id, params, salt, with_secret)
    return nonce + AESGCM(kek).encrypt(nonce, bytes(data_key), ad)


def unwrap_key(wrapped: bytes, kek: bytes, *, key_id: str, params: KdfParams, salt: bytes,
               with_secret: bool) -> bytearray | None:
    """The data key, or ``None`` when the KEK is wrong (or the vault row was altered)."""
    ad = _wrap_ad(key_id, params, salt, with_secret)
    try:
        key = AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], ad)
    except (InvalidTag, ValueError):
        return None
    return bytearray(key)
