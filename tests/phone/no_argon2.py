"""cryptography's Argon2id as on the phone, whose Python bundles OpenSSL 3.0 (no side effects).

cryptography's Argon2id needs OpenSSL 3.2 or newer; built against 3.0 (the Android CPython
builds' OpenSSL) it raises ``UnsupportedAlgorithm`` when the KDF is constructed. Used by the
phone-versions job's plugin (``openssl30.py``), the KDF tests and the memory bench.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

MESSAGE = "This version of OpenSSL does not support argon2id"


class PhoneArgon2id:
    """Stands in for ``cryptography``'s ``Argon2id`` when OpenSSL has no Argon2."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        raise UnsupportedAlgorithm(MESSAGE)
