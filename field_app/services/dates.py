"""Dates as Ukrainians type them (22.11.2026), read back into ``date`` objects (no Flet)."""

from __future__ import annotations

import re
from datetime import date

_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")


def parse_date(text: str) -> date | None:
    """``22.11.2026`` (or with / or -) as a date; ``None`` for an empty field.

    Raises ``ValueError`` for anything else, including impossible dates (31.02.2026).
    """
    if not text.strip():
        return None
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    day, month, year = (int(g) for g in m.groups())
    return date(year, month, day)
