"""The case cycle in the due list, on the dashboard and in the supervisor's queue: terms in
working days, overdue tasks, the support's end, threats first and how long they wait
(real encrypted store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from field_app.i18n import Translator
from field_app.services import case_reviews as cr
from field_app.services import cases as cs
from field_app.services.dashboard import build_dashboard
from field_app.services.due import CaseDueKind, case_due, working_days_words
from field_app.services.reviews import ReviewRefused, queue
from field_app.store import LocalStore
from field_app.sync import Account
from shared_models.cases import CaseStage, assessment_due
from shared_models.enums import (
    AssessmentDecision,
    ClosureReason,
    RecordKind,
    RiskLevel,
)
from shared_models.records import Assessment, Case, Family, PlanTask, Visit
from shared_models.work_calendar import DEFAULT_CALENDAR
from tests.ui.stores import real_store

TODAY = datetime.now(UTC).date()
MAL = "malynska"
IRYNA = Account(username="iryna", role="supervisor", communities=[MAL], device_id="d")
OLENA = Account(username="olena", role="social_worker", communities=[MAL], device_id="d")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="olena", communities=(MAL,))
    yield s
    s.close()


def family(store: LocalStore, name: str, worker: str = "olena") -> Family:
    f = Family(community=MAL, family_name=name, settlement="Малин", assigned_worker=worker)
    store.save(f)
    return f


def case(store: LocalStore, f: Family, opened: date, **kw: object) -> Case:
    c = Case(community=MAL, family_id=f.id, opened_on=opened, assigned_worker="olena", **kw)
    store.save(c)
    return c


def act(store: LocalStore, c: Case, *, done: bool = True, threat: bool = False,
        started: date | None = None) -> Assessment:
    a = Assessment(community=MAL, case_id=c.id, family_id=c.family_id, assessor="olena",
                   started_on=started or c.opened_on,
                   completed_on=(started or c.opened_on) if done else None,
                   difficult_circumstances=True, decision=AssessmentDecision.SUPPORT,
                   threat_to_life=threat, threat_details="Погроза" if threat else "")
    store.save(a)
    return a


def task(store: LocalStore, c: Case, due: date, text: str, **kw: object) -> PlanTask:
    t = PlanTask(community=MAL, case_id=c.id, family_id=c.family_id, goal="Мета", task=text,
                 due_date=due, **kw)
    store.save(t)
    return t


def test_the_due_list_has_the_assessment_tasks_and_the_support_end(store: LocalStore) -> None:
    fresh = case(store, family(store, "Нова"), TODAY - timedelta(days=1))
    late = case(store, family(store, "Прострочена"), TODAY - timedelta(days=20))
    planned = family(store, "З планом")
    start = TODAY - timedelta(days=170)
    running = case(store, planned, start - timedelta(days=5), support_start=start,
                   planned_end=start + timedelta(days=180))
    act(store, running)
    task(store, running, TODAY - timedelta(days=2), "Записати до лікаря")
    task(store, running, TODAY + timedelta(days=5), "Ще не час")
    task(store, running, TODAY - timedelta(days=9), "Зроблене", done_on=TODAY)
    rows = case_due(store, today=TODAY, me="olena")
    kinds = {(r.family_name, r.kind) for r in rows}
    assert kinds == {("Нова", CaseDueKind.ASSESSMENT), ("Прострочена", CaseDueKind.ASSESSMENT),
                     ("З планом", CaseDueKind.TASK), ("З планом", CaseDueKind.SUPPORT_END)}
    by = {(r.family_name, r.kind): r for r in rows}
    new_row = by[("Нова", CaseDueKind.ASSESSMENT)]
    due = assessment_due(fresh.opened_on, DEFAULT_CALENDAR)
    assert new_row.day == due and not new_row.overdue and new_row.mine
    assert new_row.working_days_left == DEFAULT_CALENDAR.working_days_between(TODAY, due)
    late_row = by[("Прострочена", CaseDueKind.ASSESSMENT)]
    assert late_row.overdue and late_row.working_days_left is not None
    assert late_row.working_days_left < 0 and late_row.case_id == str(late.id)
    assert by[("З планом", CaseDueKind.TASK)].task == "Записати до лікаря"
    assert by[("З планом", CaseDueKind.SUPPORT_END)].day == start + timedelta(days=180)
    assert rows[0].overdue       # overdue before the rest


def test_working_days_in_words() -> None:
    uk = Translator("uk")
    w = working_days_words(3)
    assert uk.plural(w.key, w.n or 0) == "залишилося 3 робочі дні"
    w = working_days_words(-5)
    assert uk.plural(w.key, w.n or 0) == "прострочено на 5 робочих днів"
    assert working_days_words(0).key == "cases.due.last_day"


def test_a_closed_case_has_nothing_due(store: LocalStore) -> None:
    case(store, family(store, "Закрита"), TODAY - timedelta(days=30),
         closed_on=TODAY - timedelta(days=2), closure_reason=ClosureReason.NO_NEED)
    assert case_due(store, today=TODAY) == []


def test_the_dashboard_counts_stages_overdue_assessments_and_open_threats(
        store: LocalStore) -> None:
    case(store, family(store, "А"), TODAY - timedelta(days=1))                  # request
    case(store, family(store, "Б"), TODAY - timedelta(days=30))                 # overdue
    c = case(store, family(store, "В"), TODAY - timedelta(days=10))
    act(store, c, threat=True, started=TODAY - timedelta(days=4))               # assessment
    closing = case(store, family(store, "Г"), TODAY - timedelta(days=90),
                   closed_on=TODAY - timedelta(days=3), closure_reason=ClosureReason.MOVED_AWAY)
    f = family(store, "Д")
    store.save(Visit(community=MAL, family_id=f.id, author="olena", risk_level=RiskLevel.HIGH,
                     visited_at=datetime.now(UTC) - timedelta(days=6), threat_to_life=True))
    d = build_dashboard(store, communities=[MAL], today=TODAY)
    assert d.cases.by_stage[CaseStage.REQUEST] == 2
    assert d.cases.by_stage[CaseStage.ASSESSMENT] == 1
    assert d.cases.by_stage[CaseStage.CLOSING] == 1
    assert d.cases.open_cases == 4
    assert [r.family_name for r in d.cases.assessments_overdue] == ["Б"]
    assert [(t.family_name, t.kind, t.days_open) for t in d.cases.threats] == [
        ("Д", RecordKind.VISIT, 6), ("В", RecordKind.ASSESSMENT, 4)]
    # Г's closure waits for approval (CLOSING): the family stays in the lists until the
    # supervisor approves it.
    assert str(closing.family_id) not in cs.closed_family_ids(store)


def test_a_decision_takes_the_threat_off_the_dashboard(store: LocalStore) -> None:
    c = case(store, family(store, "В"), TODAY - timedelta(days=10))
    a = act(store, c, threat=True)
    assert len(cr.open_threats(store, today=TODAY)) == 1
    cr.decide_case(store, IRYNA, RecordKind.ASSESSMENT, str(a.id), approved=True)
    assert cr.open_threats(store, today=TODAY) == []


def test_the_queue_has_threats_first_and_not_the_reviewers_own(store: LocalStore) -> None:
    calm = case(store, family(store, "Спокійна"), TODAY - timedelta(days=20))
    act(store, calm, started=TODAY - timedelta(days=15))
    urgent = case(store, family(store, "Загроза"), TODAY - timedelta(days=3))
    act(store, urgent, threat=True)
    closing = case(store, family(store, "Закриття"), TODAY - timedelta(days=40),
                   closed_on=TODAY - timedelta(days=1), closure_reason=ClosureReason.NO_NEED)
    case(store, family(store, "Стара"), TODAY - timedelta(days=400),
         closed_on=TODAY - timedelta(days=300), closure_reason=ClosureReason.LEGACY)
    draft = case(store, family(store, "Чернетка"), TODAY - timedelta(days=2))
    act(store, draft, done=False)
    rows = cr.case_queue(store, IRYNA)
    assert [(r.family_name, r.kind, r.threat) for r in rows] == [
        ("Загроза", RecordKind.ASSESSMENT, True),
        ("Спокійна", RecordKind.ASSESSMENT, False),
        ("Закриття", RecordKind.CASE, False)]
    assert rows[2].author == "olena" and rows[2].id == str(closing.id)
    with pytest.raises(ReviewRefused):
        cr.case_queue(store, OLENA)
    own = Account(username="olena", role="supervisor", communities=[MAL], device_id="d")
    assert cr.case_queue(store, own) == []


def test_approving_a_closure_closes_the_case_and_returning_needs_a_comment(
        store: LocalStore) -> None:
    f = family(store, "Закриття")
    c = case(store, f, TODAY - timedelta(days=40), closed_on=TODAY - timedelta(days=1),
             closure_reason=ClosureReason.GOALS_ACHIEVED)
    with pytest.raises(ReviewRefused) as refused:
        cr.decide_case(store, IRYNA, RecordKind.CASE, str(c.id), approved=False)
    assert refused.value.problem.key == "review.err.comment_required"
    cr.decide_case(store, IRYNA, RecordKind.CASE, str(c.id), approved=False,
                   comment="Додайте результат")
    assert [r.family_name for r in cr.returned_cases(store, OLENA)] == ["Закриття"]
    view = cs.load_cases(store, f.id, today=TODAY).earlier[0]
    assert view.stage is CaseStage.CLOSING and view.closure is not None
    assert view.closure.review.returned
    form = cs.closure_form(store, str(c.id), today=TODAY)
    form.closure_result = "achieved"
    assert cs.close_case(store, form) is not None
    assert [r.id for r in cr.case_queue(store, IRYNA)] == [str(c.id)]    # amended: again
    cr.decide_case(store, IRYNA, RecordKind.CASE, str(c.id), approved=True)
    assert cs.load_cases(store, f.id, today=TODAY).earlier[0].stage is CaseStage.CLOSED
    assert cr.case_queue(store, IRYNA) == []


def test_a_visit_with_a_threat_tops_the_visit_queue(store: LocalStore) -> None:
    f = family(store, "Д")
    now = datetime.now(UTC)
    store.save(Visit(community=MAL, family_id=f.id, author="olena", risk_level=RiskLevel.HIGH,
                     visited_at=now - timedelta(hours=1)))
    threat = Visit(community=MAL, family_id=f.id, author="olena", risk_level=RiskLevel.LOW,
                   visited_at=now - timedelta(days=2), threat_to_life=True)
    store.save(threat)
    rows = queue(store, IRYNA)
    assert rows[0].id == str(threat.id) and rows[0].threat and not rows[1].threat
