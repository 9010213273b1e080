"""A family's cases for the screens: the read model, intake, the act, the plan, the term,
closure and reopening (real encrypted store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from field_app.dates import date_text
from field_app.i18n import Translator
from field_app.services import cases as cs
from field_app.store import LocalStore
from shared_models.cases import CaseStage, TermLevel, assessment_due, support_limit
from shared_models.enums import (
    AssessmentDecision,
    ClosureReason,
    PersonRole,
    RecordKind,
    ReviewDecision,
)
from shared_models.records import Case, Family, Person, PlanTask, Review
from shared_models.work_calendar import DEFAULT_CALENDAR
from tests.ui.stores import real_store

TODAY = datetime.now(UTC).date()
COMMUNITY = "malynska"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, communities=(COMMUNITY,))
    yield s
    s.close()


@pytest.fixture
def family(store: LocalStore) -> Family:
    f = Family(community=COMMUNITY, family_name="Коваленко", settlement="Малин",
               assigned_worker="olena")
    store.save(f)
    store.save(Person(community=COMMUNITY, family_id=f.id, last_name="Коваленко",
                      first_name="Марко", role=PersonRole.CHILD))
    return f


def opened(store: LocalStore, family: Family, days_ago: int = 10) -> Case:
    form = cs.new_intake(store, str(family.id), today=TODAY, me="olena")
    form.opened_on = date_text(TODAY - timedelta(days=days_ago))
    form.reporter_kind = "school"
    form.reporter_name = "Школа № 2"
    form.reporter_consent = True
    form.request_summary = "Дитина часто пропускає уроки"
    case = cs.open_new_case(store, form)
    assert case is not None, form.errors
    return case


def review(store: LocalStore, kind: RecordKind, target_id: str, decision: ReviewDecision,
           comment: str = "") -> None:
    seen = store.last_changed([target_id])[target_id]
    store.save(Review(community=COMMUNITY, target_kind=kind, target_id=target_id,
                      decision=decision, comment=comment, reviewer="iryna",
                      reviewed_at=datetime.now(UTC), target_clock=seen))


def test_a_family_without_cases_may_open_one(store: LocalStore, family: Family) -> None:
    cases = cs.load_cases(store, family.id, today=TODAY)
    assert cases.open is None and cases.earlier == () and cases.may_open
    assert not cases.closed and cases.latest is None


def test_intake_opens_a_case_in_the_request_stage_with_the_assessment_due(
        store: LocalStore, family: Family) -> None:
    case = opened(store, family, days_ago=1)
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.id == str(case.id)
    assert view.stage is CaseStage.REQUEST
    assert view.reporter_name == "Школа № 2" and view.reporter_consent
    due = assessment_due(TODAY - timedelta(days=1), DEFAULT_CALENDAR)
    assert view.assessment_term.due == due
    assert view.assessment_term.working_days_left == DEFAULT_CALENDAR.working_days_between(
        TODAY, due)
    assert view.assessment is None and view.tasks == () and view.unsynced


def test_a_second_open_case_is_refused_in_both_languages(store: LocalStore,
                                                         family: Family) -> None:
    first = opened(store, family)
    form = cs.new_intake(store, str(family.id), today=TODAY)
    assert cs.open_new_case(store, form) is None
    problem = form.errors["case"]
    uk = Translator("uk").t(problem.key, **problem.params)
    en = Translator("en").t(problem.key, **problem.params)
    assert "вже є відкритий випадок" in uk and date_text(first.opened_on) in uk
    assert "already has an open case" in en
    assert len(store.all(Case, family_id=family.id)) == 1


def test_a_request_date_that_is_not_a_date_is_shown_at_its_field(store: LocalStore,
                                                                 family: Family) -> None:
    form = cs.new_intake(store, str(family.id), today=TODAY)
    form.opened_on = "31.02.2026"
    assert cs.open_new_case(store, form) is None
    assert form.errors["opened_on"].key == "err.date"
    form.opened_on = date_text(TODAY + timedelta(days=3))
    assert cs.open_new_case(store, form) is None
    assert "opened_on" in form.errors


def test_the_assessment_as_a_draft_then_completed_then_approved(store: LocalStore,
                                                                family: Family) -> None:
    case = opened(store, family)
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    form.adults_health = "Мати хворіє"
    saved = cs.save_assessment(store, form)
    assert saved is not None and saved.completed_on is None
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.assessment is not None and view.assessment.draft
    assert view.stage is CaseStage.REQUEST

    # Completing asks for the conclusion.
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    assert form.adults_health == "Мати хворіє"
    assert cs.save_assessment(store, form, complete=True, today=TODAY) is None
    assert {"difficult_circumstances", "decision"} <= set(form.errors)
    form.difficult_circumstances = True
    form.decision = AssessmentDecision.SUPPORT.value
    form.circumstances = ["poverty"]
    assert cs.save_assessment(store, form, complete=True, today=TODAY) is not None
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.assessment is not None
    assert view.assessment.submitted and view.assessment.review.waiting
    assert view.stage is CaseStage.ASSESSMENT
    assert view.assessment_term.level is TermLevel.DONE

    review(store, RecordKind.ASSESSMENT, view.assessment.id, ReviewDecision.APPROVED)
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.assessment is not None
    assert view.assessment.review.approved and view.stage is CaseStage.SUPPORT


def test_a_returned_assessment_amended_waits_again(store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    form.difficult_circumstances, form.decision = False, AssessmentDecision.CLOSE.value
    a = cs.save_assessment(store, form, complete=True, today=TODAY)
    assert a is not None
    review(store, RecordKind.ASSESSMENT, str(a.id), ReviewDecision.RETURNED, "Додайте житло")
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.assessment is not None
    assert view.assessment.review.returned
    assert view.assessment.review.comment == "Додайте житло"
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    form.housing, form.housing_details = "unsatisfactory", "Протікає дах"
    assert cs.save_assessment(store, form, complete=True, today=TODAY) is not None
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.assessment is not None
    assert view.assessment.review.amended and view.assessment.review.waiting


def test_a_threat_needs_its_details_and_marks_the_case(store: LocalStore,
                                                       family: Family) -> None:
    case = opened(store, family)
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    form.threat_to_life = True
    assert cs.save_assessment(store, form) is None and "threat_details" in form.errors
    form.threat_details = "Батько погрожує дитині"
    assert cs.save_assessment(store, form) is not None
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.threat


def test_the_assessments_draft_round_trips(store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    form = cs.assessment_form(store, str(case.id), me="olena", today=TODAY)
    child = store.all(Person, family_id=family.id)[0]
    form.children = [cs.ChildForm(str(child.id), health="Здоровий", threat_to_life=False)]
    form.income = "Допомога"
    back = cs.assessment_from_draft(cs.assessment_form_data(form))
    assert back == form
    assert cs.assessment_key(str(case.id)) == f"assessment.edit.{case.id}"


def test_plan_tasks_open_done_overdue(store: LocalStore, family: Family) -> None:
    case = opened(store, family, days_ago=20)
    ids = []
    for i, due in enumerate((-3, 5, 10)):
        t = cs.new_task_form(store, str(case.id), goal="Школа")
        t.task, t.due_date = f"Завдання {i}", date_text(TODAY + timedelta(days=due))
        saved = cs.save_task(store, t)
        assert saved is not None, t.errors
        ids.append(str(saved.id))
    cs.tick_task(store, ids[2], done_on=TODAY, progress="Зроблено на візиті")
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None
    assert [t.state for t in view.tasks] == [cs.TaskState.OVERDUE, cs.TaskState.OPEN,
                                             cs.TaskState.DONE]
    assert [t.id for t in view.overdue_tasks] == [ids[0]]
    assert len(view.open_tasks) == 2 and len(view.done_tasks) == 1
    assert view.tasks[2].progress == "Зроблено на візиті"
    cs.cancel_task(store, ids[0])
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.overdue_tasks == ()


def test_a_task_for_another_service_names_it(store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    t = cs.new_task_form(store, str(case.id))
    t.goal, t.task, t.responsible = "Здоров'я", "Огляд лікаря", "service"
    t.due_date = date_text(TODAY)
    assert cs.save_task(store, t) is None and "responsible_name" in t.errors
    t.responsible_name = "Амбулаторія"
    assert cs.save_task(store, t) is not None


def test_editing_one_task_keeps_a_colleagues_change_of_another_field(
        store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    t = cs.new_task_form(store, str(case.id))
    t.goal, t.task, t.due_date = "Школа", "Поговорити з учителем", date_text(TODAY)
    saved = cs.save_task(store, t)
    assert saved is not None
    form = cs.task_form(store, str(saved.id))       # the worker opens the task...
    cs.tick_task(store, str(saved.id), done_on=TODAY)  # ...a visit ticks it meanwhile
    form.progress = "Учитель погодився"
    assert cs.save_task(store, form) is not None
    task = store.get(PlanTask, saved.id)
    assert task is not None and task.done_on == TODAY and task.progress == "Учитель погодився"


def test_plan_agreement_starts_support_and_the_term_warns(store: LocalStore,
                                                          family: Family) -> None:
    case = opened(store, family, days_ago=200)
    form = cs.plan_form(store, str(case.id), today=TODAY - timedelta(days=190))
    assert form.support_start == date_text(TODAY - timedelta(days=190))
    assert form.planned_end == date_text(support_limit(TODAY - timedelta(days=190)))
    form.plan_agreed_by = "Мати, Коваленко Ольга"
    assert cs.save_plan(store, form) is not None, form.errors
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.support is not None
    assert view.plan_agreed_by == "Мати, Коваленко Ольга"
    assert view.support.level in (TermLevel.NEAR, TermLevel.OVERDUE) and view.may_extend


def test_extension_up_to_twelve_months(store: LocalStore, family: Family) -> None:
    case = opened(store, family, days_ago=100)
    start = TODAY - timedelta(days=90)
    form = cs.plan_form(store, str(case.id), today=start)
    assert cs.save_plan(store, form) is not None
    ext = cs.extension_form(store, str(case.id), today=TODAY)
    assert cs.extend_term(store, ext) is None and "extension_reason" in ext.errors
    ext.extension_reason = "Потрібен довший супровід"
    ext.extended_end = date_text(start + timedelta(days=400))
    assert cs.extend_term(store, ext) is None and "extended_end" in ext.errors
    ext = cs.extension_form(store, str(case.id), today=TODAY)
    ext.extension_reason = "Потрібен довший супровід"
    saved = cs.extend_term(store, ext)
    assert saved is not None, ext.errors
    view = cs.load_cases(store, family.id, today=TODAY).open
    assert view is not None and view.support is not None
    assert view.support.extended and not view.may_extend


def test_closure_waits_for_approval_then_reopen_links_the_old_case(
        store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    form = cs.closure_form(store, str(case.id), today=TODAY)
    assert cs.close_case(store, form) is None and "closure_reason" in form.errors
    form.closure_reason = ClosureReason.LEGACY.value
    assert cs.close_case(store, form) is None
    form.closure_reason, form.closure_result = "goals_achieved", "achieved"
    assert cs.close_case(store, form) is not None, form.errors
    cases = cs.load_cases(store, family.id, today=TODAY)
    assert cases.open is None and not cases.closed
    assert cases.earlier[0].stage is CaseStage.CLOSING
    # Until the supervisor approves the closure the family stays in the worker's lists.
    assert not cs.family_closed(store, family.id)
    assert str(family.id) not in cs.closed_family_ids(store)
    review(store, RecordKind.CASE, str(case.id), ReviewDecision.RETURNED, "Додайте оцінку")
    assert str(family.id) not in cs.closed_family_ids(store)
    review(store, RecordKind.CASE, str(case.id), ReviewDecision.APPROVED)
    assert cs.family_closed(store, family.id)
    assert str(family.id) in cs.closed_family_ids(store)
    cases = cs.load_cases(store, family.id, today=TODAY)
    assert cases.closed
    assert cases.earlier[0].stage is CaseStage.CLOSED
    assert cases.earlier[0].closure is not None
    assert cases.earlier[0].closure.review.approved

    # A closed case cannot be extended or planned any more.
    assert cs.save_plan(store, cs.plan_form(store, str(case.id), today=TODAY)) is None

    again = cs.new_reopen(store, str(case.id), today=TODAY)
    new = cs.open_new_case(store, again)
    assert new is not None and new.reopens == case.id
    cases = cs.load_cases(store, family.id, today=TODAY)
    assert cases.open is not None and cases.open.reopens == str(case.id)
    assert [c.id for c in cases.earlier] == [str(case.id)]
    assert not cases.closed and str(family.id) not in cs.closed_family_ids(store)


def test_only_a_closed_case_is_reopened(store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    form = cs.new_reopen(store, str(case.id), today=TODAY)
    assert cs.open_new_case(store, form) is None
    assert form.errors["reopens"].key == "cases.err.reopens_open"


def test_a_visit_ticks_and_comments_the_open_tasks(store: LocalStore, family: Family) -> None:
    case = opened(store, family)
    ids = []
    for i in range(3):
        t = cs.new_task_form(store, str(case.id), goal="Школа")
        t.task, t.due_date = f"Завдання {i}", date_text(TODAY + timedelta(days=i - 1))
        saved = cs.save_task(store, t)
        assert saved is not None
        ids.append(str(saved.id))
    shown = cs.visit_tasks(store, family.id, today=TODAY)
    assert [t.id for t in shown] == ids and shown[0].overdue
    saved = cs.record_visit_tasks(store, done=[ids[0]], comments={ids[1]: "Учитель погодився"},
                                  on=TODAY)
    assert {str(t.id) for t in saved} == {ids[0], ids[1]}
    assert [t.id for t in cs.visit_tasks(store, family.id, today=TODAY)] == ids[1:]
    second = store.get(PlanTask, ids[1])
    assert second is not None and second.progress == f"{date_text(TODAY)}: Учитель погодився"
    cs.record_visit_tasks(store, done=[], comments={ids[1]: "Записали до гуртка"}, on=TODAY)
    second = store.get(PlanTask, ids[1])
    assert second is not None and second.progress.count("\n") == 1
    # A family without an open case shows no tasks.
    other = Family(community=COMMUNITY, family_name="Бойко", settlement="Малин")
    store.save(other)
    assert cs.visit_tasks(store, other.id, today=TODAY) == ()
