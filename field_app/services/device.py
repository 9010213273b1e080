"""The ``Device`` interface: what the screens ask of the encrypted store and of sign-in.

Exceptions (all carry an i18n key so the view can say what happened in plain words)::

    DeviceError
     ├── PinRefused         wrong PIN: how long to wait, tries left, unsent changes
     ├── DeviceWiped        too many wrong PINs, or the device was revoked: data erased
     ├── SignInFailed       the server refused the login or could not be reached
     └── SyncFailed         a sync stopped (offline, server trouble, update needed...)

Every method blocks (key derivation takes about a second, sign-in goes over the network):
views call them through ``asyncio.to_thread``. The implementation over ``field_app.store``
is ``store_device.StoreDevice``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from field_app.services.families import PAGE_SIZE, FamiliesPage, FamilyFilter
from field_app.services.problem import Problem
from field_app.services.state import Phase

if TYPE_CHECKING:
    from field_app.store import LocalStore
    from field_app.sync import Account


class DeviceError(Exception):
    """A refusal to show to the worker: ``problem`` is an i18n key with parameters."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Refusal:
    """Details of a wrong-PIN refusal, as the store reports them."""

    wrong: bool = True          # False: the try came before the delay ran out (not counted)
    wait_seconds: int = 0
    attempts_left: int | None = None
    wipe_warning: bool = False
    pending_changes: int = 0

    def lines(self) -> list[Problem]:
        """What the unlock and change-PIN screens show: wrong, the wait, tries left or the
        wipe warning."""
        lines = [Problem("unlock.wrong")] if self.wrong else []
        if self.wait_seconds > 0:
            lines.append(Problem("unlock.wait", {"seconds": self.wait_seconds}))
        if self.attempts_left is not None:
            if self.wipe_warning:
                lines.append(Problem("unlock.wipe_warning", {
                    "left": self.attempts_left, "pending": self.pending_changes}))
            else:
                lines.append(Problem("unlock.attempts_left", {"left": self.attempts_left}))
        return lines


class PinRefused(DeviceError):
    """Wrong PIN (or asked again too soon)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(Problem("unlock.wrong"))
        self.refusal = refusal


class DeviceWiped(DeviceError):
    """The local data is gone: too many wrong PINs (the key was destroyed), or revoked."""

    def __init__(self, problem: Problem | None = None) -> None:
        super().__init__(problem or Problem("unlock.wiped"))


class SignInFailed(DeviceError):
    """The server refused the login, or could not be reached; ``problem`` says which."""


class SyncFailed(DeviceError):
    """A sync stopped; ``problem`` says why and what to do.

    ``offline``: the server could not be reached. ``reached``: the server answered (an
    error of its own, a refusal); ``None`` when neither can be told (the store is locked).
    """

    def __init__(self, problem: Problem, offline: bool = False,
                 reached: bool | None = None) -> None:
        super().__init__(problem)
        self.offline = offline
        self.reached = False if offline else reached


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync did, for the status line."""

    at: datetime
    pushed: int = 0
    #: Records changed by someone else (this device's own changes coming back not counted).
    pulled: int = 0
    pending: int = 0
    needs_attention: int = 0


@dataclass(frozen=True, slots=True)
class SyncStep:
    """Where a running sync is: ``stage`` "push" (sending), "pull" (receiving) or "done";
    ``done`` of ``total`` changes (``total`` 0 when not known yet)."""

    stage: str
    done: int = 0
    total: int = 0

    @property
    def fraction(self) -> float | None:
        """Progress of the stage, 0..1, or ``None`` when the total is not known."""
        return min(1.0, self.done / self.total) if self.total else None


#: Called from the syncing thread with each step.
ProgressCallback = Callable[[SyncStep], None]


class Device(Protocol):
    """What the first-start, unlock and settings screens need from the device."""

    def phase(self) -> Phase:
        """SETUP when no store exists here, else LOCKED or UNLOCKED."""
        ...

    def new_pin_problem(self, pin: str) -> Problem | None:
        """What is wrong with ``pin`` as a new PIN (the store's policy)."""
        ...

    def set_up(self, *, server_url: str, username: str, password: str, pin: str) -> str:
        """Sign in, create the encrypted store with ``pin``; returns the username."""
        ...

    def unlock(self, pin: str) -> str:
        """Open the store; returns the username. Raises ``PinRefused`` / ``DeviceWiped``."""
        ...

    def lock(self) -> None:
        """Drop the key from memory."""
        ...

    def pending_changes(self) -> int:
        """Local changes the server has not acknowledged yet."""
        ...

    def records(self) -> LocalStore:
        """The unlocked store, for the services of the record screens (family card, visit
        form, notes, reviews...), which are functions over it. Raises ``Locked``."""
        ...

    def account(self) -> Account | None:
        """Who this device signed in as (user, role, communities); ``None`` while locked."""
        ...

    def families(self, *, text: str = "", chosen: FamilyFilter = FamilyFilter.ALL,
                 offset: int = 0, limit: int = PAGE_SIZE) -> FamiliesPage:
        """A page of the families list (see ``families.list_families``); empty while locked."""
        ...

    def sync(self, progress: ProgressCallback) -> SyncResult:
        """Push the outbox and pull the feed; ``progress`` is called from this thread.

        Raises ``SyncFailed``, or ``DeviceWiped`` when the server revoked the device.
        """
        ...

    def sign_in_again(self, password: str) -> None:
        """Sign in again as the same user, keeping everything on the phone (the server no
        longer accepted the device's token). Raises ``SignInFailed``."""
        ...

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new`` (key derivation: about a second, twice).

        A wrong ``old`` counts as a wrong PIN under the unlock rules: ``PinRefused`` with the
        delay and tries left, ``DeviceWiped`` after the last one. A ``new`` the policy
        refuses: ``DeviceError`` with the policy's problem (not counted as a wrong PIN).
        """
        ...

    def sign_out(self) -> bool:
        """Tell the server to forget this device, then erase every local file of the store.

        Returns whether the server was told (False when it could not be reached: the local
        data is erased all the same). The device is back at first start afterwards.
        """
        ...
