"""Foster-care placements as the screens list them: who, where, and how long is left (no Flet).

Plain functions over the unlocked ``LocalStore``. A family card shows the placements in which
the family is the foster family or the child's own family; the placements screen and the
dashboard show every placement of the device's communities, the most urgent first. Where a
placement stands (days left, the legal limit, the warning level) is
``shared_models.foster_care``'s rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from field_app.i18n import format_name
from field_app.services.cases import closed_family_ids
from field_app.store import LocalStore
from shared_models.enums import PlacementOutcome
from shared_models.foster_care import PlacementLevel, PlacementTerm, placement_term
from shared_models.records import Family, Person, Placement

_URGENCY = {PlacementLevel.OVERDUE: 0, PlacementLevel.NEAR: 1, PlacementLevel.OK: 2,
            PlacementLevel.ENDED: 3}


@dataclass(frozen=True, slots=True)
class PlacementRow:
    """One placement as a line of a list."""

    id: str
    community: str
    child_name: str
    foster_family_id: str
    foster_family_name: str
    birth_family_id: str | None
    birth_family_name: str | None
    start_date: date
    ended_on: date | None
    outcome: PlacementOutcome | None
    term: PlacementTerm
    unsynced: bool

    @property
    def active(self) -> bool:
        """The child is still with the foster family."""
        return self.ended_on is None

    @property
    def needs_attention(self) -> bool:
        """Near its end, or past it with the child still placed."""
        return self.term.level in (PlacementLevel.NEAR, PlacementLevel.OVERDUE)


def term_of(p: Placement, today: date) -> PlacementTerm:
    """Where ``p`` stands on ``today``."""
    return placement_term(start=p.start_date, planned_end=p.planned_end,
                          extended_end=p.extended_end, ended_on=p.ended_on, today=today)


def rows_for(placements: Iterable[Placement], *, families: dict[str, Family],
             people: dict[str, Person], today: date,
             unsynced: set[str] | frozenset[str] = frozenset()) -> list[PlacementRow]:
    """Rows of ``placements``: overdue, then near the end, then the rest by days left; ended
    placements last, the latest ended first."""
    rows = []
    for p in placements:
        child = people.get(str(p.child_id))
        foster = families.get(str(p.foster_family_id))
        birth = families.get(str(p.birth_family_id)) if p.birth_family_id else None
        rows.append(PlacementRow(
            id=str(p.id), community=p.community.value,
            child_name=format_name(child.last_name, child.first_name) if child else "—",
            foster_family_id=str(p.foster_family_id),
            foster_family_name=foster.family_name if foster else "—",
            birth_family_id=str(p.birth_family_id) if p.birth_family_id else None,
            birth_family_name=birth.family_name if birth else None,
            start_date=p.start_date, ended_on=p.ended_on, outcome=p.outcome,
            term=term_of(p, today), unsynced=str(p.id) in unsynced))
    rows.sort(key=lambda r: (_URGENCY[r.term.level],
                             -(r.ended_on or date.min).toordinal() if r.ended_on
                             else r.term.days_left, r.child_name))
    return rows


def placement_rows(store: LocalStore, *, today: date, family_id: str | None = None,
                   communities: Iterable[str] | None = None) -> list[PlacementRow]:
    """Placements on this device (of one family, as foster or own family, when given;
    of some communities when given), most urgent first."""
    wanted = set(communities) if communities is not None else None
    placements = [p for p in store.all(Placement)
                  if (family_id is None or family_id in (str(p.foster_family_id),
                                                         str(p.birth_family_id)))
                  and (wanted is None or p.community.value in wanted)]
    if not placements:
        return []
    families = {str(f.id): f for f in store.all(Family)}
    people = {str(c.id): c for c in store.all(Person)}
    return rows_for(placements, families=families, people=people, today=today,
                    unsynced=store.unsynced_ids())


def open_foster_families(store: LocalStore) -> list[Family]:
    """Foster families whose cases are not closed (``cases.closed_family_ids``; the retired
    ``Family.closed`` flag is not read), in the order first stored."""
    closed = closed_family_ids(store)
    return [f for f in store.all(Family, foster_family=True) if str(f.id) not in closed]
