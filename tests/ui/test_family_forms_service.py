"""The family and member forms over a real encrypted store: checks, saves, concurrent edits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.dates import BadDate, parse_date
from field_app.services.family_forms import (
    FamilyForm,
    FormInvalid,
    MemberForm,
    RecordGone,
    remove_member,
)
from field_app.services.problem import Problem
from field_app.store import LocalStore
from shared_models.clock import HybridClock
from shared_models.enums import PersonRole, Sex
from shared_models.merge import merge_records
from shared_models.protocol import RecordChange
from shared_models.records import Family, Person
from tests.ui.stores import real_store

C = "zhytomyrska"
SERVER = HybridClock("server", max_drift_ms=None)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = real_store(tmp_path)
    yield s  # type: ignore[misc]
    s.close()


def uk(problems: dict[str, Problem]) -> dict[str, str]:
    return {k: str(p.params["uk"]) for k, p in problems.items()}


def filled(**kw: str) -> FamilyForm:
    form = FamilyForm.new(me="olena", communities=[C])
    form.family_name, form.settlement = "Коваленко", "Житомир"
    for k, v in kw.items():
        form.set(k, v)
    return form


def colleague_edits(store: LocalStore, record_id: uuid.UUID, kind: str, position: int,
                    **values: object) -> RecordChange:
    """A colleague's edit arriving with a pull: the server's current values and clocks."""
    stamp = SERVER.receive(store.clock.now().encode()).encode()
    change = RecordChange.of(record_id, kind, C, position,
                             {n: (v, stamp, "petro") for n, v in values.items()})
    store.apply_pull([change], {C: position})
    return change


# ---- dates ---------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("22.11.2026", date(2026, 11, 22)), ("2.3.2026", date(2026, 3, 2)),
    (" 22/11/2026 ", date(2026, 11, 22)), ("22-11-2026", date(2026, 11, 22)),
    ("2026-11-22", date(2026, 11, 22)), ("", None), ("   ", None),
])
def test_dates_typed_as_ukrainians_write_them(text: str, value: date | None) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize("text", ["31.11.2026", "22.13.2026", "22.11.226", "завтра", "22 11"])
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(BadDate):
        parse_date(text)


# ---- the family form ------------------------------------------------------------------
def test_one_community_is_chosen_several_are_offered() -> None:
    one = FamilyForm.new(me="olena", communities=[C])
    assert one.community == C and not one.choose_community
    assert one.assigned_worker == "olena"
    several = FamilyForm.new(me="koord", communities=[C, "malynska"])
    assert several.community == "" and several.choose_community
    several.family_name, several.settlement = "Бондар", "Малин"
    with pytest.raises(FormInvalid) as exc:
        several.check()
    assert uk(exc.value.errors) == {"community": "Обов'язкове поле"}
    several.set("community", "malynska")
    assert several.check().community.value == "malynska"
    several.set("community", "pulynska")   # not one of the account's communities
    with pytest.raises(FormInvalid) as exc:
        several.check()
    assert uk(exc.value.errors) == {"community": "Невідома громада"}


def test_errors_next_to_the_fields_in_plain_ukrainian() -> None:
    form = FamilyForm.new(me="olena", communities=[C])
    form.set("phone", "дзвоніть сусідці")
    form.set("consent_date", "31.02.2026")
    form.set("next_visit_date", f"{date.today() + timedelta(days=7):%d.%m.%Y}")
    with pytest.raises(FormInvalid):
        form.check()
    assert uk(form.errors) == {
        "family_name": "Заповніть це поле",
        "settlement": "Заповніть це поле",
        "phone": "Номер телефону: цифри, +, дужки, дефіс (7–20 знаків)",
        "consent_date": "Неправильна дата (ДД.ММ.РРРР)",
    }
    assert form.errors["family_name"].params["en"] == "Please fill in this field"
    assert form.first_error() == "family_name"
    form.set("family_name", "Коваленко")
    assert "family_name" not in form.errors   # cleared as the worker corrects it


def test_consent_needs_both_date_and_who() -> None:
    with pytest.raises(FormInvalid) as exc:
        filled(consent_date="01.02.2026").check()
    assert uk(exc.value.errors) == {"consent_by": "Вкажіть і дату згоди, і хто її надав"}
    with pytest.raises(FormInvalid) as exc:
        filled(consent_by="Коваленко Марія").check()
    assert uk(exc.value.errors) == {"consent_date": "Вкажіть і дату згоди, і хто її надав"}
    future = (date.today() + timedelta(days=30)).strftime("%d.%m.%Y")
    with pytest.raises(FormInvalid) as exc:
        filled(consent_date=future, consent_by="Коваленко Марія").check()
    assert uk(exc.value.errors) == {"consent_date": "Дата не може бути в майбутньому"}
    ok = filled(consent_date="01.02.2026", consent_by="Коваленко Марія").check()
    assert isinstance(ok, Family)
    assert (ok.consent_date, ok.consent_by) == (date(2026, 2, 1), "Коваленко Марія")
    assert filled().check().consent_date is None   # neither: fine (the card warns)


def test_a_new_familys_next_visit_cannot_be_in_the_past(store: LocalStore) -> None:
    today = date(2026, 11, 25)
    form = filled(next_visit_date="24.11.2026")
    form._today = today
    with pytest.raises(FormInvalid):
        form.save(store)
    assert form.errors["next_visit_date"] == Problem("family.err.next_visit_past")
    assert store.all(Family) == []
    assert form.next_visit_earliest == today         # the calendar starts today
    form.set("next_visit_date", "25.11.2026")        # today is fine
    assert form.save(store) is not None
    assert store.all(Family)[0].next_visit_date == today


def test_an_unchanged_old_next_visit_does_not_block_other_edits(store: LocalStore) -> None:
    today = date(2026, 11, 25)
    f = Family(community=C, family_name="Коваленко", settlement="Житомир",
               next_visit_date=date(2026, 11, 20))          # overdue, kept as it was
    store.save(f)
    form = FamilyForm.load(store, f.id)
    assert form is not None
    form._today = today
    assert form.next_visit_earliest == date(2026, 11, 20)  # the calendar can show it
    form.set("phone", "+380501112233")
    assert form.save(store) == f.id
    form = FamilyForm.load(store, f.id)
    assert form is not None
    form._today = today
    form.set("next_visit_date", "21.11.2026")              # moved, but still to a past day
    with pytest.raises(FormInvalid):
        form.save(store)
    assert set(form.errors) == {"next_visit_date"}
    form.set("next_visit_date", "02.12.2026")
    assert form.save(store) == f.id
    assert store.get(Family, f.id).next_visit_date == date(2026, 12, 2)  # type: ignore[union-attr]


def test_saving_a_new_family_twice_stores_one(store: LocalStore) -> None:
    planned = date.today() + timedelta(days=6)
    form = filled(address="вул. Лесі Українки, 5", phone="+380 67 123 45 67",
                  next_visit_date=f"{planned:%d.%m.%Y}", displaced=True)  # type: ignore[arg-type]
    fid = form.save(store)
    assert fid is not None
    assert form.save(store) == fid        # a second tap saves nothing new
    (stored,) = store.all(Family)
    assert stored.id == fid
    assert (stored.family_name, stored.address, stored.phone, stored.displaced,
            stored.next_visit_date, stored.assigned_worker, stored.community.value) == (
        "Коваленко", "вул. Лесі Українки, 5", "+380 67 123 45 67", True, planned, "olena", C)
    assert store.pending_count() == 1 and str(fid) in store.unsynced_ids()


def test_an_edit_writes_only_what_the_worker_changed(store: LocalStore) -> None:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир", phone="+380671234567")
    store.save(f)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    form = FamilyForm.load(store, f.id)
    assert form is not None and form.editing and not form.choose_community
    assert (form.family_name, form.phone, form.consent_date) == ("Коваленко", "+380671234567", "")
    assert form.save(store) is None            # nothing changed, nothing written
    form.set("phone", "+380501112233")
    form.set("closed", True)
    assert form.save(store) == f.id
    (change,) = store.pending_changes()
    assert set(change.writes) == {"phone", "closed"}
    assert store.get(Family, f.id).closed  # type: ignore[union-attr]


def test_a_concurrent_edit_becomes_a_conflict_not_a_silent_overwrite(store: LocalStore) -> None:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир",
               phone="+380671234567", address="вул. Стара, 1")
    store.save(f)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    form = FamilyForm.load(store, f.id)        # the worker opens the form...
    assert form is not None
    seen = dict(form.snapshot.clocks)  # type: ignore[union-attr]
    # ...meanwhile a sync brings a colleague's edit of the phone and the address.
    theirs = colleague_edits(store, f.id, "family", 5, phone="+380509998877",
                             address="вул. Нова, 2")
    form.set("phone", "+380631112233")          # the worker changes the phone too
    assert form.save(store) == f.id
    (mine,) = store.pending_changes()
    # Only the phone is written, and it supersedes what was on screen, not the colleague's.
    assert set(mine.writes) == {"phone"}
    assert mine.writes["phone"].supersedes == (seen["phone"],)
    assert theirs.writes()["phone"].clock not in mine.writes["phone"].supersedes
    # The address the worker never touched keeps the colleague's value.
    assert store.get(Family, f.id).address == "вул. Нова, 2"  # type: ignore[union-attr]
    # On the server the two phones meet: the merge keeps the colleague's as a conflict.
    server = merge_records(theirs.to_state(), mine.to_mutation().to_state(author="olena"))
    (lost,) = server.conflicts()["phone"]
    assert (lost.value, lost.author) == ("+380509998877", "petro")
    assert server.values()["phone"] == "+380631112233"


def test_without_the_snapshot_the_same_save_would_overwrite_silently(store: LocalStore) -> None:
    """Why the form keeps its snapshot: a plain save supersedes the colleague's value."""
    f = Family(community=C, family_name="Коваленко", settlement="Житомир", phone="+380671234567")
    store.save(f)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    loaded = store.get(Family, f.id)
    assert loaded is not None
    theirs = colleague_edits(store, f.id, "family", 5, phone="+380509998877")
    loaded.phone = "+380631112233"
    store.save(loaded)
    (mine,) = store.pending_changes()
    server = merge_records(theirs.to_state(), mine.to_mutation().to_state(author="olena"))
    assert server.conflicts() == {}          # the colleague's phone is gone without a trace


def test_editing_a_family_that_was_deleted_meanwhile(store: LocalStore) -> None:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир")
    store.save(f)
    form = FamilyForm.load(store, f.id)
    assert form is not None
    store.delete(Family, f.id)
    form.set("address", "вул. Нова, 2")
    with pytest.raises(RecordGone):
        form.save(store)
    assert FamilyForm.load(store, f.id) is None
    assert FamilyForm.load(store, uuid.uuid4()) is None


# ---- the member form ------------------------------------------------------------------
def test_a_new_member_with_typed_birth_date(store: LocalStore) -> None:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир")
    store.save(f)
    form = MemberForm.new(f)
    with pytest.raises(FormInvalid):
        form.check()
    assert uk(form.errors) == {"last_name": "Заповніть це поле",
                               "first_name": "Заповніть це поле"}
    form.set("last_name", "Коваленко")
    form.set("first_name", "Аня")
    form.set("birth_date", "22.11.2030")
    with pytest.raises(FormInvalid):
        form.check()
    assert uk(form.errors) == {"birth_date": "Дата не може бути в майбутньому"}
    form.set("birth_date", "05.01.2020")
    form.set("sex", "female")
    form.set("special_educational_needs", True)
    pid = form.save(store)
    p = store.get(Person, pid)  # type: ignore[arg-type]
    assert p is not None
    assert (p.family_id, p.last_name, p.first_name, p.patronymic, p.birth_date, p.sex, p.role,
            p.special_educational_needs, p.disability) == (
        f.id, "Коваленко", "Аня", None, date(2020, 1, 5), Sex.FEMALE, PersonRole.CHILD,
        True, False)


def test_editing_and_removing_a_member(store: LocalStore) -> None:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир")
    p = Person(community=C, family_id=f.id, last_name="Коваленко", first_name="Петро",
               role=PersonRole.PARENT, sex=Sex.MALE)
    store.save(f)
    store.save(p)
    form = MemberForm.load(store, p.id)
    assert form is not None
    assert (form.role, form.sex, form.birth_date, form.name) == ("parent", "male", "",
                                                                 "Коваленко Петро")
    form.set("sex", "")                          # "not given"
    form.set("disability", True)
    assert form.save(store) == p.id
    got = store.get(Person, p.id)
    assert got is not None and got.sex is None and got.disability
    assert remove_member(store, p.id)
    assert store.get(Person, p.id) is None
    assert not remove_member(store, p.id)         # already gone
    deleted = store.get(Person, p.id, include_deleted=True)
    assert deleted is not None and deleted.deleted   # a tombstone, synced like an edit
    assert MemberForm.load(store, p.id) is None
