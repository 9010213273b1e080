"""The families list: search, filters and paging over the community's families (no Flet).

A worker looks for a family by surname or village, or asks what is due: visits in the coming
week, visits overdue, families assigned to them. The list is built from the store's decrypted
models in memory (fast for thousands of families) and paged for the screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from shared_models.records import Family

#: A visit within this many days from today counts as due.
DUE_WINDOW_DAYS = 7
PAGE_SIZE = 50


class FamilyFilter(StrEnum):
    """The filter chips of the families list."""

    ALL = "all"
    MINE = "mine"
    DUE = "due"
    OVERDUE = "overdue"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class FamilyRow:
    """One line of the list: what the worker needs to decide whether to open it."""

    id: str
    family_name: str
    settlement: str
    next_visit_date: date | None
    due: bool
    overdue: bool
    closed: bool
    mine: bool
    unsynced: bool
    community: str = ""


@dataclass(frozen=True, slots=True)
class FamiliesPage:
    """A page of rows and how many families matched in all."""

    rows: list[FamilyRow]
    total: int
    #: Whether the listed families (all of them, not only the matching ones) belong to more
    #: than one community (a coordinator's device): rows then say which, since village names
    #: repeat across communities.
    several_communities: bool = False


def _row(f: Family, *, me: str, today: date, unsynced: set[str],
         closed_ids: set[str] | frozenset[str]) -> FamilyRow:
    nxt = f.next_visit_date
    closed = str(f.id) in closed_ids
    overdue = nxt is not None and nxt < today and not closed
    due = nxt is not None and today <= nxt <= today + timedelta(days=DUE_WINDOW_DAYS) \
        and not closed
    return FamilyRow(str(f.id), f.family_name, f.settlement, nxt, due, overdue, closed,
                     bool(me) and f.assigned_worker == me, str(f.id) in unsynced,
                     str(f.community))


def _wanted(row: FamilyRow, chosen: FamilyFilter) -> bool:
    if chosen is FamilyFilter.CLOSED:
        return row.closed
    if row.closed:
        return False
    return {FamilyFilter.ALL: True, FamilyFilter.MINE: row.mine, FamilyFilter.DUE: row.due,
            FamilyFilter.OVERDUE: row.overdue}[chosen]


def list_families(
    families: Iterable[Family],
    *,
    me: str,
    today: date,
    unsynced: set[str] | frozenset[str] = frozenset(),
    closed_ids: set[str] | frozenset[str] = frozenset(),
    text: str = "",
    chosen: FamilyFilter = FamilyFilter.ALL,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> FamiliesPage:
    """Families matching ``text`` (surname or settlement) and the filter, best first.

    Order: assigned to me, then overdue, then by the next visit date (soonest first, none
    last), then by name. Closed families appear only under the "closed" filter: a family
    is closed when its cases say so (``closed_ids``, from ``cases.closed_family_ids``), not
    by the retired ``Family.closed`` flag.
    """
    needle = text.strip().casefold()
    seen = set(unsynced)
    rows = []
    communities = set()
    for f in families:
        communities.add(f.community)
        if needle and needle not in f.family_name.casefold() \
                and needle not in f.settlement.casefold():
            continue
        row = _row(f, me=me, today=today, unsynced=seen, closed_ids=closed_ids)
        if _wanted(row, chosen):
            rows.append(row)
    rows.sort(key=lambda r: (not r.mine, not r.overdue, r.next_visit_date or date.max,
                             r.family_name.casefold(), r.settlement.casefold()))
    return FamiliesPage(rows[offset:offset + limit], len(rows),
                        len(communities) > 1)
