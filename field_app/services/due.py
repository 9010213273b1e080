"""The due-visits place: families whose visit is overdue or due within the week, in words.

Built from the families list's rows (``families.FamilyRow``, which already says overdue /
due / mine), so it reads the same store the same way. Order: overdue first, then mine
first, then the earliest date, then the name. Each row says when in words — "прострочено
на 3 дні", "сьогодні", "завтра", "через 5 днів" — as an i18n key and a number the view
puts through ``Translator.plural`` (Ukrainian has three plural forms).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from field_app.services.families import FamilyRow


@dataclass(frozen=True, slots=True)
class When:
    """A date relative to today in words: ``key`` (a plural base when ``n`` is set)."""

    key: str
    n: int | None = None


def when(day: date, today: date) -> When:
    """How far ``day`` is from ``today``: overdue by n days, today, tomorrow, in n days."""
    days = (day - today).days
    if days < 0:
        return When("visits.overdue_by", -days)
    if days == 0:
        return When("visits.today")
    if days == 1:
        return When("visits.tomorrow")
    return When("visits.in_days", days)


@dataclass(frozen=True, slots=True)
class DueRow:
    """One family in the due-visits place."""

    family_id: str
    family_name: str
    settlement: str
    day: date
    when: When
    overdue: bool
    mine: bool
    unsynced: bool
    community: str = ""


@dataclass(frozen=True, slots=True)
class DueList:
    """The rows to show and how many are overdue and due."""

    rows: list[DueRow]
    overdue: int
    due: int
    #: The device holds families of more than one community (a coordinator's): each row
    #: then names its community (``FamiliesPage.several_communities``).
    several_communities: bool = False


def due_visits(rows: Iterable[FamilyRow], *, today: date,
               several_communities: bool = False) -> DueList:
    """Overdue and due-this-week families from list rows (duplicates and closed dropped)."""
    out: dict[str, DueRow] = {}
    for r in rows:
        if r.closed or r.next_visit_date is None or not (r.overdue or r.due):
            continue
        out[r.id] = DueRow(r.id, r.family_name, r.settlement, r.next_visit_date,
                           when(r.next_visit_date, today), r.next_visit_date < today, r.mine,
                           r.unsynced, r.community)
    ordered = sorted(out.values(), key=lambda d: (not d.overdue, not d.mine, d.day,
                                                  d.family_name.casefold(),
                                                  d.settlement.casefold()))
    overdue = sum(1 for d in ordered if d.overdue)
    return DueList(ordered, overdue, len(ordered) - overdue,
                   several_communities)
