"""The review service over real encrypted stores: queue order, statuses, decisions, refusals.

A worker's and a supervisor's stores exchange changes through ``Relay`` (``review_data``), an
in-memory stand-in for the server; the real server is in ``tests/sync/test_review_e2e.py``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from field_app.i18n import Translator
from field_app.services import reviews, visits
from field_app.services.reviews import ReviewRefused, ReviewState
from field_app.store import LocalStore
from field_app.sync import Account
from shared_models.clock import HLC
from shared_models.enums import ReviewDecision, RiskLevel
from shared_models.merge import FieldWrite, state_from_writes
from shared_models.records import Family, Person, Review, Visit
from tests.ui.review_data import NOW, ZH, Relay, account, family, note, visit
from tests.ui.stores import real_store


@pytest.fixture
def olena(tmp_path: Path) -> LocalStore:
    (tmp_path / "olena").mkdir()
    return real_store(tmp_path / "olena", username="olena")


@pytest.fixture
def iryna(tmp_path: Path) -> LocalStore:
    (tmp_path / "iryna").mkdir()
    return real_store(tmp_path / "iryna", username="iryna", role="supervisor")


def test_the_queue_is_highest_risk_first_then_newest_and_places_notes_by_family_risk(
        olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    tkachuk, melnyk, bondar = (family(olena, n) for n in ("Ткачук", "Мельник", "Бондар"))
    old_high = visit(olena, tkachuk, "high", 50)
    low = visit(olena, melnyk, "low", 1)
    new_high = visit(olena, melnyk, "high", 3)     # Мельник's latest visit: low (1 h ago)
    medium = visit(olena, bondar, "medium", 2)
    note_melnyk = note(olena, melnyk, 0.5)        # ranks with the family's risk: low
    note_tkachuk = note(olena, tkachuk, 60)       # Ткачук's latest visit: high
    lonely = family(olena, "Гнатюк")
    note_lonely = note(olena, lonely, 0.1)        # no visit: below every assessed risk
    relay.sync(olena)
    relay.sync(iryna)
    rows = reviews.queue(iryna, account(iryna, "supervisor"))
    assert [r.id for r in rows] == [str(x.id) for x in (
        new_high, old_high, note_tkachuk, medium, note_melnyk, low, note_lonely)]
    first = rows[0]
    assert (first.family_name, first.author, first.risk, first.risk_of_family) == (
        "Мельник", "olena", RiskLevel.HIGH, False)
    assert first.status.state is ReviewState.PENDING and not first.amended
    assert (rows[2].risk, rows[2].risk_of_family) == (RiskLevel.HIGH, True)
    assert rows[-1].risk is None
    assert not any(r.unsynced for r in rows)


def test_return_amend_and_approve_round_trip(olena: LocalStore, iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Коваленко")
    v = visit(olena, fam, "medium", 2, next_steps="Зустріч у школі")
    relay.sync(olena)
    relay.sync(iryna)
    sup = account(iryna, "supervisor")
    with pytest.raises(ReviewRefused) as empty:
        reviews.return_for_changes(iryna, sup, "visit", str(v.id), "   ")
    assert empty.value.on_comment and empty.value.problem.key == "review.err.comment_required"
    review = reviews.return_for_changes(iryna, sup, "visit", str(v.id), "Хто був присутній?")
    assert review.target_clock == iryna.last_changed([str(v.id)])[str(v.id)]
    assert reviews.queue(iryna, sup) == []
    status = reviews.status(iryna, "visit", str(v.id))
    assert status.state is ReviewState.RETURNED and status.latest is not None
    assert status.latest.unsynced            # saved on the phone, not sent yet
    # Before the sync the worker knows nothing; after it, the comment.
    assert reviews.returned_to_me(olena, account(olena, "social_worker")) == []
    relay.sync(iryna)
    relay.sync(olena)
    mine = reviews.returned_to_me(olena, account(olena, "social_worker"))
    assert [(r.id, r.status.state) for r in mine] == [(str(v.id), ReviewState.RETURNED)]
    assert mine[0].status.latest is not None
    assert mine[0].status.latest.comment == "Хто був присутній?"
    assert not mine[0].status.latest.unsynced
    # The worker amends: still in her list, now waiting; back in the supervisor's queue.
    fixed = olena.get(Visit, v.id)
    assert fixed is not None
    fixed.others_present = "бабуся"
    olena.save(fixed)
    mine = reviews.returned_to_me(olena, account(olena, "social_worker"))
    assert [(r.status.state, r.unsynced) for r in mine] == [(ReviewState.AMENDED, True)]
    relay.sync(olena)
    relay.sync(iryna)
    [row] = reviews.queue(iryna, sup)
    assert (row.id, row.amended, row.status.state) == (str(v.id), True, ReviewState.AMENDED)
    reviews.approve(iryna, sup, "visit", str(v.id))
    assert reviews.queue(iryna, sup) == []
    relay.sync(iryna)
    relay.sync(olena)
    status = reviews.status(olena, "visit", str(v.id))
    assert status.state is ReviewState.APPROVED
    assert [d.decision for d in status.decisions] == [ReviewDecision.APPROVED,
                                                      ReviewDecision.RETURNED]
    assert reviews.returned_to_me(olena, account(olena, "social_worker")) == []


def test_a_change_the_reviewer_had_not_received_is_not_covered(
        olena: LocalStore, iryna: LocalStore) -> None:
    """Approved on an older version: an edit made earlier by wall time but unseen still waits."""
    relay = Relay()
    fam = family(olena, "Лисенко")
    relay.sync(olena)

    def at(hours_ago: float) -> str:
        return HLC(int((NOW - timedelta(hours=hours_ago)).timestamp() * 1000), 0,
                   "olena-2").encode()

    # Recorded three hours ago on the worker's other phone; the supervisor receives it.
    v = Visit(community=ZH, family_id=fam.id, risk_level="low", author="olena",
              visited_at=NOW - timedelta(hours=4))
    values = v.model_dump(mode="json", exclude={"id", "community"})
    relay.put(state_from_writes(str(v.id), "visit", ZH, {
        n: FieldWrite(value, at(3), (), "olena") for n, value in values.items()}))
    relay.sync(iryna)
    reviews.approve(iryna, account(iryna, "supervisor"), "visit", str(v.id))
    # An hour ago — before the decision by the clocks — the worker had edited the visit on
    # that phone, which synced only after the supervisor decided.
    assert at(1) < max(iryna.last_changed([str(r.id) for r in iryna.all(Review)]).values())
    relay.put(state_from_writes(str(v.id), "visit", ZH, {"next_steps": FieldWrite(
        "Направити до психолога", at(1), (at(3),), "olena")}))
    relay.sync(iryna)
    # ...but newer than what the decision saw: back in the queue.
    assert reviews.status(iryna, "visit", str(v.id)).state is ReviewState.AMENDED
    assert [r.id for r in reviews.queue(iryna, account(iryna, "supervisor"))] == [str(v.id)]


def test_a_returned_note_is_fixed_by_a_correcting_note(olena: LocalStore,
                                                       iryna: LocalStore) -> None:
    relay = Relay()
    fam = family(olena, "Бойко")
    first = note(olena, fam, 3)
    relay.sync(olena)
    relay.sync(iryna)
    sup = account(iryna, "supervisor")
    reviews.return_for_changes(iryna, sup, "note", str(first.id), "Уточніть дату консультації")
    relay.sync(iryna)
    relay.sync(olena)
    worker = account(olena, "social_worker")
    assert [r.id for r in reviews.returned_to_me(olena, worker)] == [str(first.id)]
    fix = note(olena, fam, 0, corrects=first.id)
    assert reviews.returned_to_me(olena, worker) == []
    assert reviews.status(olena, "note", str(first.id)).state is ReviewState.CORRECTED
    relay.sync(olena)
    relay.sync(iryna)
    [row] = reviews.queue(iryna, sup)
    assert (row.id, row.amended, row.status.state) == (str(fix.id), True, ReviewState.PENDING)
    shown = reviews.detail(iryna, sup, "note", str(fix.id))
    assert shown.corrects is not None and shown.corrects.id == first.id
    assert reviews.detail(iryna, sup, "note", str(first.id)).corrected_by == str(fix.id)


def test_who_may_decide(olena: LocalStore, iryna: LocalStore, tmp_path: Path) -> None:
    relay = Relay()
    fam = family(olena, "Кравчук")
    child = Person(community=ZH, family_id=fam.id, last_name="Кравчук", first_name="Оля")
    olena.save(child)
    v = visit(olena, fam, "high", 1, present=[child.id])
    own = visit(iryna, fam, "low", 2)                      # the supervisor's own visit
    relay.sync(olena)
    relay.sync(iryna)
    worker = account(olena, "social_worker")
    with pytest.raises(ReviewRefused) as refused:
        reviews.queue(olena, worker)
    assert refused.value.problem.key == "review.err.not_reviewer"
    with pytest.raises(ReviewRefused) as refused:
        reviews.approve(olena, worker, "visit", str(v.id))
    assert refused.value.problem.key == "review.err.not_reviewer"
    sup = account(iryna, "supervisor")
    assert [r.id for r in reviews.queue(iryna, sup)] == [str(v.id)]   # not her own
    with pytest.raises(ReviewRefused) as refused:
        reviews.approve(iryna, sup, "visit", str(own.id))
    assert refused.value.problem.key == "review.err.own"
    elsewhere = account(iryna, "supervisor", ("zviahelska",))
    assert reviews.queue(iryna, elsewhere) == []
    with pytest.raises(ReviewRefused) as refused:
        reviews.return_for_changes(iryna, elsewhere, "visit", str(v.id), "Чому?")
    assert refused.value.problem.key == "review.err.not_your_community"
    koord = Account(username="koord", role="coordinator", communities=[], device_id="k")
    assert {r.id for r in reviews.queue(iryna, koord)} == {str(v.id), str(own.id)}
    shown = reviews.detail(iryna, sup, "visit", str(v.id))
    assert (shown.may_decide, shown.own, shown.names) == (
        True, False, {str(child.id): "Кравчук Оля"})
    assert shown.family is not None and shown.family.family_name == "Кравчук"
    mine = reviews.detail(olena, worker, "visit", str(v.id))
    assert (mine.may_decide, mine.own) == (False, True)
    with pytest.raises(ReviewRefused) as refused:
        reviews.detail(iryna, sup, "visit", str(uuid.uuid4()))
    assert refused.value.problem.key == "review.err.not_found"
    with pytest.raises(ReviewRefused):
        reviews.detail(iryna, sup, "family", str(fam.id))
    with pytest.raises(ReviewRefused):
        reviews.detail(iryna, sup, "visit", "../../etc")


def test_a_too_long_comment_is_refused_next_to_the_field(olena: LocalStore,
                                                         iryna: LocalStore) -> None:
    relay = Relay()
    v = visit(olena, family(olena, "Петренко"), "low", 1)
    relay.sync(olena)
    relay.sync(iryna)
    with pytest.raises(ReviewRefused) as refused:
        reviews.return_for_changes(iryna, account(iryna, "supervisor"), "visit", str(v.id),
                                   "д" * 2001)
    assert refused.value.on_comment
    assert refused.value.problem.params == {"uk": "Не більше 2000 символів",
                                            "en": "At most 2000 characters"}
    assert iryna.all(Review) == []


@pytest.mark.parametrize("role", ["supervisor", "coordinator", "admin"])
def test_an_own_record_is_refused_before_anything_is_saved(tmp_path: Path, role: str) -> None:
    """Four eyes on the phone too (the server refuses the same): a reviewer's own visit or
    note cannot be decided on; nothing is saved, so nothing waits to be refused by the server,
    and the reason is said plainly in both languages."""
    (tmp_path / "me").mkdir()
    me = real_store(tmp_path / "me", username="iryna", role=role)
    fam = family(me, "Кравчук")
    own_visit, own_note = visit(me, fam, "high", 1), note(me, fam, 2)
    pending = me.pending_count()
    reviewer = account(me, role)
    for kind, target in (("visit", own_visit), ("note", own_note)):
        for decide in (lambda k, t: reviews.approve(me, reviewer, k, t),
                       lambda k, t: reviews.return_for_changes(me, reviewer, k, t, "Чому?")):
            with pytest.raises(ReviewRefused) as refused:
                decide(kind, str(target.id))
            assert refused.value.problem.key == "review.err.own"
        assert reviews.detail(me, reviewer, kind, str(target.id)).may_decide is False
    assert reviews.queue(me, reviewer) == []
    assert me.all(Review) == [] and me.pending_count() == pending
    assert Translator("uk").t("review.err.own").startswith("Власні записи перевіряє інший")
    assert Translator("en").t("review.err.own").startswith("Your own records are reviewed by")


def test_a_visit_to_a_family_deleted_elsewhere_is_kept_and_marked(
        olena: LocalStore, iryna: LocalStore) -> None:
    """The family is deleted on the supervisor's phone while the worker writes offline: the
    visit and note stay in the queue, under the family's name, marked "Сім'ю видалено"."""
    relay = Relay()
    fam = family(olena, "Ткачук")
    relay.sync(olena)
    relay.sync(iryna)
    iryna.delete(Family, fam.id)                   # the worker's phone has not heard yet
    late = visit(olena, fam, "high", 1, next_steps="Консультація юриста")
    written = note(olena, fam, 0.5)
    relay.sync(iryna)
    relay.sync(olena)
    relay.sync(iryna)
    assert iryna.get(Family, fam.id) is None and olena.get(Family, fam.id) is None
    rows = {r.id: r for r in reviews.queue(iryna, account(iryna, "supervisor"))}
    assert set(rows) == {str(late.id), str(written.id)}
    assert all(r.family_deleted and r.family_name == "Ткачук" for r in rows.values())
    d = reviews.detail(iryna, account(iryna, "supervisor"), "visit", str(late.id))
    assert d.family_deleted and d.family is not None and d.family.family_name == "Ткачук"
    assert d.target.next_steps == "Консультація юриста"  # type: ignore[union-attr]
    shown = visits.details(olena, str(fam.id), str(late.id))
    assert shown.family_deleted and shown.visit.next_steps == "Консультація юриста"
    assert Translator("uk").t("review.mark.family_deleted") == "Сім'ю видалено"
    # A live family is not marked.
    live = family(olena, "Мельник")
    visit(olena, live, "low", 2)
    relay.sync(olena)
    relay.sync(iryna)
    marked = {r.family_name: r.family_deleted
              for r in reviews.queue(iryna, account(iryna, "supervisor"))}
    assert marked == {"Ткачук": True, "Мельник": False}
