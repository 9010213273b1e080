"""Hybrid logical clock (Kulkarni et al., 2014): physical milliseconds, a counter, a node id.

A clock value orders every write in the system. It stays close to wall time, yet never goes
backwards on a node and always exceeds every clock the node has seen, so a device whose wall
clock is hours off still stamps its edits after whatever it has already pulled.

Encoded form (sorts as text exactly as the clock orders)::

    000001795000000-000000-device7
    ^ wall ms, 15 digits  ^ counter, 6 digits  ^ node id

Clocks far ahead of the receiver's wall time are flagged (``ClockDriftError``), not adopted:
one phone with a wrong date must not drag every clock in the region into the future.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WALL_DIGITS = 15
COUNTER_DIGITS = 6
MAX_COUNTER = 10**COUNTER_DIGITS - 1
MAX_WALL_MS = 10**WALL_DIGITS - 1
#: Default tolerance for a remote clock ahead of our wall time before it is refused.
MAX_DRIFT_MS = 5 * 60 * 1000

_NODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: The encoded form, as a regular expression (also used by the protocol's field validation).
CLOCK_PATTERN = rf"^(\d{{{WALL_DIGITS}}})-(\d{{{COUNTER_DIGITS}}})-([A-Za-z0-9_-]{{1,64}})$"
_CLOCK_RE = re.compile(CLOCK_PATTERN)


class ClockError(ValueError):
    """A clock value that cannot be used."""


class ClockDriftError(ClockError):
    """A remote clock is further ahead of local wall time than the allowed drift."""

    def __init__(self, remote: HLC, wall_ms: int, max_drift_ms: int) -> None:
        self.remote = remote
        self.drift_ms = remote.wall_ms - wall_ms
        self.max_drift_ms = max_drift_ms
        super().__init__(
            f"clock {remote.encode()} is {self.drift_ms} ms ahead of wall time "
            f"(allowed {max_drift_ms} ms): the sender's date or time is wrong"
        )


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch from the system clock."""
    return time.time_ns() // 1_000_000


def check_node_id(node: str) -> str:
    """Return ``node`` if it is a valid node id (1-64 of ``A-Za-z0-9_-``), else raise."""
    if not _NODE_RE.match(node):
        raise ClockError(f"invalid node id {node!r}: use 1-64 characters of A-Z a-z 0-9 _ -")
    return node


@dataclass(frozen=True, order=True, slots=True)
class HLC:
    """One clock value. Field order is the total order: wall, then counter, then node."""

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms <= MAX_WALL_MS:
            raise ClockError(f"wall time out of range: {self.wall_ms}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise ClockError(f"counter out of range: {self.counter}")
        check_node_id(self.node)

    def encode(self) -> str:
        """Text form whose lexicographic order equals the clock order."""
        return f"{self.wall_ms:0{WALL_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> HLC:
        """Parse the text form; raises ``ClockError`` with the offending text."""
        m = _CLOCK_RE.match(text) if isinstance(text, str) else None
        if m is None:
            raise ClockError(f"not a clock value: {text!r}")
        return cls(int(m.group(1)), int(m.group(2)), m.group(3))

    def __str__(self) -> str:
        return self.encode()


def is_clock(text: str) -> bool:
    """True when ``text`` is a well-formed encoded clock."""
    return isinstance(text, str) and _CLOCK_RE.match(text) is not None


class HybridClock:
    """A node's clock. Thread-safe; ``now`` for local events, ``receive`` for remote clocks.

    ``wall`` supplies physical time (the client passes one corrected by the server's offset);
    ``max_drift_ms`` is how far ahead of it a received clock may be (``None``: trust every
    sender, as a device does for its server).
    """

    def __init__(
        self,
        node: str,
        *,
        wall: Callable[[], int] = wall_clock_ms,
        max_drift_ms: int | None = MAX_DRIFT_MS,
        last: HLC | str | None = None,
    ) -> None:
        self.node = check_node_id(node)
        self._wall = wall
        self.max_drift_ms = max_drift_ms
        self._lock = threading.Lock()
        start = HLC.decode(last) if isinstance(last, str) else last
        self._l = start.wall_ms if start else 0
        self._c = start.counter if start else 0

    @property
    def last(self) -> HLC:
        """The most recent clock value issued or received (to persist across restarts)."""
        with self._lock:
            return HLC(self._l, self._c, self.node)

    def now(self) -> HLC:
        """Clock for a local event: at least wall time, strictly after every earlier value."""
        with self._lock:
            pt = self._wall()
            if pt > self._l:
                self._l, self._c = pt, 0
            else:
                self._bump()
            return HLC(self._l, self._c, self.node)

    def receive(self, remote: HLC | str) -> HLC:
        """Merge a remote clock (HLC receive rule) and return the new local value.

        Raises ``ClockDriftError`` (and changes nothing) when the remote clock is further
        ahead of wall time than ``max_drift_ms``.
        """
        r = HLC.decode(remote) if isinstance(remote, str) else remote
        with self._lock:
            pt = self._wall()
            if self.max_drift_ms is not None and r.wall_ms - pt > self.max_drift_ms:
                raise ClockDriftError(r, pt, self.max_drift_ms)
            new_l = max(self._l, r.wall_ms, pt)
            if new_l == self._l and new_l == r.wall_ms:
                self._c = max(self._c, r.counter) + 1
            elif new_l == self._l:
                self._c += 1
            elif new_l == r.wall_ms:
                self._c = r.counter + 1
            else:
                self._c = 0
            self._l = new_l
            if self._c > MAX_COUNTER:
                self._l, self._c = self._l + 1, 0
            return HLC(self._l, self._c, self.node)

    def _bump(self) -> None:
        # Counter overflow moves logical time one millisecond ahead instead of failing.
        if self._c >= MAX_COUNTER:
            self._l, self._c = self._l + 1, 0
        else:
            self._c += 1
