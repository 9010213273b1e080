"""Per-session app state the views render: who is signed in and where sync stands.

Plain observable objects (no Flet): the sync client and the device service change them, the
app shell and the sync indicator watch them. Kept apart from widgets so the same state can be
rendered again after a language switch or a resize, and tested without a screen.
"""

from __future__ import annotations

import time
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from field_app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from field_app.services.observable import Observable
from field_app.services.problem import Problem

if TYPE_CHECKING:
    from field_app.services.sync_overview import SyncOverview

#: Lock-timeout choices offered in the settings, in minutes.
LOCK_TIMEOUT_CHOICES: tuple[int, ...] = (1, 2, 5, 10, 15, 30)
DEFAULT_LOCK_TIMEOUT = 5


class Phase(StrEnum):
    """Where the device is in its life: nothing set up, locked, or open for work."""

    SETUP = "setup"
    LOCKED = "locked"
    UNLOCKED = "unlocked"


class SessionState(Observable):
    """Phase, user, language and inactivity clock of one app session."""

    def __init__(
        self,
        phase: Phase = Phase.SETUP,
        language: str = DEFAULT_LANGUAGE,
        lock_timeout_minutes: int = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        super().__init__()
        self.phase = phase
        self.username: str | None = None
        #: The signed-in account's role (``shared_models.enums.Role`` value); None if unknown.
        self.role: str | None = None
        #: The communities the account works in (what this device holds): one for most
        #: workers, several for a coordinator; empty when unknown.
        self.communities: tuple[str, ...] = ()
        self.language = language
        self.lock_timeout_minutes = lock_timeout_minutes
        self.last_activity = time.monotonic()

    def unlocked(self, username: str | None, now: float | None = None,
                 role: str | None = None, communities: tuple[str, ...] = ()) -> None:
        """The store opened (after first start or unlock)."""
        self.phase = Phase.UNLOCKED
        self.username = username
        self.role = role
        self.communities = communities
        self.touch(now)
        self._changed()

    def account_changed(self, role: str | None, communities: tuple[str, ...]) -> bool:
        """The account's role or communities changed while signed in (a sync brought a
        promotion, a demotion, a community gained or lost); whether anything changed."""
        if self.phase is not Phase.UNLOCKED or (role, communities) == (self.role,
                                                                       self.communities):
            return False
        self.role, self.communities = role, communities
        self._changed()
        return True

    def locked(self) -> None:
        """The store was locked (by hand, on timeout, when the app went to the background)."""
        if self.phase is Phase.UNLOCKED:
            self.phase = Phase.LOCKED
            self._changed()

    def wiped(self) -> None:
        """The local data is gone: the device must be set up again."""
        self.phase = Phase.SETUP
        self.username = None
        self.role = None
        self.communities = ()
        self._changed()

    def set_language(self, lang: str) -> None:
        """Switch the UI language ("uk" or "en")."""
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language: {lang!r}")
        if lang != self.language:
            self.language = lang
            self._changed()

    def set_lock_timeout(self, minutes: int) -> None:
        """Choose the inactivity timeout, one of ``LOCK_TIMEOUT_CHOICES``."""
        if minutes not in LOCK_TIMEOUT_CHOICES:
            raise ValueError(f"unsupported lock timeout: {minutes!r}")
        if minutes != self.lock_timeout_minutes:
            self.lock_timeout_minutes = minutes
            self._changed()

    def touch(self, now: float | None = None) -> None:
        """Record user activity (monotonic seconds)."""
        self.last_activity = time.monotonic() if now is None else now

    def idle_expired(self, now: float | None = None) -> bool:
        """Whether the session is unlocked and idle for longer than the lock timeout."""
        now = time.monotonic() if now is None else now
        return (self.phase is Phase.UNLOCKED
                and now - self.last_activity >= self.lock_timeout_minutes * 60)


class Connectivity(StrEnum):
    """Whether our server answered the last time the sync client asked."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"


class SyncLevel(StrEnum):
    """The one word the sync indicator shows, most urgent first."""

    SYNCING = "syncing"
    ERROR = "error"
    OFFLINE = "offline"
    PENDING = "pending"
    SYNCED = "synced"
    UNKNOWN = "unknown"


class SyncStatus(Observable):
    """What the app bar's sync indicator and the sync screen show.

    ``connectivity`` comes from the last attempt (the server answered or not); ``error`` is
    the problem that stopped the last attempt, worded when shown (so a language switch
    re-words it); ``stage``/``step_done``/``step_total`` say where a running sync is;
    ``overview`` is what the store holds for the sync screen (refused changes, conflicts),
    refreshed by the app after unlock, each sync and each resolution.
    """

    def __init__(self) -> None:
        super().__init__()
        self.connectivity = Connectivity.UNKNOWN
        self.pending = 0
        self.last_success: datetime | None = None
        self.last_attempt: datetime | None = None
        self.syncing = False
        self.progress: float | None = None
        self.stage: str | None = None
        self.step_done = 0
        self.step_total = 0
        self.error: Problem | None = None
        self.last_counts: tuple[int, int] | None = None   # (sent, received) of the last sync
        self.overview: SyncOverview | None = None

    @property
    def level(self) -> SyncLevel:
        """The state to show at a glance."""
        if self.syncing:
            return SyncLevel.SYNCING
        if self.error:
            return SyncLevel.ERROR
        if self.connectivity is Connectivity.OFFLINE:
            return SyncLevel.OFFLINE
        if self.pending:
            return SyncLevel.PENDING
        if self.last_success is not None:
            return SyncLevel.SYNCED
        return SyncLevel.UNKNOWN

    def set_connectivity(self, value: Connectivity) -> None:
        """The server answered (ONLINE) or could not be reached (OFFLINE)."""
        if value is not self.connectivity:
            self.connectivity = value
            self._changed()

    def set_pending(self, count: int) -> None:
        """Number of local changes not yet acknowledged by the server."""
        if count < 0:
            raise ValueError("pending count cannot be negative")
        if count != self.pending:
            self.pending = count
            self._changed()

    def set_overview(self, overview: SyncOverview | None) -> None:
        """What the store holds for the sync screen (``None`` while locked)."""
        self.overview = overview
        if overview is not None:
            self.pending = overview.pending
            if overview.last_success is not None and (
                    self.last_success is None or overview.last_success > self.last_success):
                self.last_success = overview.last_success
        self._changed()

    def started(self, at: datetime | None = None) -> None:
        """A sync run began."""
        self.syncing, self.progress, self.error = True, 0.0, None
        self.stage, self.step_done, self.step_total = None, 0, 0
        self.last_attempt = at
        self._changed()

    def set_progress(self, fraction: float | None) -> None:
        """Progress of the running sync, 0..1, or ``None`` when it cannot be told."""
        self.progress = None if fraction is None else min(max(fraction, 0.0), 1.0)
        self._changed()

    def set_step(self, stage: str, done: int, total: int) -> None:
        """Where the running sync is: "push" or "pull", ``done`` of ``total`` (0: unknown)."""
        self.stage, self.step_done, self.step_total = stage, done, total
        self.set_progress(min(1.0, done / total) if total else None)

    def succeeded(self, at: datetime, pending: int, sent: int = 0, received: int = 0) -> None:
        """A sync run finished; ``pending`` changes are still left (made during the run)."""
        self.syncing, self.progress, self.error, self.stage = False, None, None, None
        self.connectivity = Connectivity.ONLINE
        self.last_success = at
        self.pending = pending
        self.last_counts = (sent, received)
        self._changed()

    def failed(self, problem: Problem | str, offline: bool = False,
               reached: bool | None = None) -> None:
        """A sync run failed; ``problem`` says why and what to do (text: already worded).

        ``offline``: the server could not be reached; ``reached``: it answered.
        """
        if isinstance(problem, str):
            problem = Problem.literal(problem, problem)
        self.syncing, self.progress, self.error, self.stage = False, None, problem, None
        if offline or reached is False:
            self.connectivity = Connectivity.OFFLINE
        elif reached:
            self.connectivity = Connectivity.ONLINE
        self._changed()

    def reset(self) -> None:
        """Forget everything (after signing out or a wipe); watchers stay subscribed."""
        listeners = self._listeners
        self.__init__()  # type: ignore[misc]
        self._listeners = listeners
        self._changed()
