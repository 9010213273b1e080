"""When to sync on its own: a plain object the UI drives with what happens to the app.

Triggers: the app starts, comes back to the foreground, the network comes back, or the interval
passes while the app is open. Never two syncs at once, and not again within ``min_gap`` of the
last attempt (a flapping connection must not turn into a sync storm). Failures back off.

A change someone else waits for (a supervisor's decision) asks for a sync soon (``request``):
``Trigger.SOON`` then goes even within ``min_gap`` of a successful sync (not after failures,
which keep their back-off), and a request made while a sync runs is still wanted after it
(``requested``), since that sync may have sent its changes before this one was saved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Trigger(StrEnum):
    """Why a sync is asked for."""

    START = "start"
    RESUME = "resume"
    ONLINE = "online"
    INTERVAL = "interval"
    MANUAL = "manual"
    SOON = "soon"


@dataclass
class AutoSyncPolicy:
    """Decides whether a sync may start now. Thread-safe."""

    interval_s: float = 15 * 60
    min_gap_s: float = 30.0
    max_failure_gap_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _running: bool = field(default=False, init=False)
    _last_attempt: float | None = field(default=None, init=False)
    _attempt_before: float | None = field(default=None, init=False)
    _last_success: float | None = field(default=None, init=False)
    _failures: int = field(default=0, init=False)
    _online: bool = field(default=True, init=False)
    _requested: bool = field(default=False, init=False)
    _claimed_request: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def running(self) -> bool:
        """True while a sync is under way."""
        return self._running

    @property
    def requested(self) -> bool:
        """True while a requested sync has not started yet (``request``)."""
        return self._requested

    def request(self) -> None:
        """Ask for a sync soon: a change was saved that someone else waits for."""
        with self._lock:
            self._requested = True

    def set_online(self, online: bool) -> bool:
        """Report a connectivity change; True when a sync should start because of it."""
        with self._lock:
            came_back = online and not self._online
            self._online = online
        return came_back and self.try_begin(Trigger.ONLINE)

    def due(self) -> bool:
        """True when the interval has passed since the last success (for a periodic tick)."""
        now = self.clock()
        with self._lock:
            if self._last_success is None:
                return True
            return now - self._last_success >= self.interval_s

    def try_begin(self, trigger: Trigger) -> bool:
        """Claim the right to sync now; False if one is running or it is too soon."""
        now = self.clock()
        with self._lock:
            if self._running:
                return False
            if trigger is not Trigger.MANUAL:
                if not self._online:
                    return False
                soon = trigger is Trigger.SOON and self._requested and self._failures == 0
                if not soon and self._last_attempt is not None \
                        and now - self._last_attempt < self._gap():
                    return False
                if trigger is Trigger.INTERVAL and self._last_success is not None \
                        and now - self._last_success < self.interval_s:
                    return False
            self._running = True
            # This sync sends what was asked for (given back if the claim is released).
            self._claimed_request, self._requested = self._requested, False
            self._attempt_before, self._last_attempt = self._last_attempt, now
            return True

    def release(self) -> None:
        """Give back a claim that was not used (the app could not sync after all, e.g. it
        is locked): counts neither as an attempt nor as a failure."""
        with self._lock:
            if self._running:
                self._running = False
                self._last_attempt = self._attempt_before
                self._requested = self._requested or self._claimed_request

    def finish(self, ok: bool) -> None:
        """Record the end of the sync claimed by ``try_begin``."""
        with self._lock:
            self._running = False
            if ok:
                self._failures = 0
                self._last_success = self.clock()
            else:
                self._failures += 1

    def _gap(self) -> float:
        # After failures, wait longer before an automatic retry (manual syncs are never held).
        return min(self.max_failure_gap_s, self.min_gap_s * (2.0 ** self._failures))
