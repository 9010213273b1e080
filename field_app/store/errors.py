"""Errors of the encrypted store, each with a message a worker can read (uk first, then en).

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
    """Base of every error the store raises on purpose."""

    message_uk: str = "Помилка сховища даних"
    message_en: str = "Data store error"

    def __init__(self, message_uk: str | None = None, message_en: str | None = None) -> None:
        if message_uk is not None:
            self.message_uk = message_uk
        if message_en is not None:
            self.message_en = message_en
        super().__init__(f"{self.message_en} / {self.message_uk}")

    def message(self, lang: str = "uk") -> str:
        """The message in the UI language ("uk" or "en")."""
        return self.message_en if lang == "en" else self.message_uk


class StoreNotFound(StoreError):
    """There is no store at the given path."""

    message_uk = "Сховище на цьому пристрої не знайдено"
    message_en = "No data store on this device"


class StoreExists(StoreError):
    """``create`` was asked to overwrite an existing store."""

    message_uk = "Сховище вже існує"
    message_en = "A data store already exists here"


class StoreWiped(StoreError):
    """The wrapped data key was destroyed: nothing in the store can be read any more."""

    message_uk = ("Дані на цьому пристрої стерто (забагато невірних PIN-кодів або стирання). "
                  "Увійдіть знову, щоб отримати дані з сервера.")
    message_en = ("The data on this device was erased (too many wrong PINs, or a wipe). "
                  "Sign in again to get your data from the server.")


class Locked(StoreError):
    """The store is locked (the data key is not in memory)."""

    message_uk = "Сховище заблоковано: введіть PIN-код"
    message_en = "The store is locked: enter your PIN"


class UnlockRefused(StoreError):
    """Unlocking did not succeed; ``retry_after`` seconds must pass before the next try."""

    retry_after: float = 0.0


class SecretMissing(UnlockRefused):
    """The store was created with a device secret (the phone's keystore) and none was given.

    Raised before the PIN is tried: it costs no attempt and never counts towards the wipe, so
    a keystore that is briefly unavailable cannot destroy the worker's data.
    """

    message_uk = ("Ключ захисту цього телефона недоступний, тому дані не можна відкрити. "
                  "Закрийте застосунок і відкрийте знову; якщо не допоможе — зверніться до "
                  "керівника.")
    message_en = ("This phone's protection key is not available, so the data cannot be "
                  "opened. Close the app and open it again; if that does not help, contact "
                  "your supervisor.")


class WrongPin(UnlockRefused):
    """The PIN was wrong. Says when to retry, how many attempts remain, what a wipe would lose."""

    def __init__(self, *, retry_after: float, attempts_left: int, unsynced_changes: int,
                 warn: bool) -> None:
        self.retry_after = retry_after
        self.attempts_left = attempts_left
        self.unsynced_changes = unsynced_changes
        uk = "Невірний PIN-код."
        en = "Wrong PIN."
        if warn:
            uk += (f" Залишилось спроб: {attempts_left}. Після цього дані на пристрої буде "
                   f"стерто; не надіслано на сервер змін: {unsynced_changes} — їх буде втрачено.")
            en += (f" Attempts left: {attempts_left}. After that the data on this device will "
                   f"be erased; {unsynced_changes} change(s) not yet sent to the server would "
                   "be lost.")
        if retry_after > 0:
            uk += f" Наступна спроба через {_seconds(retry_after)} с."
            en += f" Try again in {_seconds(retry_after)} s."
        super().__init__(uk, en)


class TryLater(UnlockRefused):
    """An unlock attempt came before the delay after the last wrong PIN ran out."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"Зачекайте {_seconds(retry_after)} с перед наступною спробою",
                         f"Wait {_seconds(retry_after)} s before the next attempt")


class PinPolicyError(StoreError, ValueError):
    """A new PIN or passphrase does not meet the policy; ``code`` is stable for the UI."""

    def __init__(self, code: str, message_uk: str, message_en: str) -> None:
        self.code = code
        super().__init__(message_uk, message_en)


class CorruptRecord(StoreError):
    """A stored ciphertext failed authentication (tampered, truncated or moved)."""

    def __init__(self, record_id: str, what: str = "record") -> None:
        self.record_id = record_id
        self.what = what
        super().__init__(
            f"Запис {record_id} пошкоджено або змінено поза застосунком; його не показано",
            f"{what} {record_id} is damaged or was changed outside the app; it is not shown",
        )


class RecordRefused(StoreError):
    """An edit the merge rule refuses (editing a note, moving a record to another community)."""

    def __init__(self, record_id: str, reason: str, message_uk: str | None = None) -> None:
        self.record_id = record_id
        self.reason = reason
        super().__init__(message_uk or "Цей запис не можна змінити так", reason)


def _seconds(value: float) -> str:
    return str(max(1, round(value))) if value >= 0.5 else f"{value:.1f}"
