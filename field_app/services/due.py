"""The due-visits place: families whose visit is overdue or due within the week, in words.

Built from the families list's rows (``families.FamilyRow``, which already says overdue /
due / mine), so it reads the same store the same way. Order: overdue first, then mine
first, then the earliest date, then the name. Each row says when in words — "прострочено
на 3 дні", "сьогодні", "завтра", "через 5 днів" — as an i18n key and a number the view
puts through ``Translator.plural`` (Ukrainian has three plural forms).

The case cycle adds its own terms (``case_due``): the needs assessment until it is completed
(with the working days left), plan tasks past their date, and support ending within 14 days
or past its end; a case with a threat to a child's life or health comes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from field_app.services.cases import CaseView, TaskLine, case_views
from field_app.services.families import FamilyRow
from field_app.store import LocalStore
from shared_models.cases import TermLevel
from shared_models.records import Family
from shared_models.work_calendar import WorkCalendar


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


# ---- the case cycle's terms ------------------------------------------------------------------
class CaseDueKind(StrEnum):
    """What is due in a case (the key of its label: ``cases.due.<kind>``)."""

    ASSESSMENT = "assessment"      # the needs assessment, due 5 working days after the request
    TASK = "task"                  # a plan task past its due date
    SUPPORT_END = "support_end"    # support ends within 14 days, or has passed its end


@dataclass(frozen=True, slots=True)
class CaseDueRow:
    """One thing due in a case, for the due list."""

    kind: CaseDueKind
    case_id: str
    family_id: str
    family_name: str
    settlement: str
    day: date                      # the due date, or the support's end
    when: When                     # calendar days, in words (as for visits)
    overdue: bool
    #: The assessment only: working days left to its due date (negative: overdue by them).
    working_days_left: int | None
    task_id: str | None            # the task only
    task: str                      # the task's text ("" for the others)
    mine: bool                     # the case or family is assigned to the signed-in worker
    threat: bool                   # the case has a threat to a child's life or health
    community: str = ""


def case_due_rows(views: Iterable[CaseView], families: Mapping[str, Family], *, today: date,
                  me: str = "") -> list[CaseDueRow]:
    """What is due in open cases: an assessment not completed (every day until done: it is
    due within 5 working days), plan tasks past their date, support ending within
    ``SUPPORT_WARN_DAYS`` or past its end. Threats first, then overdue, then mine, then the
    earliest date."""
    rows: list[CaseDueRow] = []
    for v in views:
        if not v.is_open:
            continue
        f = families.get(v.family_id)
        name, place = (f.family_name, f.settlement) if f else ("—", "")
        mine = bool(me) and (v.assigned_worker == me
                             or (f is not None and f.assigned_worker == me))

        def row(kind: CaseDueKind, day: date, overdue: bool, *, v: CaseView = v,
                name: str = name, place: str = place, mine: bool = mine,
                left: int | None = None, task: TaskLine | None = None) -> CaseDueRow:
            return CaseDueRow(kind, v.id, v.family_id, name, place, day, when(day, today),
                              overdue, left, task.id if task else None,
                              task.task if task else "", mine, v.threat, v.community)

        term = v.assessment_term
        if term.level in (TermLevel.OK, TermLevel.NEAR, TermLevel.OVERDUE):
            rows.append(row(CaseDueKind.ASSESSMENT, term.due,
                            term.level is TermLevel.OVERDUE, left=term.working_days_left))
        rows += [row(CaseDueKind.TASK, t.due_date, True, task=t) for t in v.overdue_tasks]
        support = v.support
        if support is not None and support.level in (TermLevel.NEAR, TermLevel.OVERDUE):
            rows.append(row(CaseDueKind.SUPPORT_END, support.end,
                            support.level is TermLevel.OVERDUE))
    rows.sort(key=lambda r: (not r.threat, not r.overdue, not r.mine, r.day,
                             r.family_name.casefold(), r.kind.value, r.task))
    return rows


def case_due(store: LocalStore, *, today: date, me: str = "",
             communities: Iterable[str] | None = None,
             calendar: WorkCalendar | None = None) -> list[CaseDueRow]:
    """``case_due_rows`` over the cases on the device (blocking: run it off the loop);
    ``calendar`` None: the one the device holds."""
    views = case_views(store, today=today, communities=communities, calendar=calendar)
    if not views:
        return []
    families = {str(f.id): f for f in store.all(Family)}
    return case_due_rows(views, families, today=today, me=me)


def working_days_words(left: int) -> When:
    """The assessment's working days in words: left, the last day, or overdue by them."""
    if left < 0:
        return When("cases.due.working_days_overdue", -left)
    if left == 0:
        return When("cases.due.last_day")
    return When("cases.due.working_days_left", left)
