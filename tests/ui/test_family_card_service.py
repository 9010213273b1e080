"""The family card service over a real encrypted store: members, ages, timeline, marks.

Records arrive the two ways they do on a phone: saved here (unsynced, in the outbox) or
pulled from the server's feed (``pulled``), so "saved on this phone" and "sent to the
server" are the store's own answers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.i18n import Translator
from field_app.services.family_card import (
    Age,
    NoteItem,
    ReviewItem,
    VisitItem,
    age_on,
    age_words,
    conflict_value_words,
    load_card,
)
from field_app.store import LocalStore
from shared_models.clock import HybridClock
from shared_models.enums import (
    ClosureReason,
    PersonRole,
    RecordKind,
    ReviewDecision,
    RiskLevel,
    Sex,
)
from shared_models.protocol import RecordChange
from shared_models.records import (
    Case,
    Conflict,
    Family,
    Note,
    Person,
    Record,
    Review,
    Visit,
)
from tests.ui.stores import real_store

TODAY = date(2026, 11, 23)
C = "zhytomyrska"
SERVER = HybridClock("server", max_drift_ms=None)
_position = iter(range(1, 1_000_000))


def at(days_ago: float, hour: int = 10) -> datetime:
    return datetime(2026, 11, 23, hour, 0, tzinfo=UTC) - timedelta(days=days_ago)


def pulled(store: LocalStore, *models: Record) -> None:
    """Records as the server's feed delivers them (sent, not in this phone's outbox)."""
    changes = []
    for m in models:
        stamp = SERVER.now().encode()
        values = m.model_dump(mode="json", exclude={"id", "community"})
        changes.append(RecordChange.of(m.id, m.KIND, m.community, next(_position),
                                       {n: (v, stamp, "ivan") for n, v in values.items()}))
    store.apply_pull(changes, {C: 10**6})


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = real_store(tmp_path)
    yield s  # type: ignore[misc]
    s.close()


def fam(**kw: object) -> Family:
    return Family(community=C, family_name="Коваленко", settlement="Житомир", **kw)  # type: ignore[arg-type]


def person(f: Family, last: str, first: str, **kw: object) -> Person:
    return Person(community=C, family_id=f.id, last_name=last, first_name=first, **kw)  # type: ignore[arg-type]


# ---- ages and their words ------------------------------------------------------------
@pytest.mark.parametrize(("years", "uk", "en"), [
    (1, "1 рік", "1 year"), (2, "2 роки", "2 years"), (4, "4 роки", "4 years"),
    (5, "5 років", "5 years"), (11, "11 років", "11 years"), (12, "12 років", "12 years"),
    (14, "14 років", "14 years"), (17, "17 років", "17 years"), (21, "21 рік", "21 years"),
    (22, "22 роки", "22 years"), (25, "25 років", "25 years"), (101, "101 рік", "101 years"),
    (111, "111 років", "111 years"),
])
def test_age_in_years_with_ukrainian_plurals(years: int, uk: str, en: str) -> None:
    assert age_words(Translator("uk"), Age(years)) == uk
    assert age_words(Translator("en"), Age(years)) == en


def test_babies_in_months_and_unknown_birth_dates() -> None:
    uk = Translator("uk")
    assert age_words(uk, age_on(date(2026, 10, 23), TODAY)) == "1 місяць"
    assert age_words(uk, age_on(date(2026, 8, 23), TODAY)) == "3 місяці"
    assert age_words(uk, age_on(date(2026, 4, 1), TODAY)) == "7 місяців"
    assert age_words(uk, age_on(date(2026, 11, 10), TODAY)) == "до місяця"
    assert age_words(uk, None) == "дата народження невідома"
    assert age_words(Translator("en"), age_on(date(2026, 8, 23), TODAY)) == "3 months"


def test_age_counts_full_years_only() -> None:
    assert age_on(date(2021, 11, 23), TODAY) == Age(5)      # the birthday is today
    assert age_on(date(2021, 11, 24), TODAY) == Age(4)      # tomorrow
    assert age_on(date(2020, 2, 29), date(2026, 2, 28)) == Age(5)
    assert age_on(date(2020, 2, 29), date(2026, 3, 1)) == Age(6)
    assert age_on(date(2025, 11, 23), TODAY) == Age(1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_age_agrees_with_the_model(birth: date) -> None:
    child = Person(community=C, family_id=uuid.uuid4(), last_name="А", first_name="Б",
                   birth_date=birth)
    assert age_on(birth, TODAY).years == child.age(TODAY)


# ---- the card ------------------------------------------------------------------------
def test_missing_or_deleted_family_has_no_card(store: LocalStore) -> None:
    assert load_card(store, uuid.uuid4(), me="olena", today=TODAY) is None
    f = fam()
    store.save(f)
    store.delete(Family, f.id)
    assert load_card(store, f.id, me="olena", today=TODAY) is None


def test_children_first_eldest_first_then_adults_by_role(store: LocalStore) -> None:
    f = fam()
    store.save(f)
    other = fam()
    store.save(other)
    people = [
        person(f, "Коваленко", "Петро", role=PersonRole.PARENT, birth_date=date(1990, 1, 1)),
        person(f, "Коваленко", "Аня", birth_date=date(2021, 6, 1), disability=True),
        person(f, "Іваненко", "Марія", role=PersonRole.GUARDIAN),
        person(f, "Коваленко", "Богдан", birth_date=date(2012, 3, 4),
               special_educational_needs=True, sex=Sex.MALE),
        person(f, "Коваленко", "Віра"),                      # a child, birth date unknown
        person(other, "Сторонній", "Іван"),                   # another family's member
    ]
    for p in people:
        store.save(p)
    removed = person(f, "Видалений", "Член")
    store.save(removed)
    store.delete(Person, removed.id)
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    assert [m.name for m in card.members] == [
        "Коваленко Богдан", "Коваленко Аня", "Коваленко Віра", "Коваленко Петро",
        "Іваненко Марія"]
    bohdan, anya, vira, petro, _maria = card.members
    assert (bohdan.age, bohdan.special_educational_needs, bohdan.child) == (Age(14), True, True)
    assert (anya.age, anya.disability) == (Age(5), True)
    assert vira.age is None and vira.child
    assert petro.age == Age(36) and not petro.child


def test_timeline_newest_first_with_reviews_and_corrections(store: LocalStore) -> None:
    f = fam()
    store.save(f)
    old_visit = Visit(community=C, family_id=f.id, visited_at=at(10), risk_level=RiskLevel.LOW,
                      author="olena", services=["002.0"])
    new_visit = Visit(community=C, family_id=f.id, visited_at=at(2), risk_level=RiskLevel.HIGH,
                      author="olena", services=["001.0", "002.0", "012.0"])
    note = Note(community=C, family_id=f.id, text="Мати   просила\nдопомогти з документами",
                written_at=at(5), author="olena")
    fix1 = Note(community=C, family_id=f.id, text="Виправлення: батько", written_at=at(4),
                author="olena", corrects=note.id)
    fix2 = Note(community=C, family_id=f.id, text="Ще виправлення", written_at=at(1),
                author="petro", corrects=note.id)
    approved = Review(community=C, target_kind=RecordKind.VISIT, target_id=old_visit.id,
                      decision=ReviewDecision.APPROVED, reviewer="iryna", reviewed_at=at(9))
    returned = Review(community=C, target_kind=RecordKind.NOTE, target_id=note.id,
                      decision=ReviewDecision.RETURNED, comment="Уточніть дату",
                      reviewer="iryna", reviewed_at=at(3))
    elsewhere = fam()
    foreign = Visit(community=C, family_id=elsewhere.id, visited_at=at(0.5),
                    risk_level=RiskLevel.LOW, author="petro")
    foreign_review = Review(community=C, target_kind=RecordKind.VISIT, target_id=foreign.id,
                            decision=ReviewDecision.APPROVED, reviewer="iryna",
                            reviewed_at=at(0.2))
    for m in (old_visit, new_visit, note, fix1, fix2, elsewhere, foreign):
        store.save(m)
    pulled(store, approved, returned, foreign_review)
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    assert [(type(i).__name__, i.at) for i in card.timeline] == [
        ("NoteItem", at(1)), ("VisitItem", at(2)), ("ReviewItem", at(3)), ("NoteItem", at(4)),
        ("NoteItem", at(5)), ("ReviewItem", at(9)), ("VisitItem", at(10))]
    latest_fix, visit, review_of_note, _fix1, original, review_of_visit, _old = card.timeline
    assert isinstance(visit, VisitItem)
    assert (visit.risk, visit.services, visit.author) == (RiskLevel.HIGH, 3, "olena")
    assert isinstance(original, NoteItem)
    assert original.preview == "Мати просила допомогти з документами"
    assert [r.id for r in original.corrected_by] == [str(fix2.id), str(fix1.id)]
    assert original.corrects is None
    assert isinstance(latest_fix, NoteItem) and latest_fix.corrects is not None
    assert latest_fix.corrects.id == str(note.id) and latest_fix.corrected_by == ()
    assert isinstance(review_of_note, ReviewItem)
    assert (review_of_note.decision, review_of_note.comment, review_of_note.target_at) == (
        ReviewDecision.RETURNED, "Уточніть дату", at(5))
    assert isinstance(review_of_visit, ReviewItem)
    assert review_of_visit.target_kind is RecordKind.VISIT
    assert review_of_visit.target_id == str(old_visit.id)


def test_long_notes_are_cut_in_the_preview(store: LocalStore) -> None:
    f = fam()
    store.save(f)
    store.save(Note(community=C, family_id=f.id, text="слово " * 100, written_at=at(1),
                    author="olena"))
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    (item,) = card.timeline
    assert isinstance(item, NoteItem)
    assert len(item.preview) <= 160 and item.preview.endswith("…")


def test_saved_here_until_the_server_acknowledges(store: LocalStore) -> None:
    f = fam()
    store.save(f)
    kid = person(f, "Коваленко", "Аня")
    store.save(kid)
    v = Visit(community=C, family_id=f.id, visited_at=at(1), risk_level=RiskLevel.MEDIUM,
              author="olena")
    store.save(v)
    from_server = Note(community=C, family_id=f.id, text="З сервера", written_at=at(2),
                       author="ivan")
    pulled(store, from_server)
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    assert card.unsynced and card.members[0].unsynced
    marks = {type(i).__name__: i.unsynced for i in card.timeline}
    assert marks == {"VisitItem": True, "NoteItem": False}
    # The server acknowledges the family and the visit, not the member yet.
    store.acknowledge([p.mutation_id for p in store.pending_changes()
                       if p.record_id in (str(f.id), str(v.id))])
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    assert not card.unsynced and card.members[0].unsynced
    assert [i.unsynced for i in card.timeline] == [False, False]


def test_next_visit_due_overdue_and_closed(store: LocalStore) -> None:
    cases = [
        (fam(next_visit_date=TODAY - timedelta(days=1)), (False, True)),
        (fam(next_visit_date=TODAY), (True, False)),
        (fam(next_visit_date=TODAY + timedelta(days=7)), (True, False)),
        (fam(next_visit_date=TODAY + timedelta(days=8)), (False, False)),
        (fam(next_visit_date=TODAY - timedelta(days=9)), (False, False)),   # case closed
        (fam(), (False, False)),
    ]
    closed = cases[4][0]
    closed_case = Case(community=closed.community, family_id=closed.id,
                       opened_on=TODAY - timedelta(days=30), closed_on=TODAY - timedelta(days=10),
                       closure_reason=ClosureReason.GOALS_ACHIEVED)
    store.save(closed_case)
    store.save(Review(community=closed.community, target_kind=RecordKind.CASE,   # approved
                      target_id=closed_case.id, decision=ReviewDecision.APPROVED,
                      reviewer="iryna", reviewed_at=datetime.now(UTC),
                      target_clock=store.last_changed([str(closed_case.id)])[
                          str(closed_case.id)]))
    for f, (due, overdue) in cases:
        store.save(f)
        card = load_card(store, f.id, me="olena", today=TODAY)
        assert card is not None
        assert (card.next_visit.due, card.next_visit.overdue) == (due, overdue), f
        assert card.next_visit.when == f.next_visit_date
        assert card.closed == (f is closed)
        assert (card.cases is not None and card.cases.earlier != ()) == (f is closed)


def test_assigned_to_me(store: LocalStore) -> None:
    mine, theirs = fam(assigned_worker="olena"), fam(assigned_worker="petro")
    store.save(mine)
    store.save(theirs)
    assert load_card(store, mine.id, me="olena", today=TODAY).mine  # type: ignore[union-attr]
    assert not load_card(store, theirs.id, me="olena", today=TODAY).mine  # type: ignore[union-attr]


def _conflict(record: Record, field: str, winner: object, loser: object, *,
              winner_author: str, loser_author: str, **kw: object) -> Conflict:
    return Conflict(community=C, record_kind=record.KIND, record_id=record.id, field=field,
                    winner_value=winner, winner_clock=SERVER.now().encode(),
                    winner_author=winner_author, loser_value=loser,
                    loser_clock=SERVER.now().encode(), loser_author=loser_author, **kw)  # type: ignore[arg-type]


def test_open_conflicts_on_the_family_and_its_members(store: LocalStore) -> None:
    f = fam(phone="+380671112233")
    kid = person(f, "Коваленко", "Аня", birth_date=date(2020, 5, 1))
    other = fam()
    store.save(f)
    store.save(kid)
    store.save(other)
    lost_mine = _conflict(f, "phone", "+380501112233", "+380671112233",
                          winner_author="petro", loser_author="olena")
    won_mine = _conflict(kid, "birth_date", "2020-05-01", "2020-06-01",
                         winner_author="olena", loser_author="petro")
    others = _conflict(f, "address", "вул. Нова 1", "вул. Стара 2",
                       winner_author="petro", loser_author="ivan")
    resolved = _conflict(f, "settlement", "А", "Б", winner_author="petro",
                         loser_author="olena", status="resolved", resolved_by="iryna")
    elsewhere = _conflict(other, "phone", "1234567", "7654321",
                          winner_author="petro", loser_author="olena")
    pulled(store, lost_mine, won_mine, others, resolved, elsewhere)
    card = load_card(store, f.id, me="olena", today=TODAY)
    assert card is not None
    assert [(c.record_name, c.field) for c in card.conflicts] == [
        ("Коваленко", "address"), ("Коваленко", "phone"), ("Коваленко Аня", "birth_date")]
    address, phone, birth = card.conflicts
    assert address.mine is None and address.mine_value is None
    assert (phone.mine, phone.mine_value, phone.theirs) == (
        "other", "+380671112233", ("+380501112233", "petro"))
    assert (birth.mine, birth.mine_value, birth.theirs) == ("current", "2020-05-01",
                                                            ("2020-06-01", "petro"))
    assert phone.id == str(lost_mine.id)


def test_conflict_values_in_words() -> None:
    uk = Translator("uk")
    assert conflict_value_words(uk, "birth_date", "2020-05-01") == "01.05.2020"
    assert conflict_value_words(uk, "displaced", True) == "так"
    assert conflict_value_words(uk, "closed", False) == "ні"
    assert conflict_value_words(uk, "phone", None) == "(порожньо)"
    assert conflict_value_words(uk, "role", "guardian") == "опікун або піклувальник"
    assert conflict_value_words(uk, "sex", "female") == "жіноча"
    assert conflict_value_words(uk, "role", "astronaut") == "astronaut"  # unknown: as it is
    assert conflict_value_words(Translator("en"), "sex", "male") == "male"
