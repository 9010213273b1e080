"""Retry timing: exponential backoff with full jitter, honouring the server's Retry-After.

Jitter matters here: after a network outage every phone in a community comes back at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays for ``attempts`` tries: random in [0, min(cap, base * 2**n)] seconds."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 0)."""
        ceiling = min(self.cap, self.base * (2**attempt))
        wait = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait
