"""The review place over real stores: one queue of visits, notes, acts and closures with
threats first (the longest open first), an act's detail and decisions, four eyes, amendment
sending a returned act back, and the screens at a phone's width (headless)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.services import case_reviews
from field_app.services import review_place as rp
from field_app.services.reviews import ReviewRefused
from field_app.services.state import Phase
from field_app.store import LocalStore
from shared_models.enums import (
    AssessmentDecision,
    CaseResult,
    ClosureReason,
    RecordKind,
    ReviewDecision,
)
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
    old_threat = _act(olena, _case(olena, d), threat=True, started_days_ago=4)
    threat_visit = visit(olena, family(olena, "Шевчук"), "medium", 24 * 2 + 1,
                         threat_to_life=True)
    draft = _act(olena, _case(olena, family(olena, "Лис")), done=False)  # not sent: not here
    relay.sync(olena)
    relay.sync(iryna)
    listing = rp.listing(iryna, account(iryna, "supervisor"), TODAY)
    assert listing.reviewer
    assert [e.id for e in listing.entries] == [str(x.id) for x in (
        old_threat, threat_visit, new_threat, calm, high)]
    assert str(draft.id) not in {e.id for e in listing.entries}
    assert listing.threat_days[str(old_threat.id)] == 4
    assert listing.threat_days[str(threat_visit.id)] == 2


def test_four_eyes_and_a_returned_act_comes_back_when_amended(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Коваль")
    act = _act(olena, _case(olena, fam), threat=True)
    relay.sync(olena)
    relay.sync(iryna)
    own = rp.detail(olena, account(olena, "supervisor"), "assessment", str(act.id),
                    today=TODAY)
    assert own.own and not own.may_decide                  # four eyes: not the assessor
    me = account(iryna, "supervisor")
    seen = rp.detail(iryna, me, "assessment", str(act.id), today=TODAY)
    assert seen.may_decide and seen.threat and seen.threat_days == 2
    assert seen.author == "olena" and not seen.own
    case_reviews.decide_case(iryna, me, "assessment", str(act.id), approved=False,
                             comment="Опишіть, хто доглядає дитину вночі")
    assert case_reviews.case_queue(iryna, me) == []
    relay.sync(iryna)
    relay.sync(olena)
    mine = rp.listing(olena, account(olena, "social_worker"), TODAY)
    assert not mine.reviewer and [e.id for e in mine.entries] == [str(act.id)]
    olena.save(act.model_copy(update={"threat_details": "Бабуся ночує з дитиною"}))
    relay.sync(olena)
    relay.sync(iryna)
    [back] = case_reviews.case_queue(iryna, me)
    assert back.id == str(act.id) and back.review.amended
    case_reviews.decide_case(iryna, me, "assessment", str(act.id), approved=True)
    d = rp.detail(iryna, me, "assessment", str(act.id), today=TODAY)
    assert [x.decision for x in d.decisions] == [ReviewDecision.APPROVED,
                                                 ReviewDecision.RETURNED]
    assert d.review.approved and not d.may_decide and d.threat_days is None


def test_a_closure_shows_its_reason_and_is_decided_once(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Лисенко")
    closing = _case(olena, fam, days_ago=40, closed_on=TODAY,
                    closure_reason=ClosureReason.FAMILY_REFUSED)
    _case(olena, family(olena, "Старий"), days_ago=400, closed_on=TODAY,
          closure_reason=ClosureReason.LEGACY)
    relay.sync(olena)
    relay.sync(iryna)
    me = account(iryna, "supervisor")
    listing = rp.listing(iryna, me, TODAY)
    assert [e.id for e in listing.entries] == [str(closing.id)]    # old-flag closures: none
    d = rp.detail(iryna, me, "case", str(closing.id), today=TODAY)
    assert d.kind is RecordKind.CASE and d.assessment is None and d.may_decide
    assert d.case.closure_reason is ClosureReason.FAMILY_REFUSED and d.author == "olena"
    with pytest.raises(ReviewRefused) as empty:
        rp.decide(_Device(iryna, me), "case", str(closing.id), approved=False, comment="")
    assert empty.value.on_comment
    rp.decide(_Device(iryna, me), "case", str(closing.id), approved=True, comment="")
    assert rp.listing(iryna, me, TODAY).entries == []


class _Device:
    """The part of ``Device`` the review place asks for."""

    def __init__(self, store: LocalStore, who: object) -> None:
        self.store, self.who = store, who

    def records(self) -> LocalStore:
        return self.store

    def account(self) -> object:
        return self.who


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
        assert case_reviews.case_queue(iryna, account(iryna, "supervisor")) == []
        await h.close()

    run(flow)


def test_the_worker_fixes_a_returned_act_from_the_review_place(tmp_path: Path) -> None:
    """The worker's list holds the returned act with the comment; "Відкрити акт" opens the
    form, which shows the comment; sending the fix puts the act back in the queue."""
    async def flow() -> None:
        for name in ("olena", "iryna"):
            (tmp_path / name).mkdir()
        olena = real_store(tmp_path / "olena", username="olena")
        iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
        relay = Relay()
        fam = family(olena, "Коваль")
        act = _act(olena, _case(olena, fam), threat=True)
        relay.sync(olena)
        relay.sync(iryna)
        me = account(iryna, "supervisor")
        case_reviews.decide_case(iryna, me, "assessment", str(act.id), approved=False,
                                 comment="Хто ночує з дитиною?")
        relay.sync(iryna)
        relay.sync(olena)
        worker = FakeDevice(Phase.LOCKED, username="olena")
        worker.store = olena
        h = await start_unlocked(tmp_path / "olena", worker, width=360)
        await h.tap_place(3)
        await h.click(h.find(key="more-review"))
        await h.settle()
        assert "«Хто ночує з дитиною?»" in h.text()
        await h.click(h.find(key=f"review-row-{act.id}"))
        await h.settle()
        assert h.find(key="review-returned-comment").value == "Хто ночує з дитиною?"
        assert not h.find_all(key="review-approve")
        await h.click(h.find(key="review-fix"))
        await h.settle()
        assert h.page.route == f"/families/{fam.id}/cases/{act.case_id}/assessment"
        assert h.find(key="assessment-returned-comment").value == "Хто ночує з дитиною?"
        save = h.find(key="assessment-save")
        assert save.content == "Надіслати виправлений акт"
        await h.click(h.find(key="assessment-section-children"))
        await h.settle()
        await h.type(h.find(key="assessment-threat_details"), "Бабуся ночує з дитиною")
        await h.click(h.find(key="assessment-save"))
        await h.settle()
        h.assert_no_crash()
        assert h.page.route == f"/families/{fam.id}"
        relay.sync(olena)
        relay.sync(iryna)
        [back] = case_reviews.case_queue(iryna, me)
        assert back.id == str(act.id) and back.review.amended
        await h.close()

    run(flow)


def test_the_supervisor_reads_and_approves_a_closure_on_a_phone(tmp_path: Path) -> None:
    """A recorded closure in the queue; its screen says when the case opened and closed,
    why, and the result; a return needs a comment beside the field; approval empties it."""
    async def flow() -> None:
        for name in ("olena", "iryna"):
            (tmp_path / name).mkdir()
        olena = real_store(tmp_path / "olena", username="olena")
        iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
        relay = Relay()
        closing = _case(olena, family(olena, "Лисенко"), days_ago=90,
                        closed_on=TODAY - timedelta(days=1),
                        closure_reason=ClosureReason.GOALS_ACHIEVED,
                        closure_result=CaseResult.ACHIEVED,
                        closure_notes="Мати працевлаштована, діти відвідують школу")
        relay.sync(olena)
        relay.sync(iryna)
        supervisor = FakeDevice(Phase.LOCKED, username="iryna")
        supervisor.store, supervisor.role = iryna, "supervisor"
        h = await start_unlocked(tmp_path / "iryna", supervisor, width=360)
        await h.follow(f"/more/review/case/{closing.id}")
        await h.settle()
        text = h.text()
        assert "Перевірка закриття випадку" in text
        assert "складні життєві обставини подолано" in text
        assert "мети досягнуто" in text
        assert "Мати працевлаштована, діти відвідують школу" in text
        await h.click(h.find(key="review-return"))
        await h.settle()
        assert h.find(key="review-comment").error == "Напишіть коментар: що саме треба виправити."
        await h.click(h.find(key="review-approve"))
        await h.settle()
        h.assert_no_crash()
        assert h.page.route == "/more/review"
        assert case_reviews.case_queue(iryna, account(iryna, "supervisor")) == []
        await h.close()

    run(flow)
