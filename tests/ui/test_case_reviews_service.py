"""The review of needs-assessment acts and closures over real stores: queue order with threats
first, four eyes, approval and return, amendment sending an act back to the queue."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.services import case_reviews as cr
from field_app.services.case_dashboard import case_figures
from field_app.services.reviews import ReviewRefused
from field_app.services.state import Phase
from field_app.store import LocalStore
from shared_models.cases import CaseStage
from shared_models.enums import AssessmentDecision, ClosureReason, RecordKind, ReviewDecision
from shared_models.records import Assessment, Case, Family
from tests.ui.harness import FakeDevice, run, start_unlocked
from tests.ui.review_data import ZH, Relay, account, family, visit
from tests.ui.stores import real_store

TODAY = date.today()


@pytest.fixture
def olena(tmp_path: Path) -> LocalStore:
    (tmp_path / "olena").mkdir()
    return real_store(tmp_path / "olena", username="olena")


@pytest.fixture
def iryna(tmp_path: Path) -> LocalStore:
    (tmp_path / "iryna").mkdir()
    return real_store(tmp_path / "iryna", username="iryna", role="supervisor")


def _case(store: LocalStore, fam: Family, days_ago: int = 3, **kw: object) -> Case:
    c = Case(community=ZH, family_id=fam.id, opened_on=TODAY - timedelta(days=days_ago),
             assigned_worker="olena", **kw)  # type: ignore[arg-type]
    store.save(c)
    return c


def _act(store: LocalStore, case: Case, *, threat: bool = False, done: bool = True,
         started_days_ago: int = 2) -> Assessment:
    a = Assessment(community=ZH, case_id=case.id, family_id=case.family_id, assessor="olena",
                   started_on=TODAY - timedelta(days=started_days_ago),
                   completed_on=TODAY if done else None, threat_to_life=threat,
                   threat_details="Дитина без нагляду" if threat else "",
                   difficult_circumstances=True if done else None,
                   decision=AssessmentDecision.SUPPORT if done else None)
    store.save(a)
    return a


def test_threats_top_the_queue_longest_open_first_then_acts_and_closures_then_visits(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    a, b, c, d = (family(olena, n) for n in ("Ткачук", "Мельник", "Бондар", "Гнатюк"))
    high = visit(olena, a, "high", 1)
    calm = _act(olena, _case(olena, b))
    new_threat = _act(olena, _case(olena, c), threat=True, started_days_ago=1)
    old_threat = _act(olena, _case(olena, d), threat=True, done=False, started_days_ago=4)
    closing = _case(olena, a, days_ago=30, closed_on=TODAY - timedelta(days=1),
                    closure_reason=ClosureReason.GOALS_ACHIEVED)
    draft = _act(olena, _case(olena, family(olena, "Шевчук")), done=False)  # not sent: not here
    relay.sync(olena)
    relay.sync(iryna)
    me = account(iryna, "supervisor")
    entries = cr.combined(cr.queue(iryna, me), cr.reviews.queue(iryna, me),
                          cr.visit_threats(iryna))
    assert [e.id for e in entries] == [str(x.id) for x in (
        old_threat, new_threat, closing, calm, high)]
    assert str(draft.id) not in {e.id for e in entries}
    first = entries[0]
    assert isinstance(first, cr.CaseRow) and first.threat
    assert first.threat_days(TODAY) == 4 and first.family_name == "Гнатюк"
    # An act still in progress with a threat can be returned, not approved.
    with pytest.raises(ReviewRefused) as refused:
        cr.decide(iryna, me, "assessment", str(old_threat.id), approved=True, comment="")
    assert refused.value.problem.key == "casereview.err.not_completed"


def test_four_eyes_and_a_returned_act_comes_back_when_amended(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Коваль")
    act = _act(olena, _case(olena, fam), threat=True)
    relay.sync(olena)
    relay.sync(iryna)
    with pytest.raises(ReviewRefused) as own:
        cr.decide(olena, account(olena, "supervisor"), "assessment", str(act.id),
                  approved=True, comment="")
    assert own.value.problem.key == "review.err.own"
    me = account(iryna, "supervisor")
    with pytest.raises(ReviewRefused) as empty:
        cr.decide(iryna, me, "assessment", str(act.id), approved=False, comment=" ")
    assert empty.value.on_comment
    cr.decide(iryna, me, "assessment", str(act.id), approved=False,
              comment="Опишіть, хто доглядає дитину вночі")
    assert cr.queue(iryna, me) == []
    relay.sync(iryna)
    relay.sync(olena)
    [mine] = cr.returned_to_me(olena, account(olena, "social_worker"))
    assert mine.review.returned and mine.review.comment == "Опишіть, хто доглядає дитину вночі"
    olena.save(act.model_copy(update={"threat_details": "Бабуся ночує з дитиною"}))
    relay.sync(olena)
    relay.sync(iryna)
    [back] = cr.queue(iryna, me)
    assert back.id == str(act.id) and back.review.amended
    cr.decide(iryna, me, "assessment", str(act.id), approved=True, comment="")
    d = cr.detail(iryna, me, "assessment", str(act.id))
    assert [x.decision for x in d.decisions] == [ReviewDecision.APPROVED,
                                                 ReviewDecision.RETURNED]
    assert d.row.review.approved and d.may_approve


def test_a_closure_is_decided_by_someone_other_than_the_case_worker(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Лисенко")
    closing = _case(olena, fam, days_ago=40, closed_on=TODAY,
                    closure_reason=ClosureReason.FAMILY_REFUSED)
    legacy = _case(olena, family(olena, "Старий"), days_ago=400, closed_on=TODAY,
                   closure_reason=ClosureReason.LEGACY)
    relay.sync(olena)
    relay.sync(iryna)
    me = account(iryna, "supervisor")
    rows = cr.queue(iryna, me)
    assert [r.id for r in rows] == [str(closing.id)]         # old-flag closures need none
    assert rows[0].kind is RecordKind.CASE
    assert rows[0].closure_reason is ClosureReason.FAMILY_REFUSED
    with pytest.raises(ReviewRefused):
        cr.decide(olena, account(olena, "supervisor"), "case", str(closing.id),
                  approved=True, comment="")
    cr.decide(iryna, me, "case", str(closing.id), approved=True, comment="")
    assert cr.queue(iryna, me) == []
    assert str(legacy.id) not in {r.id for r in cr.returned_to_me(olena, account(olena, "x"))}


def test_the_supervisor_sees_the_threat_first_and_approves_the_act_on_a_phone(
        tmp_path: Path) -> None:
    """The screens: the act with a threat tops the queue with its mark, its sections read,
    approving it empties the queue (headless session at 360 px)."""
    async def flow() -> None:
        for name in ("olena", "iryna"):
            (tmp_path / name).mkdir()
        olena = real_store(tmp_path / "olena", username="olena")
        iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
        relay = Relay()
        calm_family, fam = family(olena, "Бондар"), family(olena, "Коваль")
        visit(olena, calm_family, "high", 1)
        act = _act(olena, _case(olena, fam), threat=True, started_days_ago=3)
        relay.sync(olena)
        relay.sync(iryna)
        supervisor = FakeDevice(Phase.LOCKED, username="iryna")
        supervisor.store, supervisor.role = iryna, "supervisor"
        h = await start_unlocked(tmp_path / "iryna", supervisor, width=360)
        await h.tap_place(3)
        await h.click(h.find(key="more-review"))
        await h.settle()
        rows = [c.key for c in h.find(key="review-list").controls[1].controls]
        assert rows[0] == f"review-row-{act.id}"
        mark = h.find(key=f"review-threat-{act.id}")
        assert "Загроза життю чи здоров'ю: 3 дні без рішення" in " ".join(
            c.value for c in mark.content.controls if hasattr(c, "value"))
        await h.click(h.find(key=f"review-row-{act.id}"))
        await h.settle()
        assert h.page.route == f"/more/review/assessment/{act.id}"
        text = h.text()
        assert "5. Висновок" in text and "Дитина без нагляду" in text
        await h.click(h.find(key="review-approve"))
        await h.settle()
        h.assert_no_crash()
        assert h.page.route == "/more/review"
        assert cr.queue(iryna, account(iryna, "supervisor")) == []
        await h.close()

    run(flow)


def test_the_dashboard_counts_stages_overdue_acts_and_undecided_threats(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    late = _case(olena, family(olena, "Пізній"), days_ago=20)             # no act, overdue
    threat = _act(olena, _case(olena, family(olena, "Коваль"), days_ago=1), threat=True,
                  started_days_ago=1)
    decided = _act(olena, _case(olena, family(olena, "Бойко"), days_ago=2), threat=True,
                   started_days_ago=2)
    relay.sync(olena)
    relay.sync(iryna)
    cr.decide(iryna, account(iryna, "supervisor"), "assessment", str(decided.id),
              approved=True, comment="")
    f = case_figures(iryna, communities=[ZH], today=TODAY)
    assert f.by_stage[CaseStage.REQUEST] == 1
    assert f.by_stage[CaseStage.ASSESSMENT] == 1 and f.by_stage[CaseStage.SUPPORT] == 1
    assert f.open_cases == 3
    assert [c.case_id for c in f.overdue_assessments] == [str(late.id)]
    assert f.overdue_assessments[0].days > 0
    assert [(c.assessment_id, c.days) for c in f.threats] == [(str(threat.id), 1)]
