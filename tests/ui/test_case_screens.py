"""The case cycle's screens on the phone, headless, over a real encrypted store.

What the worker relies on: a visit that ticks a plan task marks that task done on the
visit's day, adds the comment to its progress (once, however often the save is repeated)
and lists it in ``Visit.plan_tasks``; the threat flag is stored on the visit; the case
forms' drafts come back with what was typed (and an edit's snapshot, so only what changed is
written); drafts of a case that left the device go after a sync. And every case screen lays
out at 360 px and on a laptop: no control Flutter cannot lay out, no text running off the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from field_app.services import case_drafts, cases, draft_store, visits
from field_app.store import LocalStore
from field_app.sync.calendar import keep_calendar
from shared_models.cases import assessment_due
from shared_models.enums import (
    ClosureReason,
    PersonRole,
    RecordKind,
    ReviewDecision,
    RiskLevel,
    TaskResponsible,
)
from shared_models.protocol import CalendarAnswer
from shared_models.records import Case, Family, Person, PlanTask, Review, Visit
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar
from tests.ui.harness import run
from tests.ui.layout_check import expand_in_unbounded_row, flex_in_wrap, helper_cut, unbounded_text
from tests.ui.stores import real_store
from tests.ui.test_supervision_flows import start

C = "malynska"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="olena", role="social_worker", communities=(C,))
    yield s
    s.close()


def _case(store: LocalStore, *, today: date) -> tuple[Family, Case, PlanTask, PlanTask]:
    family = Family(community=C, family_name="Гнатюк", settlement="Малин",
                    assigned_worker="olena")
    store.save(family)
    start = today - timedelta(days=20)
    case = Case(community=C, family_id=family.id, opened_on=start, reporter_name="Савчук Ірина",
                request_summary="Пропускає уроки.", support_start=start,
                planned_end=start + timedelta(days=170), plan_agreed_on=start,
                plan_agreed_by="Гнатюк Оксана")
    store.save(case)
    school = PlanTask(community=C, case_id=case.id, family_id=family.id,
                      goal="Дитина відвідує школу щодня",
                      task="Домовитися зі школою про харчування", due_date=today + timedelta(3),
                      progress="Директорка обіцяла відповісти.")
    doctor = PlanTask(community=C, case_id=case.id, family_id=family.id,
                      goal="Здоров'я дитини", task="Записати до педіатра",
                      responsible=TaskResponsible.SERVICE, responsible_name="Амбулаторія №1",
                      due_date=today - timedelta(days=2))
    store.save(school)
    store.save(doctor)
    return family, case, school, doctor


def test_a_visit_ticks_a_task_and_comments_once(store: LocalStore) -> None:
    today = date.today()
    family, _, school, doctor = _case(store, today=today)
    opened = visits.open_new(store, str(family.id))
    assert {t.id for t in opened.tasks} == {str(school.id), str(doctor.id)}
    form = opened.form
    form.risk_level = RiskLevel.MEDIUM.value
    form.threat_to_life = True
    form.toggle_task(str(school.id))
    form.plan_comments[str(doctor.id)] = "Черга до педіатра на наступний тиждень."
    assert visits.save(store, form, opened.draft_key).ok
    visit = store.get(Visit, form.visit_id)
    assert visit is not None and visit.threat_to_life
    assert {str(t) for t in visit.plan_tasks} == {str(school.id), str(doctor.id)}
    done = store.get(PlanTask, school.id)
    assert done is not None and done.done_on == visit.visited_at.astimezone().date()
    assert done.progress == "Директорка обіцяла відповісти."       # no comment: unchanged
    commented = store.get(PlanTask, doctor.id)
    assert commented is not None and commented.done_on is None
    line = f"{today:%d.%m.%Y}: Черга до педіатра на наступний тиждень."
    assert commented.progress == line
    # Saving again (after a crash between the steps) adds nothing twice.
    assert visits.save(store, form, opened.draft_key).ok
    again = store.get(PlanTask, doctor.id)
    assert again is not None and again.progress == line
    # The visit's screen names the tasks it checked, and which it ticked done.
    shown = visits.details(store, str(family.id), form.visit_id)
    assert sorted(shown.plan_tasks) == [("Домовитися зі школою про харчування", True),
                                        ("Записати до педіатра", False)]
    # The next visit offers the task still open, not the one done.
    assert [t.id for t in visits.open_new(store, str(family.id)).tasks] == [str(doctor.id)]


def test_a_visit_without_a_case_shows_no_tasks(store: LocalStore) -> None:
    family = Family(community=C, family_name="Бондар", settlement="Малин")
    store.save(family)
    opened = visits.open_new(store, str(family.id))
    assert opened.tasks == []
    opened.form.risk_level = RiskLevel.LOW.value
    assert visits.save(store, opened.form, opened.draft_key).ok
    visit = store.get(Visit, opened.form.visit_id)
    assert visit is not None and visit.plan_tasks == [] and not visit.threat_to_life


def test_case_form_drafts_keep_what_was_typed_and_the_snapshot(store: LocalStore) -> None:
    today = date.today()
    family, case, school, _doctor = _case(store, today=today)
    closing = case_drafts.open_closure(store, str(case.id), today=today)
    assert closing.restored is None and closing.key == f"case.close.{case.id}"
    closing.form.closure_reason = ClosureReason.GOALS_ACHIEVED.value
    closing.form.closure_notes = "Дитина ходить до школи."
    draft_store.save_draft(store, closing.key, case_drafts.form_data(closing.form))
    back = case_drafts.open_closure(store, str(case.id), today=today)
    assert back.restored is not None
    assert back.form.closure_notes == "Дитина ходить до школи."
    assert back.form.snapshot is not None and back.form.snapshot.clocks
    assert cases.close_case(store, back.form) is not None
    stored = store.get(Case, case.id)
    assert stored is not None and stored.closure_reason is ClosureReason.GOALS_ACHIEVED
    task = case_drafts.open_task(store, str(case.id), str(school.id))
    task.form.progress = "Харчування з понеділка."
    draft_store.save_draft(store, task.key, case_drafts.form_data(task.form))
    intake = case_drafts.open_intake(store, str(family.id), today=today, me="olena")
    draft_store.save_draft(store, intake.key, case_drafts.form_data(intake.form))
    assert set(draft_store.prune_drafts(store)) == set()        # all still owned
    store.delete(PlanTask, school.id)
    assert draft_store.prune_drafts(store) == [task.key]


@pytest.mark.parametrize("width", [360, 1280])
def test_every_case_screen_lays_out(tmp_path: Path, store: LocalStore, width: int) -> None:
    """At a phone's and a laptop's width (two panes)."""
    async def flow() -> None:
        today = date.today()
        family, case, school, _doctor = _case(store, today=today)
        fid, cid = family.id, case.id
        closed = Case(community=C, family_id=fid, opened_on=today - timedelta(days=400),
                      closed_on=today - timedelta(days=300),
                      closure_reason=ClosureReason.FAMILY_REFUSED)
        store.save(closed)
        threat = Visit(community=C, family_id=fid, author="olena",
                       visited_at=datetime.now(UTC) - timedelta(hours=1),
                       risk_level=RiskLevel.HIGH, threat_to_life=True,
                       plan_tasks=[school.id])
        store.save(threat)
        h = await start(tmp_path, store, "/families", role="social_worker", width=width)
        problems: list[str] = []
        for route in [f"/families/{fid}", f"/families/{fid}/cases/{cid}/plan",
                      f"/families/{fid}/cases/{cid}/tasks/new",
                      f"/families/{fid}/cases/{cid}/tasks/{school.id}",
                      f"/families/{fid}/cases/{cid}/extend",
                      f"/families/{fid}/cases/{cid}/close", f"/families/{fid}/visits/new",
                      f"/families/{fid}/cases/{closed.id}/plan",
                      f"/families/{fid}/cases/new?reopens={closed.id}",
                      f"/families/{fid}/members/new", f"/families/{fid}/edit",
                      f"/families/{fid}/visits/{threat.id}"]:
            await h.follow(route)
            await h.settle()
            h.assert_no_crash()
            views = list(h.page.views)
            assert expand_in_unbounded_row(views) == [], route
            assert flex_in_wrap(views) == [], route
            problems += [f"{route}: {p}" for p in unbounded_text(views) + helper_cut(views)]
        assert "Загроза життю або здоров'ю дитини" in set(h.texts())   # the visit's screen
        assert "Домовитися зі школою про харчування" in set(h.texts())
        await h.follow(f"/families/{fid}")
        await h.settle()
        shown = set(h.texts())
        assert "Загроза життю або здоров'ю дитини" in shown
        assert "План: виконано 0 з 2" in shown
        assert "Прострочених завдань: 1" in shown
        assert any(s.startswith("Випадок ") and "сім'я відмовилася від послуги" in s
                   for s in shown), shown
        await h.close()
        assert problems == [], "\n".join(problems)
    run(flow)


def test_the_card_leads_to_the_needs_assessment_first(tmp_path: Path, store: LocalStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A case without an act offers "Оцінити потреби" on the card (where the act's screen
    exists: the assessment branch adds its route)."""
    from field_app.ui import routes

    monkeypatch.setitem(routes.TABLE, "assessment", (
        "/families/{family_id}/cases/{case_id}/assessment", routes.Place.FAMILIES, "family"))

    async def flow() -> None:
        family = _case(store, today=date.today())[0]
        h = await start(tmp_path, store, f"/families/{family.id}", role="social_worker")
        button = h.find(key="case-assessment-open")
        assert button is not None and button.content == "Оцінити потреби"
        await h.close()
    run(flow)


def test_a_closed_case_is_reopened_as_a_new_case_keeping_the_old(tmp_path: Path,
                                                                 store: LocalStore) -> None:
    """A family whose case was closed (here before cases existed) offers "Відкрити знову":
    the request opens a new case naming the old one, which stays among the earlier cases."""
    async def flow() -> None:
        family = Family(community=C, family_name="Бондар", settlement="Малин")
        store.save(family)
        old = Case(community=C, family_id=family.id, opened_on=date(2024, 3, 1),
                   closed_on=date(2024, 9, 1), closure_reason=ClosureReason.LEGACY)
        store.save(old)
        h = await start(tmp_path, store, f"/families/{family.id}", role="social_worker")
        assert "Відкритого випадку немає." in h.texts()
        await h.click(h.find(key="case-reopen"))
        await h.settle()
        assert h.find(key="intake-reopens") is not None
        await h.type(h.find(key="intake-request-summary"), "Сім'я звернулася знову.")
        await h.click(h.find(key="intake-save"))
        await h.settle()
        h.assert_no_crash()
        [new] = [c for c in store.all(Case, family_id=str(family.id)) if c.id != old.id]
        assert new.reopens == old.id and new.closed_on is None
        assert new.request_summary == "Сім'я звернулася знову."
        shown = h.texts()
        assert f"Випадок відкрито {date.today():%d.%m.%Y}" in shown
        assert any(s.startswith("Випадок 01.03.2024 – 01.09.2024") for s in shown), shown
        assert h.find_all(key="case-reopen") == []
        await h.close()
    run(flow)


def test_a_task_for_a_family_member_names_them(tmp_path: Path, store: LocalStore) -> None:
    """Choosing "член сім'ї" offers the family's members; the task saves with the one chosen,
    and the plan says who is responsible by name."""
    async def flow() -> None:
        family, case, _school, _doctor = _case(store, today=date.today())
        mother = Person(community=C, family_id=family.id, last_name="Гнатюк",
                        first_name="Оксана", role=PersonRole.PARENT)
        store.save(mother)
        fid, cid = family.id, case.id
        h = await start(tmp_path, store, f"/families/{fid}/cases/{cid}/tasks/new",
                        role="social_worker")
        assert h.find_all(key="task-responsible-person-id") == []
        await h.choose(h.find(key="task-responsible"), TaskResponsible.FAMILY_MEMBER.value)
        members = h.find(key="task-responsible-person-id")
        assert [o.text for o in members.options] == ["Гнатюк Оксана"]
        await h.click(h.find(key="task-save"))              # nothing typed: refused
        assert "Виправте позначені поля." in h.texts()
        await h.type(h.find(key="task-goal"), "Мати працевлаштована")
        await h.type(h.find(key="task-task"), "Стати на облік у центрі зайнятості")
        await h.type(h.find(key="task-due-date"), f"{date.today() + timedelta(30):%d.%m.%Y}")
        await h.choose(members, str(mother.id))
        await h.click(h.find(key="task-save"))
        h.assert_no_crash()
        [task] = [t for t in store.all(PlanTask, case_id=str(cid)) if t.goal.startswith("Мати")]
        assert task.responsible is TaskResponsible.FAMILY_MEMBER
        assert task.responsible_person_id == mother.id
        assert "Відповідає: Гнатюк Оксана" in h.texts()    # back on the plan
        await h.close()
    run(flow)


def test_a_returned_closure_says_why_and_can_be_amended(tmp_path: Path,
                                                        store: LocalStore) -> None:
    """A closure the supervisor returned stays on the card with the comment, and "Закрити
    випадок" opens it again to amend."""
    async def flow() -> None:
        family, case, _school, _doctor = _case(store, today=date.today())
        case = Case.model_validate({**case.model_dump(), "closed_on": date.today(),
                                    "closure_reason": ClosureReason.FAMILY_REFUSED})
        store.save(case)
        clock = store.last_changed([str(case.id)])[str(case.id)]
        store.save(Review(community=C, target_kind=RecordKind.CASE, target_id=case.id,
                          decision=ReviewDecision.RETURNED, reviewer="iryna",
                          comment="Додайте, чим закінчилася розмова з сім'єю.",
                          reviewed_at=datetime.now(UTC), target_clock=clock))
        h = await start(tmp_path, store, f"/families/{family.id}", role="social_worker")
        shown = h.texts()
        assert "Етап: закриття чекає рішення супервізора" in shown
        assert ("Супервізор повернув закриття: Додайте, чим закінчилася розмова з сім'єю."
                in shown)
        await h.click(h.find(key="case-close"))
        await h.settle()
        assert h.find(key="close-closure-notes") is not None
        await h.type(h.find(key="close-closure-notes"), "Мати письмово відмовилася.")
        await h.click(h.find(key="close-save"))
        h.assert_no_crash()
        stored = store.get(Case, case.id)
        assert stored is not None and stored.closure_notes == "Мати письмово відмовилася."
        assert not any(s.startswith("Супервізор повернув закриття") for s in h.texts())
        await h.close()
    run(flow)


def test_cancel_drops_the_draft_and_goes_back(tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        family, case, _school, _doctor = _case(store, today=date.today())
        path = f"/families/{family.id}/cases/{case.id}/extend"
        h = await start(tmp_path, store, path, role="social_worker")
        await h.type(h.find(key="extend-extension-reason"), "Складний випадок.")
        await h.follow(f"/families/{family.id}")               # leaving seals the draft
        await h.follow(path)
        assert f"case.extend.{case.id}" in draft_store.draft_keys(store)
        assert h.find(key="extend-extension-reason").value == "Складний випадок."
        await h.click(h.find(key="extend-cancel"))
        h.assert_no_crash()
        assert h.find(key="case-section") is not None          # back on the card
        assert f"case.extend.{case.id}" not in draft_store.draft_keys(store)
        stored = store.get(Case, case.id)
        assert stored is not None and stored.extension_reason == ""
        await h.close()
    run(flow)


def test_the_requests_due_hint_counts_by_the_calendar_the_device_holds(
        tmp_path: Path, store: LocalStore) -> None:
    """The operator declared the next working day off; the last sync brought it: the intake
    form tells the worker the due date one working day later than the built-in rules."""
    today = date.today()
    moved = WorkCalendar(extra_days_off=frozenset({DEFAULT_CALENDAR.add_working_days(today, 1)}))
    keep_calendar(store, CalendarAnswer.of(moved))
    built_in, held = assessment_due(today), assessment_due(today, moved)
    assert held == DEFAULT_CALENDAR.add_working_days(built_in, 1)

    async def flow() -> None:
        family = Family(community=C, family_name="Бондар", settlement="Малин")
        store.save(family)
        h = await start(tmp_path, store, f"/families/{family.id}", role="social_worker")
        await h.click(h.find(key="case-open"))
        await h.settle()
        helper = str(h.find(key="intake-opened-on").helper)
        assert f"{held:%d.%m.%Y}" in helper and f"{built_in:%d.%m.%Y}" not in helper, helper
        await h.close()
    run(flow)
