"""The needs-assessment act's form over a real store: members, drafts, threats, submitting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.services import assessment_form as af
from field_app.services import draft_store
from field_app.services.dashboard import build_dashboard
from field_app.store import LocalStore
from field_app.sync.calendar import keep_calendar
from shared_models.enums import AssessmentDecision, Circumstance, PersonRole
from shared_models.protocol import CalendarAnswer
from shared_models.records import Assessment, Case, Family, Person
from shared_models.work_calendar import WorkCalendar
from tests.ui.stores import real_store

TODAY = date(2026, 12, 7)   # a Monday


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, communities=("malynska",))
    yield s
    s.close()


@pytest.fixture
def case(store: LocalStore) -> dict[str, str]:
    family = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    kid = Person(community="malynska", family_id=family.id, last_name="Коваленко",
                 first_name="Марко", role=PersonRole.CHILD, birth_date=date(2018, 3, 1))
    mum = Person(community="malynska", family_id=family.id, last_name="Коваленко",
                 first_name="Ганна", role=PersonRole.PARENT)
    c = Case(community="malynska", family_id=family.id, opened_on=TODAY - timedelta(days=3))
    for r in (family, kid, mum, c):
        store.save(r)
    return {"family": str(family.id), "case": str(c.id), "kid": str(kid.id),
            "mum": str(mum.id)}


def _open(store: LocalStore, case: dict[str, str]) -> af.AssessmentForm:
    form, _key, _draft = af.open_assessment(store, case["family"], case["case"], me="olena",
                                            today=TODAY)
    return form


def test_a_new_act_has_one_block_per_child_and_every_member_to_tick(
        store: LocalStore, case: dict[str, str]) -> None:
    form = _open(store, case)
    assert [m.id for m in form.children] == [case["kid"]]
    assert {m.id for m in form.members} == {case["kid"], case["mum"]}
    assert form.base.started_on == "07.12.2026" and not form.submitted
    term = af.case_term(store, form, TODAY)
    assert term is not None and term.due == date(2026, 12, 11)   # 5 working days after Fri 04.12


def test_a_child_threat_needs_details_and_is_kept_with_them(
        store: LocalStore, case: dict[str, str]) -> None:
    form = _open(store, case)
    form.set(f"child.{case['kid']}.threat_to_life", True)
    form.set(f"part.{case['mum']}", True)
    assert af.save(store, form, submit=False, today=TODAY) is None
    assert "threat_details" in form.errors
    form.set("threat_details", "Дитина залишається сама вночі")
    saved = af.save(store, form, submit=False, today=TODAY)
    assert saved is not None and saved.threat and saved.completed_on is None
    stored = store.get(Assessment, saved.id)
    assert stored is not None and stored.participants == [saved.participants[0]]
    assert stored.children[0].threat_to_life
    again = _open(store, case)
    assert again.base.assessment_id == str(saved.id) and again.threat


def test_submitting_needs_the_conclusion_then_completes_the_act(
        store: LocalStore, case: dict[str, str]) -> None:
    form = _open(store, case)
    assert af.save(store, form, submit=True, today=TODAY) is None
    assert {"difficult_circumstances", "decision"} <= set(form.errors)
    form.set("difficult_circumstances", "yes")
    form.set("decision", AssessmentDecision.SUPPORT.value)
    form.set(f"circ.{Circumstance.POVERTY.value}", True)
    form.set("svc.002.0", True)
    form.set("harmful_habits", "no")
    saved = af.save(store, form, submit=True, today=TODAY)
    assert saved is not None and saved.completed_on == TODAY
    assert saved.circumstances == [Circumstance.POVERTY]
    assert saved.services_needed == ["002.0"] and saved.harmful_habits is False
    assert _open(store, case).submitted


def test_a_draft_comes_back_after_the_form_is_forgotten(
        store: LocalStore, case: dict[str, str]) -> None:
    form = _open(store, case)
    form.set("income", "Допомога по безробіттю")
    draft_store.save_draft(store, af.draft_key(case["case"]), af.form_data(form))
    back, key, draft = af.open_assessment(store, case["family"], case["case"], me="olena",
                                          today=TODAY)
    assert draft is not None and key == af.draft_key(case["case"])
    assert back.income == "Допомога по безробіттю"
    assert back.base.new_id == form.base.new_id
    # The draft is kept while the case is on the device, and dropped with it.
    assert draft_store.prune_drafts(store) == []


def test_a_case_not_on_the_device_cannot_be_assessed(store: LocalStore,
                                                     case: dict[str, str]) -> None:
    with pytest.raises(af.NotFound):
        af.open_assessment(store, case["family"], case["family"], me="olena", today=TODAY)


def test_the_calendar_the_device_holds_moves_the_acts_term_and_the_dashboard(
        store: LocalStore, case: dict[str, str]) -> None:
    # The operator declared Tuesday 08.12 a day off; the last sync brought it to this phone.
    moved = WorkCalendar(extra_days_off=frozenset({date(2026, 12, 8)}))
    later = date(2026, 12, 14)
    assert build_dashboard(store, communities=["malynska"], today=later
                           ).cases.assessments_overdue   # by the built-in: due Fri 11.12
    assert keep_calendar(store, CalendarAnswer.of(moved))
    assert not keep_calendar(store, CalendarAnswer.of(moved))   # the same one: nothing new
    term = af.case_term(store, _open(store, case), TODAY)
    assert term is not None and term.due == later
    assert not build_dashboard(store, communities=["malynska"], today=later
                               ).cases.assessments_overdue
