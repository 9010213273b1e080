"""Which PINs and passphrases a worker may choose, and the one normal form the KDF sees.

A PIN is at least 6 digits and not a pattern anyone tries first (111111, 123456, 654321,
121212, 123123...). Anything that is not only digits is a passphrase of at least 10
characters. The Argon2id cost and, on phones, the device secret are what resist an offline
attack on a copied file; this policy only keeps the PIN out of the first guesses.
"""

from __future__ import annotations

import itertools
import unicodedata

from field_app.store.errors import PinPolicyError

PIN_MIN_DIGITS = 6
PASSPHRASE_MIN_CHARS = 10
PASSPHRASE_MIN_DISTINCT = 4

#: Common 6-digit choices that are not caught by the pattern rules below.
_COMMON_PINS = frozenset({
    "123321", "112233", "147258", "159357", "147852", "789456", "102030", "696969",
    "123654", "987456", "258369", "741852", "963852", "100200", "200200",
})

#: Every reason ``check_pin`` gives (``PinPolicyError.code``); the app words each one.
POLICY_CODES = ("empty", "pin_too_short", "pin_trivial", "passphrase_too_short",
                "passphrase_trivial", "edge_whitespace", "same_pin")


def policy_error(code: str) -> PinPolicyError:
    """The ``PinPolicyError`` for a policy code."""
    if code not in POLICY_CODES:
        raise ValueError(f"unknown PIN policy code {code!r}")
    return PinPolicyError(code)


def normalize_secret(pin: str) -> bytes:
    """Bytes the KDF derives from: NFC, so one passphrase typed on two keyboards is one key."""
    return unicodedata.normalize("NFC", pin).encode("utf-8")


def _is_trivial_pin(digits: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    if len(steps) == 1 and steps <= {0, 1, 9}:
        return True  # 111111, 123456, 890123, 654321, 098765
    for period in range(1, len(digits) // 2 + 1):
        if len(digits) % period == 0 and digits == digits[:period] * (len(digits) // period):
            return True  # 121212, 123123, 100100
    if len(set(digits)) <= 2:
        return True  # 112211, 000111
    return digits in _COMMON_PINS


def check_pin(pin: str) -> None:
    """Raise ``PinPolicyError`` (with a stable ``code``) if ``pin`` may not be chosen."""
    if not pin:
        raise policy_error("empty")
    if pin != pin.strip():
        raise policy_error("edge_whitespace")
    if pin.isascii() and pin.isdigit():
        if len(pin) < PIN_MIN_DIGITS:
            raise policy_error("pin_too_short")
        if _is_trivial_pin(pin):
            raise policy_error("pin_trivial")
        return
    text = unicodedata.normalize("NFC", pin)
    if len(text) < PASSPHRASE_MIN_CHARS:
        raise policy_error("passphrase_too_short")
    if len(set(text.casefold())) < PASSPHRASE_MIN_DISTINCT:
        raise policy_error("passphrase_trivial")
