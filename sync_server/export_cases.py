"""The cases of an export: one row per case that ran during the period, with its stage and terms.

A case is in the period when it was requested on or before its last day and was not closed
before its first (open cases are in every period from their request on); deleted cases are
left out. Per case: community and KATOTTG, the family's and the case's ids, the assigned
worker, the stage (``shared_models.cases.case_stage``, from the case, its needs assessments
and the supervisor's reviews of both), the request date, the day the needs assessment was due
(5 working days, ``assessment_due``), the day it was completed and whether that was in time,
the support's start, planned end and extension, and the closure: day, reason, result.

Data minimisation, as the other exports: ids, dates, choices and user names only — no names,
addresses, the request's or the closure's text, or who reported the family.

A decision counts as the supervisor's approval when the target's latest review approves it
and the target has not changed since (its highest field clock is not above the review's
``target_clock``, or the review's own clock without one), as the devices derive it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select

from shared_models.cases import CaseStage, assessment_due, case_stage
from shared_models.communities import CommunityCode, community
from shared_models.enums import ClosureReason, RecordKind, ReviewDecision
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar
from sync_server.feed import RECORDS
from sync_server.tables import KIND_TABLES

CASE_HEADERS = ("Громада", "КАТОТТГ", "Ідентифікатор сім'ї", "Ідентифікатор випадку",
                "Фахівець", "Етап", "Дата звернення", "Оцінити потреби до",
                "Оцінювання потреб завершено", "Оцінено в строк (5 робочих днів)",
                "Початок соціального супроводу", "Заплановане завершення",
                "Продовжено до", "Дата закриття", "Причина закриття", "Результат")
STAGES = {CaseStage.REQUEST: "Звернення",
          CaseStage.ASSESSMENT: "Оцінювання потреб",
          CaseStage.SUPPORT: "Соціальний супровід",
          CaseStage.CLOSING: "Закриття чекає на затвердження",
          CaseStage.CLOSED: "Випадок закрито"}
#: The closure reasons and results as the app words them (``field_app/texts/cases.py``), but
#: the placed child's without «прийомна сім'я», which the glossary allows in the app's key only.
REASONS = {"goals_achieved": "складні життєві обставини подолано",
           "no_need": "потреби в соціальному супроводі не виявлено",
           "family_refused": "сім'я відмовилася від послуги",
           "moved_away": "сім'я вибула з громади",
           "referred": "передано іншій службі чи надавачу",
           "child_placed": "дитину влаштовано (сімейні форми виховання чи заклад)",
           "term_ended": "сплив строк соціального супроводу",
           "death": "смерть", "other": "інше",
           "legacy": "закрито до запровадження випадків"}
RESULTS = {"achieved": "мети досягнуто", "partly": "мети досягнуто частково",
           "not_achieved": "мети не досягнуто"}
#: Whether the needs assessment was completed within its 5 working days.
ON_TIME, LATE, OVERDUE, RUNNING = "так", "ні", "ні, ще не завершено", "строк триває"


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case as exported."""

    community: CommunityCode
    family_id: str
    case_id: str
    worker: str
    stage: CaseStage
    opened_on: date
    assessment_due: date | None      # ``None`` for a legacy case (it never had one)
    assessed_on: date | None
    on_time: str
    support_start: date | None
    planned_end: date | None
    extended_end: date | None
    closed_on: date | None
    closure_reason: str | None
    closure_result: str | None

    def cells(self) -> list[str | date | None]:
        """The row under ``CASE_HEADERS`` (dates stay dates for XLSX)."""
        info = community(self.community)
        return [info.name_uk, info.katottg, self.family_id, self.case_id, self.worker,
                STAGES[self.stage], self.opened_on, self.assessment_due, self.assessed_on,
                self.on_time, self.support_start, self.planned_end, self.extended_end,
                self.closed_on, REASONS.get(self.closure_reason or "", self.closure_reason),
                RESULTS.get(self.closure_result or "", self.closure_result)]


def _top_clock(state: Mapping[str, Any]) -> str:
    """The highest current clock of a stored state (the record's latest change)."""
    return max((entry["c"][1] for entry in state["f"].values()), default="")


def _states(conn: Connection, ids: Iterable[uuid.UUID]) -> dict[str, str]:
    """Each record's latest change clock, by id (one query)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(select(RECORDS.c.id, RECORDS.c.state).where(RECORDS.c.id.in_(wanted)))
    return {str(uuid.UUID(str(rid))): _top_clock(state) for rid, state in rows}


def _approved(conn: Connection, targets: Mapping[str, str], codes: list[str]) -> set[str]:
    """The ids of ``targets`` (id -> its latest clock) whose current review approves them."""
    r = KIND_TABLES[RecordKind.REVIEW]
    rows = conn.execute(
        select(r.c.id, r.c.target_id, r.c.decision, r.c.target_clock)
        .where(r.c.community.in_(codes), r.c.deleted.is_(False),
               r.c.target_kind.in_([RecordKind.CASE.value, RecordKind.ASSESSMENT.value]))).all()
    clocks = _states(conn, (rid for rid, *_ in rows))
    latest: dict[str, tuple[str, str, str]] = {}   # target -> (review clock, decision, seen)
    for rid, target, decision, target_clock in rows:
        own = clocks.get(str(uuid.UUID(str(rid))), "")
        key = str(uuid.UUID(str(target)))
        if key in targets and (key not in latest or own > latest[key][0]):
            latest[key] = (own, decision, target_clock or own)
    return {t for t, (_own, decision, seen) in latest.items()
            if decision == ReviewDecision.APPROVED.value and targets[t] <= seen}


def _on_time(due: date, done: date | None, today: date) -> str:
    if done is not None:
        return ON_TIME if done <= due else LATE
    return OVERDUE if today > due else RUNNING


def case_lines(conn: Connection, *, codes: Iterable[CommunityCode], start: date, end: date,
               today: date, calendar: WorkCalendar = DEFAULT_CALENDAR) -> list[CaseLine]:
    """Cases (not deleted) of ``codes`` that ran during ``start``..``end``, by request day."""
    c, a = KIND_TABLES[RecordKind.CASE], KIND_TABLES[RecordKind.ASSESSMENT]
    wanted = sorted(x.value for x in codes)
    cases = conn.execute(
        select(c).where(c.c.community.in_(wanted), c.c.deleted.is_(False),
                        c.c.opened_on <= end,
                        or_(c.c.closed_on.is_(None), c.c.closed_on >= start))
        .order_by(c.c.opened_on, c.c.id)).mappings().all()
    ids = [row["id"] for row in cases]
    acts = conn.execute(select(a.c.id, a.c.case_id, a.c.completed_on).where(
        a.c.case_id.in_(ids), a.c.deleted.is_(False))).all() if ids else []
    completed: dict[str, list[date]] = defaultdict(list)
    acts_of: dict[str, list[str]] = defaultdict(list)
    for aid, case_id, done in acts:
        key = str(uuid.UUID(str(case_id)))
        acts_of[key].append(str(uuid.UUID(str(aid))))
        if done is not None:
            completed[key].append(done)
    latest = _states(conn, [*ids, *(row[0] for row in acts)])
    approved = _approved(conn, latest, wanted)
    out = []
    for row in cases:
        cid = str(uuid.UUID(str(row["id"])))
        legacy = row["closure_reason"] == ClosureReason.LEGACY.value
        # The first completion counts for the 5 working days (a returned act amended later
        # was still done then).
        done = min(completed[cid], default=None)
        due = None if legacy else assessment_due(row["opened_on"], calendar)
        stage = case_stage(
            closed_on=row["closed_on"], closure_approved=cid in approved, legacy=legacy,
            assessment_completed=done is not None,
            assessment_approved=any(act in approved for act in acts_of[cid]))
        out.append(CaseLine(
            CommunityCode(row["community"]), str(uuid.UUID(str(row["family_id"]))), cid,
            row["assigned_worker"] or "", stage, row["opened_on"], due, done,
            "" if due is None else _on_time(due, done, today), row["support_start"],
            row["planned_end"], row["extended_end"], row["closed_on"], row["closure_reason"],
            row["closure_result"]))
    return out
