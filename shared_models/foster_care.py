"""Family foster care (сімейний патронат): the legal time limits and where a placement stands.

Cabinet of Ministers resolution No. 893 of 20.08.2021: a child stays with a foster family for
**up to 3 months**; the guardianship authority may extend the stay to **at most 6 months**
from the start. The limits are named constants here, the one place to change them if the
rules change (``docs/domain.md``). Pure functions of dates: the placement model validates with
them, the app and the dashboard warn with them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: A placement without an extension ends at most this many calendar months after its start.
STAY_MONTHS = 3
#: With the guardianship authority's extension, at most this many months after the start.
EXTENDED_STAY_MONTHS = 6
#: Warn this many days before the end that applies (planned end, or the extended end).
WARN_DAYS = 14


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the month's last day).

    30.11.2026 + 3 months is 28.02.2027: the law counts months, and February is short.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def stay_limit(start: date) -> date:
    """The last day a placement without an extension may last (start + 3 months)."""
    return add_months(start, STAY_MONTHS)


def extended_limit(start: date) -> date:
    """The last day an extended placement may last (start + 6 months)."""
    return add_months(start, EXTENDED_STAY_MONTHS)


class PlacementLevel(StrEnum):
    """How urgent a placement is; always shown by word and colour together."""

    ENDED = "ended"          # the child left the foster family
    OK = "ok"                # more than WARN_DAYS left
    NEAR = "near"            # WARN_DAYS or fewer left: extend, or prepare the return
    OVERDUE = "overdue"      # the end that applies has passed and the child is still placed


@dataclass(frozen=True, slots=True)
class PlacementTerm:
    """Where a placement stands on a given day."""

    level: PlacementLevel
    end: date            # the end that applies now: the extended end, else the planned end
    legal_limit: date    # 3 months after the start, or 6 with an extension
    days_left: int       # days from today to ``end`` (negative: overdue by that many)
    extended: bool
    can_extend: bool     # not extended yet and not ended: the authority may still extend
    extension_limit: date  # the latest end an extension may give (start + 6 months)


def placement_term(*, start: date, planned_end: date, extended_end: date | None,
                   ended_on: date | None, today: date) -> PlacementTerm:
    """The term of a placement on ``today`` (see ``PlacementLevel``)."""
    extended = extended_end is not None
    end = extended_end if extended_end is not None else planned_end
    limit = extended_limit(start) if extended else stay_limit(start)
    days_left = (end - today).days
    if ended_on is not None:
        level = PlacementLevel.ENDED
    elif days_left < 0:
        level = PlacementLevel.OVERDUE
    elif days_left <= WARN_DAYS:
        level = PlacementLevel.NEAR
    else:
        level = PlacementLevel.OK
    return PlacementTerm(level, end, limit, days_left, extended,
                         can_extend=not extended and ended_on is None,
                         extension_limit=extended_limit(start))
