"""The supervisor's dashboard: figures computed from the records on this device (no Flet).

Plain functions over lists of models, and ``build_dashboard`` over the unlocked store. The
device holds exactly the communities its user may see (a supervisor's, or all 11 for a
coordinator), so the figures are theirs; a community filter narrows them. What only the
server knows — when each device last reached it — comes from ``supervision``.

Figures:
* visits per community per week (Monday to Sunday, the last ``WEEKS`` weeks, this one too);
* overdue follow-ups: open families whose next visit date has passed, most overdue first;
* open families by the risk of their latest visit (or no visit yet);
* workload per worker: open families assigned, visits in the last 30 days, overdue ones;
* open conflicts per community;
* foster placements near their end or past it (``placements``);
* the case cycle (``CaseFigures``): cases by stage, assessments overdue with their working
  days, overdue plan tasks, support ending or past its end, and threats to a child's life
  or health open without a supervisor's decision, with how long.

"Open" families are those whose cases are not all closed (``cases.closed_family_ids``); the
retired ``Family.closed`` flag is not read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from field_app.services.case_reviews import OpenThreat, open_threats
from field_app.services.cases import CaseView, case_views
from field_app.services.due import CaseDueKind, CaseDueRow, case_due_rows
from field_app.services.placements import PlacementRow, rows_for
from field_app.store import LocalStore
from shared_models.cases import CaseStage
from shared_models.enums import ConflictStatus, RiskLevel
from shared_models.records import Case, Conflict, Family, Person, Placement, Record, Visit
from shared_models.work_calendar import WorkCalendar

R = TypeVar("R", bound=Record)

#: Weeks of visits shown (this week and the ones before it).
WEEKS = 10
#: The window of "recent visits" in the workload table.
WORKLOAD_DAYS = 30


@dataclass(frozen=True, slots=True)
class WeekVisits:
    """Visits in one week (Monday ``start`` to Sunday), per community."""

    start: date
    by_community: dict[str, int]

    @property
    def end(self) -> date:
        """The Sunday of the week."""
        return self.start + timedelta(days=6)

    @property
    def total(self) -> int:
        """Visits in all the communities shown."""
        return sum(self.by_community.values())


@dataclass(frozen=True, slots=True)
class OverdueFamily:
    """An open family whose next visit date has passed."""

    id: str
    community: str
    family_name: str
    settlement: str
    next_visit_date: date
    days_overdue: int
    assigned_worker: str | None


@dataclass(frozen=True, slots=True)
class WorkerLoad:
    """One worker's open families and recent visits."""

    worker: str
    open_families: int
    overdue_families: int
    recent_visits: int


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """The case cycle on the dashboard."""

    by_stage: dict[CaseStage, int]          # every stage, zeros too (closed: approved ones)
    assessments_overdue: list[CaseDueRow]   # ``working_days_left`` negative: overdue by them
    tasks_overdue: list[CaseDueRow]
    support_ending: list[CaseDueRow]        # within 14 days of its end, or past it
    threats: list[OpenThreat]               # without a decision, the longest waiting first

    @property
    def open_cases(self) -> int:
        """Cases not closed (waiting for the closure's approval counts as open work)."""
        return sum(n for stage, n in self.by_stage.items() if stage is not CaseStage.CLOSED)


NO_CASES = CaseFigures({stage: 0 for stage in CaseStage}, [], [], [], [])


def case_figures(views: Iterable[CaseView], families: dict[str, Family], threats:
                 list[OpenThreat], *, today: date) -> CaseFigures:
    """The dashboard's case figures from the cases' views (``cases.case_views``)."""
    views = list(views)
    by_stage = dict.fromkeys(CaseStage, 0)
    for v in views:
        by_stage[v.stage] += 1
    due = case_due_rows(views, families, today=today)
    return CaseFigures(
        by_stage,
        [r for r in due if r.kind is CaseDueKind.ASSESSMENT and r.overdue],
        [r for r in due if r.kind is CaseDueKind.TASK],
        [r for r in due if r.kind is CaseDueKind.SUPPORT_END],
        threats)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard shows, for the communities in ``communities``."""

    today: date
    communities: tuple[str, ...]
    weeks: list[WeekVisits]
    overdue: list[OverdueFamily]
    risk: dict[RiskLevel | None, int]       # None: open families with no visit yet
    workload: list[WorkerLoad]
    conflicts: dict[str, int]               # open conflicts per community (only those with any)
    placements: list[PlacementRow]          # active placements near or past their end
    cases: CaseFigures = NO_CASES

    @property
    def visits_in_period(self) -> int:
        """Visits in all the weeks shown."""
        return sum(w.total for w in self.weeks)

    def visits_per_community(self) -> dict[str, int]:
        """Visits of the weeks shown per community (every community shown, zeros too)."""
        totals = dict.fromkeys(self.communities, 0)
        for week in self.weeks:
            for code, n in week.by_community.items():
                totals[code] = totals.get(code, 0) + n
        return totals


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _local_day(at: datetime, tz: tzinfo | None) -> date:
    return at.astimezone(tz).date()


def visits_per_week(visits: Iterable[Visit], *, communities: Sequence[str], today: date,
                    weeks: int = WEEKS, tz: tzinfo | None = None) -> list[WeekVisits]:
    """Visits per week and community, oldest week first; every week and community present.

    Days are the device's local days (``tz`` for tests), as the worker recorded them.
    """
    first = week_start(today) - timedelta(weeks=weeks - 1)
    counts: dict[date, Counter[str]] = {first + timedelta(weeks=i): Counter()
                                        for i in range(weeks)}
    wanted = set(communities)
    for v in visits:
        code = v.community.value
        if code not in wanted:
            continue
        day = _local_day(v.visited_at, tz)
        monday = week_start(day)
        if monday in counts and day <= today:
            counts[monday][code] += 1
    return [WeekVisits(monday, {c: counts[monday][c] for c in communities})
            for monday in sorted(counts)]


def overdue_families(families: Iterable[Family], *, today: date,
                     closed_ids: set[str] | frozenset[str] = frozenset()
                     ) -> list[OverdueFamily]:
    """Open families whose next visit date is before ``today``, most overdue first."""
    out = [OverdueFamily(str(f.id), f.community.value, f.family_name, f.settlement,
                         f.next_visit_date, (today - f.next_visit_date).days, f.assigned_worker)
           for f in families
           if str(f.id) not in closed_ids and f.next_visit_date is not None
           and f.next_visit_date < today]
    out.sort(key=lambda o: (-o.days_overdue, o.family_name.casefold()))
    return out


def latest_visits(visits: Iterable[Visit]) -> dict[str, Visit]:
    """The latest visit of each family, by family id."""
    latest: dict[str, Visit] = {}
    for v in visits:
        fid = str(v.family_id)
        if fid not in latest or v.visited_at > latest[fid].visited_at:
            latest[fid] = v
    return latest


def risk_counts(families: Iterable[Family], visits: Iterable[Visit], *,
                closed_ids: set[str] | frozenset[str] = frozenset()
                ) -> dict[RiskLevel | None, int]:
    """Open families by the risk of their latest visit, high first; ``None``: no visit yet."""
    latest = latest_visits(visits)
    counts: dict[RiskLevel | None, int] = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 0,
                                           RiskLevel.LOW: 0, None: 0}
    for f in families:
        if str(f.id) not in closed_ids:
            v = latest.get(str(f.id))
            counts[v.risk_level if v else None] += 1
    return counts


def workload(families: Iterable[Family], visits: Iterable[Visit], *, today: date,
             days: int = WORKLOAD_DAYS, tz: tzinfo | None = None,
             closed_ids: set[str] | frozenset[str] = frozenset()) -> list[WorkerLoad]:
    """Per worker (assigned families or visit authors): open families, overdue ones among
    them, and visits in the last ``days`` days; the busiest first."""
    open_: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for f in families:
        if str(f.id) in closed_ids or not f.assigned_worker:
            continue
        open_[f.assigned_worker] += 1
        if f.next_visit_date is not None and f.next_visit_date < today:
            overdue[f.assigned_worker] += 1
    since = today - timedelta(days=days - 1)
    recent: Counter[str] = Counter(v.author for v in visits
                                   if since <= _local_day(v.visited_at, tz) <= today)
    workers = set(open_) | set(recent)
    rows = [WorkerLoad(w, open_[w], overdue[w], recent[w]) for w in workers]
    rows.sort(key=lambda r: (-r.open_families, -r.recent_visits, r.worker))
    return rows


def open_conflicts(conflicts: Iterable[Conflict]) -> dict[str, int]:
    """Open conflicts per community (communities with none are left out)."""
    counts: defaultdict[str, int] = defaultdict(int)
    for c in conflicts:
        if c.status is ConflictStatus.OPEN:
            counts[c.community.value] += 1
    return dict(sorted(counts.items()))


def build_dashboard(store: LocalStore, *, communities: Sequence[str], today: date,
                    weeks: int = WEEKS, tz: tzinfo | None = None,
                    calendar: WorkCalendar | None = None) -> Dashboard:
    """The dashboard of ``communities`` from the records on this device (``calendar``
    None: the one the device holds)."""
    wanted = tuple(communities)
    keep = set(wanted)
    # One community: let the store filter, so the others' models are not copied out.
    only: dict[str, Any] = {"community": wanted[0]} if len(wanted) == 1 else {}

    def of(cls: type[R]) -> list[R]:
        return [r for r in store.all(cls, **only) if r.community.value in keep]

    families, visits, placements = of(Family), of(Visit), of(Placement)
    rows: list[PlacementRow] = []
    if placements:
        people = {str(c.id): c for c in of(Person)}
        rows = [r for r in rows_for(placements, families={str(f.id): f for f in families},
                                    people=people, today=today)
                if r.active and r.needs_attention]
    cases = of(Case)
    closed_ids = _closed(cases)
    figures = NO_CASES
    if cases or any(v.threat_to_life for v in visits):
        figures = case_figures(
            case_views(store, today=today, communities=wanted, include_closed=True,
                       calendar=calendar),
            {str(f.id): f for f in families},
            open_threats(store, today=today, communities=wanted), today=today)
    return Dashboard(
        today=today, communities=wanted,
        weeks=visits_per_week(visits, communities=wanted, today=today, weeks=weeks, tz=tz),
        overdue=overdue_families(families, today=today, closed_ids=closed_ids),
        risk=risk_counts(families, visits, closed_ids=closed_ids),
        workload=workload(families, visits, today=today, tz=tz, closed_ids=closed_ids),
        conflicts=open_conflicts(of(Conflict)),
        placements=rows, cases=figures)


def _closed(cases: Iterable[Case]) -> set[str]:
    """Families whose cases are all closed (``cases.closed_family_ids`` over a list)."""
    open_ids: set[str] = set()
    closed: set[str] = set()
    for c in cases:
        (closed if c.closed_on is not None else open_ids).add(str(c.family_id))
    return closed - open_ids
