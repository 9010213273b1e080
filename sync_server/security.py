"""Passwords (Argon2id), device tokens (256-bit random, stored as SHA-256), keyed address hashes.

A device token has 256 bits of entropy, so a plain SHA-256 of it is enough to store (no salt
or slow hash needed: nobody can guess it). Passwords are people's and get Argon2id with at
least 19 MiB and 2 passes. Client addresses are personal data: rate limits and the audit log
keep only an HMAC of them under the server's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_BYTES = 32


@lru_cache(maxsize=8)
def password_hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    """An Argon2id hasher with the given cost (cached: building one is cheap, but why repeat)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hash_password(password: str, *, memory_kib: int, time_cost: int) -> str:
    """Argon2id hash of ``password`` in the PHC string format."""
    return password_hasher(memory_kib, time_cost).hash(password)


def verify_password(stored: str, password: str, *, memory_kib: int, time_cost: int) -> bool:
    """True when ``password`` matches ``stored``; never raises for a wrong or broken hash."""
    try:
        return password_hasher(memory_kib, time_cost).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, *, memory_kib: int, time_cost: int) -> bool:
    """True when ``stored`` was made with weaker parameters than the current ones."""
    try:
        return password_hasher(memory_kib, time_cost).check_needs_rehash(stored)
    except InvalidHashError:
        return True


def new_token() -> tuple[str, str]:
    """A fresh device token and the hash to store for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a device token: the only form the database ever sees."""
    return hashlib.sha256(token.encode()).hexdigest()


def address_key(secret: str, address: str) -> str:
    """Keyed hash of a client address, to count and audit without storing the address."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
