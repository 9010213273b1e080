"""What a revoked device reports it loses when it wipes: counts only, never content.

A device told ``device_revoked`` must wipe its store, and with it any change not yet sent.
Before wiping it sends one ``LostWorkReport`` to ``LOST_WORK_PATH`` with the token the server
just refused: the server accepts that token for this one call, once (see ``docs/server.md``).
The report holds counts per record kind and a count of open drafts — no ids, no names, no
values — so what the administrator learns is how much work was lost, not whose.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared_models.enums import RecordKind

LOST_WORK_PATH = "/api/v1/devices/lost-work"
#: More unsent changes or drafts than any phone holds; a larger count is refused (422).
MAX_LOST_COUNT = 10_000_000

Count = Annotated[int, Field(ge=0, le=MAX_LOST_COUNT)]


class LostWorkReport(BaseModel):
    """Unsent changes per record kind (outbox entries) and open drafts, at the wipe."""

    model_config = ConfigDict(extra="forbid")

    outbox: dict[RecordKind, Count] = Field(default_factory=dict)
    drafts: Count = 0

    @property
    def changes(self) -> int:
        """Unsent changes of every kind together."""
        return sum(self.outbox.values())

    @property
    def empty(self) -> bool:
        """Nothing was lost."""
        return self.changes == 0 and self.drafts == 0
