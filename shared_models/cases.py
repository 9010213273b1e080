"""The case cycle (ведення випадку): legal terms, where a case stands, and the old flag's case.

A case opens with a request (звернення); the needs assessment is due within
``ASSESSMENT_WORKING_DAYS`` working days (Law 2671-VIII art. 20, counted by ``work_calendar``);
support (соціальний супровід) runs up to ``SUPPORT_MONTHS`` months from its start, extendable by
a recorded decision to at most ``EXTENDED_SUPPORT_MONTHS``. The limits are named constants here,
the one place to change them (the 2026 procedure, Cabinet resolution No. 64, keeps them as data).
Pure functions of dates and records' values: the models validate with them, the app, the
dashboard and the server's reports count with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from shared_models.clock import HLC
from shared_models.foster_care import add_months
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar

#: The needs assessment is due this many working days after the request.
ASSESSMENT_WORKING_DAYS = 5
#: Support lasts at most this many calendar months from its start without an extension...
SUPPORT_MONTHS = 6
#: ...and at most this many with a recorded extension decision.
EXTENDED_SUPPORT_MONTHS = 12
#: Warn this many days before the support's end that applies.
SUPPORT_WARN_DAYS = 14
#: Namespace of the ids of cases made from the old ``Family.closed`` flag: the server's
#: migration and a device's store migration make the same id for the same family, so the two
#: copies merge into one record.
LEGACY_CASE_NAMESPACE = uuid.UUID("8f6b3c1e-2d4a-5b7c-9e0f-1a2b3c4d5e6f")


def legacy_case_id(family_id: uuid.UUID) -> uuid.UUID:
    """The id of the closed case standing for a family closed with the old flag."""
    return uuid.uuid5(LEGACY_CASE_NAMESPACE, str(family_id))


def legacy_case_values(family_id: uuid.UUID, closed_clock: str) -> dict[str, Any]:
    """The fields (JSON values) of the closed case standing for a family closed with the old
    flag, whose ``closed`` write has the clock ``closed_clock``.

    Only the family's id and that write's clock decide them, so the server's migration and a
    device's store migration, each from its own copy of the family, write the same values:
    merged, the two copies of the case are one record with no conflict. The request's date is
    not known: the case opens and closes on the day of the closing write (its clock's UTC day,
    the same wherever it is computed).
    """
    day = datetime.fromtimestamp(HLC.decode(closed_clock).wall_ms / 1000, UTC).date()
    return {"family_id": str(family_id), "opened_on": day.isoformat(),
            "closed_on": day.isoformat(), "closure_reason": "legacy"}


def assessment_due(opened_on: date, calendar: WorkCalendar = DEFAULT_CALENDAR) -> date:
    """The last day for the needs assessment of a case opened (requested) on ``opened_on``."""
    return calendar.add_working_days(opened_on, ASSESSMENT_WORKING_DAYS)


def support_limit(start: date) -> date:
    """The latest end of support without an extension (start + 6 months)."""
    return add_months(start, SUPPORT_MONTHS)


def extended_support_limit(start: date) -> date:
    """The latest end of support with an extension (start + 12 months)."""
    return add_months(start, EXTENDED_SUPPORT_MONTHS)


class TermLevel(StrEnum):
    """How urgent a term is; always shown by word and colour together."""

    DONE = "done"            # the step was taken (assessment completed, support ended)
    OK = "ok"
    NEAR = "near"            # close to the end: act now
    OVERDUE = "overdue"      # the last day has passed and the step was not taken


@dataclass(frozen=True, slots=True)
class AssessmentTerm:
    """Where a case's needs assessment stands on a given day."""

    level: TermLevel
    due: date
    working_days_left: int   # working days from today to ``due`` (negative: overdue by them)
    completed_on: date | None
    on_time: bool | None     # completed by ``due`` (``None`` while not completed)


def assessment_term(*, opened_on: date, completed_on: date | None, today: date,
                    calendar: WorkCalendar = DEFAULT_CALENDAR) -> AssessmentTerm:
    """The assessment's term: NEAR on its last working day or the one before."""
    due = assessment_due(opened_on, calendar)
    left = calendar.working_days_between(today, due) if today <= due else \
        -calendar.working_days_between(due, today)
    if completed_on is not None:
        return AssessmentTerm(TermLevel.DONE, due, left, completed_on, completed_on <= due)
    if today > due:
        level = TermLevel.OVERDUE
    elif left <= 1:
        level = TermLevel.NEAR
    else:
        level = TermLevel.OK
    return AssessmentTerm(level, due, left, None, None)


@dataclass(frozen=True, slots=True)
class SupportTerm:
    """Where a case's support stands on a given day (``None`` from ``support_term`` while
    support has not started)."""

    level: TermLevel
    end: date             # the end that applies: the extended end, else the planned end
    legal_limit: date     # 6 months after the start, or 12 with an extension
    days_left: int        # calendar days from today to ``end`` (negative: overdue)
    extended: bool
    can_extend: bool
    extension_limit: date


def support_term(*, start: date | None, planned_end: date | None, extended_end: date | None,
                 closed_on: date | None, today: date) -> SupportTerm | None:
    """The support's term on ``today``, or ``None`` when support has not started."""
    if start is None or planned_end is None:
        return None
    extended = extended_end is not None
    end = extended_end if extended_end is not None else planned_end
    days_left = (end - today).days
    if closed_on is not None:
        level = TermLevel.DONE
    elif days_left < 0:
        level = TermLevel.OVERDUE
    elif days_left <= SUPPORT_WARN_DAYS:
        level = TermLevel.NEAR
    else:
        level = TermLevel.OK
    return SupportTerm(level, end,
                       extended_support_limit(start) if extended else support_limit(start),
                       days_left, extended, can_extend=not extended and closed_on is None,
                       extension_limit=extended_support_limit(start))


class CaseStage(StrEnum):
    """The stage of a case, derived from its records (never stored, so it cannot disagree).

    REQUEST: opened, no completed assessment yet; ASSESSMENT: an assessment was completed and
    waits for the supervisor's decision (or was returned); SUPPORT: the assessment is approved
    (support and its plan run); CLOSING: a closure was recorded and waits for approval;
    CLOSED: the closure is approved (or the case came from the old flag).
    """

    REQUEST = "request"
    ASSESSMENT = "assessment"
    SUPPORT = "support"
    CLOSING = "closing"
    CLOSED = "closed"


def case_stage(*, closed_on: date | None, closure_approved: bool, legacy: bool,
               assessment_completed: bool, assessment_approved: bool) -> CaseStage:
    """The stage from the facts the records hold (see ``CaseStage``)."""
    if closed_on is not None:
        return CaseStage.CLOSED if closure_approved or legacy else CaseStage.CLOSING
    if assessment_approved:
        return CaseStage.SUPPORT
    if assessment_completed:
        return CaseStage.ASSESSMENT
    return CaseStage.REQUEST
