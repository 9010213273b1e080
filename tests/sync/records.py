"""Valid records for sync tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared_models.records import Family, Note, Visit


def family(community: str = "malynska", **kw: Any) -> Family:
    data: dict[str, Any] = {"community": community, "family_name": "Коваленко",
                            "settlement": "Малин"}
    return Family(**{**data, **kw})


def visit(family_id: uuid.UUID, author: str, community: str = "malynska", **kw: Any) -> Visit:
    data: dict[str, Any] = {"community": community, "family_id": family_id,
                            "visited_at": datetime.now(UTC) - timedelta(hours=1),
                            "risk_level": "medium", "author": author,
                            "next_steps": "Консультація психолога"}
    return Visit(**{**data, **kw})


def note(family_id: uuid.UUID, author: str, community: str = "malynska", **kw: Any) -> Note:
    data: dict[str, Any] = {"community": community, "family_id": family_id,
                            "text": "Мати погодилась на супровід", "author": author,
                            "written_at": datetime.now(UTC) - timedelta(minutes=5)}
    return Note(**{**data, **kw})
