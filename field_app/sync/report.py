"""What a sync did, for the status screen, and the progress events the UI draws a bar from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Stage(StrEnum):
    """Phases of a sync, in order."""

    PUSH = "push"
    PULL = "pull"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress event: the stage, and how far it got (``total`` is 0 when unknown)."""

    stage: Stage
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class Attention:
    """A change the server refused: kept on the phone, shown to the worker with the reason."""

    mutation_id: str
    record_id: str
    kind: str
    code: str
    reason: str


@dataclass
class SyncReport:
    """Figures of one sync."""

    pushed: int = 0
    pulled: int = 0
    #: Pulled records that changed what this device holds: ``pulled`` less this device's own
    #: changes coming back in the feed, which the worker did not "receive".
    received: int = 0
    conflicts: int = 0
    rejected: int = 0
    purged: int = 0
    rescanned: int = 0     # communities read again from the start after a role change
    duration_s: float = 0.0
    push_s: float = 0.0  # the push part of duration_s (the rest pulls)
    bytes_sent: int = 0
    bytes_received: int = 0
    attention: list[Attention] = field(default_factory=list)
    calendar_changed: bool = False  # the operator's work calendar came new in this sync

    @property
    def bytes(self) -> int:
        """Bytes on the wire in both directions (bodies as sent, compressed where they were)."""
        return self.bytes_sent + self.bytes_received
