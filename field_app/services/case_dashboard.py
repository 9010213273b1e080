"""The case cycle's figures for the supervisor's dashboard (no Flet).

From ``cases.case_views`` over the device's records (the communities shown): how many cases
stand at each stage, the needs assessments past their 5 working days, and the threats to a
child's life or health still without the supervisor's decision, with how long each has been
open (from the day its act was started; a threat a visit marked before any act, from the
day the case opened), the longest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from field_app.services.cases import CaseView, case_views
from field_app.store import LocalStore
from shared_models.cases import CaseStage
from shared_models.records import Family


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case named on the dashboard."""

    case_id: str
    family_id: str
    family_name: str
    community: str
    worker: str | None
    assessment_id: str | None
    days: int          # working days overdue (assessments) or days open (threats)
    due: date | None = None


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """The case cycle on the dashboard."""

    by_stage: dict[CaseStage, int]
    overdue_assessments: list[CaseLine]
    threats: list[CaseLine]

    @property
    def open_cases(self) -> int:
        """Cases not closed (closures waiting for approval included)."""
        return sum(n for s, n in self.by_stage.items() if s is not CaseStage.CLOSED)


def _undecided_threat(v: CaseView) -> bool:
    return v.threat and (v.assessment is None or v.assessment.review.waiting)


def case_figures(store: LocalStore, *, communities: Sequence[str], today: date) -> CaseFigures:
    """The figures of the cases of ``communities`` on ``today``."""
    views = case_views(store, today=today, communities=communities)
    names = {str(f.id): f.family_name for f in store.all(Family, include_deleted=True)}
    counts = Counter(v.stage for v in views)
    by_stage = {s: counts.get(s, 0) for s in CaseStage if s is not CaseStage.CLOSED}

    def line(v: CaseView, days: int, due: date | None = None) -> CaseLine:
        return CaseLine(v.id, v.family_id, names.get(v.family_id, "—"), v.community,
                        v.assigned_worker, v.assessment.id if v.assessment else None, days, due)

    overdue = [line(v, -v.assessment_term.working_days_left, v.assessment_term.due)
               for v in views if v.is_open and v.assessment_overdue]
    overdue.sort(key=lambda c: (-c.days, c.family_name))
    threats = [line(v, (today - (v.assessment.started_on if v.assessment else v.opened_on)).days)
               for v in views if v.is_open and _undecided_threat(v)]
    threats.sort(key=lambda c: (-c.days, c.family_name))
    return CaseFigures(by_stage, overdue, threats)
