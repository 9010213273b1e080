"""The case cycle's shared rules: working days, the assessment's and the support's terms, and
the validation of cases, assessments and plan tasks (the same on the phone and the server)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_models.cases import (
    CaseStage,
    TermLevel,
    assessment_due,
    assessment_term,
    case_stage,
    legacy_case_id,
    support_term,
)
from shared_models.enums import ClosureReason, TaskResponsible
from shared_models.messages import field_errors
from shared_models.records import Assessment, Case, PlanTask, Review
from shared_models.work_calendar import (
    DEFAULT_CALENDAR,
    WorkCalendar,
    orthodox_easter,
    public_holidays,
)

FAM = uuid.UUID("00000000-0000-4000-8000-000000000001")
CASE = uuid.UUID("00000000-0000-4000-8000-000000000002")
PEACE = WorkCalendar(holidays_off=((date(1900, 1, 1), None),))


@pytest.mark.parametrize(("year", "easter"), [
    (2021, date(2021, 5, 2)), (2023, date(2023, 4, 16)), (2024, date(2024, 5, 5)),
    (2025, date(2025, 4, 20)), (2026, date(2026, 4, 12)), (2027, date(2027, 5, 2))])
def test_orthodox_easter_matches_the_calendar(year: int, easter: date) -> None:
    assert orthodox_easter(year) == easter
    assert easter + timedelta(days=49) in public_holidays(year)  # Trinity


def test_under_martial_law_only_weekends_are_off() -> None:
    # Friday 4.12.2026 + 5 working days: Mon 7 .. Fri 11.
    assert assessment_due(date(2026, 12, 4)) == date(2026, 12, 11)
    # Christmas 25.12.2026 is a Friday and a working day under martial law.
    assert DEFAULT_CALENDAR.is_working_day(date(2026, 12, 25))
    assert assessment_due(date(2026, 12, 21)) == date(2026, 12, 28)


def test_in_peace_holidays_and_their_mondays_are_off() -> None:
    # Christmas Friday 25.12.2026 off: the term runs one day longer.
    assert assessment_due(date(2026, 12, 21), PEACE) == date(2026, 12, 29)
    # Trinity is a Sunday: the Monday after it is off.
    trinity = orthodox_easter(2026) + timedelta(days=49)
    assert not PEACE.is_working_day(trinity + timedelta(days=1))
    assert PEACE.is_working_day(trinity + timedelta(days=2))
    # Before martial law the default calendar had days off on holidays.
    assert not DEFAULT_CALENDAR.is_working_day(date(2021, 8, 24))


def test_a_calendar_is_data_that_round_trips_and_refuses_nonsense() -> None:
    moved = WorkCalendar(extra_days_off=frozenset({date(2026, 12, 8)}),
                         extra_working_days=frozenset({date(2026, 12, 12)}))
    assert WorkCalendar.from_json(moved.to_json()) == moved
    # 8.12 is off, Saturday 12.12 is worked: Wed 9, Thu 10, Fri 11, Sat 12, Mon 14.
    assert moved.add_working_days(date(2026, 12, 7), 5) == date(2026, 12, 14)
    with pytest.raises(ValueError, match="not a work calendar"):
        WorkCalendar.from_json('{"holidays_off": [["2026-13-01", null]]}')
    with pytest.raises(ValueError, match="not a work calendar"):
        WorkCalendar.from_json("[1, 2]")
    with pytest.raises(ValueError, match="unknown keys"):   # a misspelt rule is no rule
        WorkCalendar.from_json('{"extra_day_off": ["2026-12-08"]}')
    with pytest.raises(ValueError, match="ends before it starts"):
        WorkCalendar.from_json('{"holidays_off": [["2026-02-01", "2026-01-01"]]}')
    # The version names the rules: equal calendars share it, a moved day changes it.
    assert WorkCalendar.from_json(moved.to_json()).version == moved.version
    assert moved.version != DEFAULT_CALENDAR.version == WorkCalendar().version


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 30))
def test_working_days_count_back_what_they_add(start: date, days: int) -> None:
    for calendar in (DEFAULT_CALENDAR, PEACE):
        end = calendar.add_working_days(start, days)
        assert calendar.working_days_between(start, end) == days
        assert calendar.working_days_between(end, start) == -days
        assert days == 0 or calendar.is_working_day(end)


def test_assessment_term_counts_working_days_to_the_due_date() -> None:
    opened = date(2026, 12, 4)                       # due Friday 11.12
    ok = assessment_term(opened_on=opened, completed_on=None, today=date(2026, 12, 7))
    assert (ok.level, ok.due, ok.working_days_left) == (TermLevel.OK, date(2026, 12, 11), 4)
    near = assessment_term(opened_on=opened, completed_on=None, today=date(2026, 12, 10))
    assert (near.level, near.working_days_left) == (TermLevel.NEAR, 1)
    late = assessment_term(opened_on=opened, completed_on=None, today=date(2026, 12, 15))
    assert (late.level, late.working_days_left) == (TermLevel.OVERDUE, -2)
    done = assessment_term(opened_on=opened, completed_on=date(2026, 12, 14),
                           today=date(2026, 12, 15))
    assert (done.level, done.on_time) == (TermLevel.DONE, False)


def test_support_term_warns_before_the_end_and_knows_the_extension_limit() -> None:
    assert support_term(start=None, planned_end=None, extended_end=None, closed_on=None,
                        today=date(2026, 12, 7)) is None
    term = support_term(start=date(2026, 6, 10), planned_end=date(2026, 12, 10),
                        extended_end=None, closed_on=None, today=date(2026, 12, 7))
    assert term is not None
    assert (term.level, term.days_left, term.can_extend) == (TermLevel.NEAR, 3, True)
    assert term.extension_limit == date(2027, 6, 10)
    ext = support_term(start=date(2026, 6, 10), planned_end=date(2026, 12, 10),
                       extended_end=date(2027, 3, 1), closed_on=None, today=date(2026, 12, 7))
    assert ext is not None and (ext.level, ext.can_extend) == (TermLevel.OK, False)


def test_case_stage_follows_the_cycle() -> None:
    def stage(**kw: object) -> CaseStage:
        facts = {"closed_on": None, "closure_approved": False, "legacy": False,
                 "assessment_completed": False, "assessment_approved": False, **kw}
        return case_stage(**facts)  # type: ignore[arg-type]
    assert stage() is CaseStage.REQUEST
    assert stage(assessment_completed=True) is CaseStage.ASSESSMENT
    assert stage(assessment_completed=True, assessment_approved=True) is CaseStage.SUPPORT
    assert stage(closed_on=date(2026, 12, 1)) is CaseStage.CLOSING
    assert stage(closed_on=date(2026, 12, 1), closure_approved=True) is CaseStage.CLOSED
    assert stage(closed_on=date(2026, 12, 1), legacy=True) is CaseStage.CLOSED


def test_legacy_case_id_is_the_same_everywhere() -> None:
    assert legacy_case_id(FAM) == legacy_case_id(uuid.UUID(str(FAM)))
    assert legacy_case_id(FAM) != legacy_case_id(CASE)


def _case(**kw: object) -> Case:
    return Case(community="malynska", family_id=FAM, opened_on=date(2026, 11, 2), **kw)


def _errors(make: object, **kw: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        make(**kw)  # type: ignore[operator]
    return field_errors(caught.value)


def test_case_support_lasts_six_months_and_twelve_with_an_extension() -> None:
    def case(**kw: object) -> Case:
        return Case(community="malynska", family_id=FAM, opened_on=date(2026, 5, 4), **kw)
    case(support_start=date(2026, 5, 10), planned_end=date(2026, 11, 10),
         extension_decision_date=date(2026, 11, 1), extended_end=date(2027, 5, 10))
    errs = _errors(case, support_start=date(2026, 5, 10), planned_end=date(2026, 11, 11))
    assert errs["planned_end"].startswith("Не пізніше 10.11.2026")
    errs = _errors(case, support_start=date(2026, 5, 10), planned_end=date(2026, 11, 10),
                   extension_decision_date=date(2026, 11, 1), extended_end=date(2027, 5, 11))
    assert "12 місяців" in errs["extended_end"]
    errs = _errors(case, extension_decision_date=date(2026, 11, 20),
                   extended_end=date(2027, 1, 1))
    assert "extended_end" in errs
    errs = _errors(case, support_start=date(2026, 5, 10))
    assert "planned_end" in errs


def test_case_dates_cannot_precede_the_request_and_closure_needs_a_reason() -> None:
    errs = _errors(_case, closed_on=date(2026, 11, 1), plan_agreed_on=date(2026, 10, 1))
    assert set(errs) >= {"closed_on", "plan_agreed_on", "closure_reason"}
    closed = _case(closed_on=date(2026, 11, 30), closure_reason=ClosureReason.GOALS_ACHIEVED)
    assert not closed.is_open
    errs = _errors(_case, id=CASE, reopens=CASE)
    assert "reopens" in errs


def _assessment(**kw: object) -> Assessment:
    return Assessment(community="malynska", case_id=CASE, family_id=FAM, assessor="olena",
                      started_on=date(2026, 11, 3), **kw)


def test_a_threat_needs_its_description_and_completion_needs_a_conclusion() -> None:
    child = uuid.uuid4()
    errs = _errors(_assessment, children=[{"person_id": child, "threat_to_life": True}])
    assert errs["threat_details"] == "Опишіть, що загрожує життю чи здоров'ю дитини"
    flagged = _assessment(children=[{"person_id": child, "threat_to_life": True}],
                          threat_details="Дитина без нагляду вночі")
    assert flagged.threat
    errs = _errors(_assessment, completed_on=date(2026, 11, 5))
    assert set(errs) == {"difficult_circumstances", "decision"}
    errs = _errors(_assessment, children=[{"person_id": child}, {"person_id": child}])
    assert "children" in errs
    errs = _errors(_assessment, circumstances=["poverty", "poverty"])
    assert "circumstances" in errs


def test_plan_task_names_who_is_responsible() -> None:
    base = {"community": "malynska", "case_id": CASE, "family_id": FAM, "goal": "Житло",
            "task": "Оформити субсидію", "due_date": date(2027, 1, 15)}
    PlanTask(**base)
    errs = _errors(PlanTask, **base, responsible=TaskResponsible.FAMILY_MEMBER)
    assert "responsible_person_id" in errs
    errs = _errors(PlanTask, **base, responsible=TaskResponsible.SERVICE)
    assert errs["responsible_name"] == "Вкажіть службу, відповідальну за завдання"


def test_assessments_and_cases_can_be_reviewed() -> None:
    for kind in ("assessment", "case", "visit", "note"):
        Review(community="malynska", target_kind=kind, target_id=CASE, decision="approved",
               reviewer="sup", reviewed_at="2026-12-01T10:00:00+00:00")
    errs = _errors(Review, community="malynska", target_kind="plan_task", target_id=CASE,
                   decision="approved", reviewer="sup", reviewed_at="2026-12-01T10:00:00+00:00")
    assert "target_kind" in errs
