"""Errors of the encrypted store: each names itself by ``code`` and carries its data.

The words a worker reads for them are in the app's tables (``store.err.<code>``,
``field_app/texts/errors.py``), never on the exceptions.

Hierarchy::

    StoreError
    ├── StoreNotFound       no store at the path (first start: create one)
    ├── StoreExists         create() on a path that already holds a store
    ├── StoreWiped          the data key was destroyed (too many wrong PINs, or wipe())
    ├── Locked              the store is locked: unlock with the PIN first
    ├── UnlockRefused
    │   ├── WrongPin        the PIN was wrong; retry_after, attempts_left, unsynced_changes
    │   ├── TryLater        an attempt came before the delay ran out; the KDF was not run
    │   └── SecretMissing   the store was made with a device secret that is not available
    ├── PinPolicyError      a new PIN/passphrase is too weak (also a ValueError); has a code
    ├── CorruptRecord       a ciphertext failed authentication; names the record
    └── RecordRefused       an edit the merge rule refuses (notes are immutable, moves...)

No error message ever contains a PIN, a key or a record's personal fields.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose.

    ``code`` names it (the app's words for it are ``store.err.<code>`` in ``field_app/texts``)
    and ``params()`` gives the data those words take; ``str()`` is for logs, in English.
    """

    code: str = "error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)

    def params(self) -> dict[str, object]:
        """The data the message of ``code`` takes (none by default)."""
        return {}


class StoreNotFound(StoreError):
    """There is no store at the given path."""

    code = "not_found"


class StoreExists(StoreError):
    """``create`` was asked to overwrite an existing store."""

    code = "exists"


class StoreWiped(StoreError):
    """The wrapped data key was destroyed: nothing in the store can be read any more."""

    code = "wiped"


class Locked(StoreError):
    """The store is locked (the data key is not in memory)."""

    code = "locked"


class UnlockRefused(StoreError):
    """Unlocking did not succeed; ``retry_after`` seconds must pass before the next try."""

    code = "unlock_refused"
    retry_after: float = 0.0

    def params(self) -> dict[str, object]:
        return {"seconds": _seconds(self.retry_after)}


class SecretMissing(UnlockRefused):
    """The store was created with a device secret (the phone's keystore) and none was given.

    Raised before the PIN is tried: it costs no attempt and never counts towards the wipe, so
    a keystore that is briefly unavailable cannot destroy the worker's data.
    """

    code = "secret_missing"


class WrongPin(UnlockRefused):
    """The PIN was wrong. Says when to retry, how many attempts remain, what a wipe would lose;
    ``warn``: the attempts left are few enough to warn of the wipe."""

    code = "wrong_pin"

    def __init__(self, *, retry_after: float, attempts_left: int, unsynced_changes: int,
                 warn: bool) -> None:
        self.retry_after = retry_after
        self.attempts_left = attempts_left
        self.unsynced_changes = unsynced_changes
        self.warn = warn
        if warn:
            self.code = "wrong_pin_wipe_warning"
        super().__init__(f"wrong PIN; {attempts_left} attempt(s) left, retry after "
                         f"{_seconds(retry_after)} s" if warn else
                         f"wrong PIN; retry after {_seconds(retry_after)} s")

    def params(self) -> dict[str, object]:
        return {"seconds": _seconds(self.retry_after), "left": self.attempts_left,
                "pending": self.unsynced_changes}


class TryLater(UnlockRefused):
    """An unlock attempt came before the delay after the last wrong PIN ran out."""

    code = "try_later"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"wait {_seconds(retry_after)} s before the next attempt")


class PinPolicyError(StoreError, ValueError):
    """A new PIN or passphrase does not meet the policy; ``code`` is the stable reason
    (``pin_too_short``...; the app's words: ``services.pin_policy.POLICY_PROBLEMS``)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"PIN policy: {code}")


class CorruptRecord(StoreError):
    """A stored ciphertext failed authentication (tampered, truncated or moved)."""

    code = "corrupt"

    def __init__(self, record_id: str, what: str = "record") -> None:
        self.record_id = record_id
        self.what = what
        super().__init__(f"{what} {record_id} is damaged or was changed outside the app")

    def params(self) -> dict[str, object]:
        return {"record": self.record_id}


#: The codes a ``RecordRefused`` may carry.
RECORD_REFUSALS = ("record_gone", "record_moved", "record_immutable", "record_refused")


class RecordRefused(StoreError):
    """An edit the merge rule refuses (editing a note, moving a record to another community).

    ``reason`` is for logs; ``code`` says which refusal it is: ``record_gone`` (not on the
    device), ``record_moved`` (another kind or community), ``record_immutable`` (a note or
    review written again) or ``record_refused``.
    """

    def __init__(self, record_id: str, reason: str, code: str = "record_refused") -> None:
        if code not in RECORD_REFUSALS:
            raise ValueError(f"unknown refusal code {code!r}")
        self.record_id = record_id
        self.reason = reason
        self.code = code
        super().__init__(reason)


def _seconds(value: float) -> str:
    return str(max(1, round(value))) if value >= 0.5 else f"{value:.1f}"
