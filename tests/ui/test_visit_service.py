"""The visit form's services over a real encrypted store: validation, saving, drafts, amend."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine

from field_app.dates import parse_time, read_date
from field_app.i18n import format_date
from field_app.services import visits
from field_app.services.draft_store import load_draft, visit_key
from field_app.services.problem import LITERAL, Problem
from field_app.services.visit_form import FIELD_ORDER, VisitForm
from field_app.store import LocalStore
from shared_models.clock import HybridClock
from shared_models.merge import FieldState, FieldWrite, RecordState, merge_records
from shared_models.protocol import RecordChange
from shared_models.records import Family, Person, Review, Visit
from tests.ui.stores import real_store

TODAY = date.today()


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = real_store(tmp_path)
    yield s
    s.close()


def add_family(store: LocalStore, **kw: object) -> Family:
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир", **kw)
    store.save(fam)
    return fam


def add_member(store: LocalStore, fam: Family, first: str, born: date | None = None,
               role: str = "child") -> Person:
    p = Person(community="zhytomyrska", family_id=fam.id, last_name=fam.family_name,
               first_name=first, birth_date=born, role=role)  # type: ignore[arg-type]
    store.save(p)
    return p


def filled(form: VisitForm, **kw: object) -> VisitForm:
    form.risk_level = "medium"
    form.services = ["002.0", "010.1"]
    form.child_needs = "Дитина відвідує садок, щеплення за віком."
    for name, value in kw.items():
        setattr(form, name, value)
    return form


def words(problem: Problem) -> str:
    """The Ukrainian text of a problem (literal ones carry it; keyed ones name the key)."""
    return str(problem.params["uk"]) if problem.key == LITERAL else problem.key


# ---- typing dates and times ----------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("22.11.2026", date(2026, 11, 22)), ("2.3.2026", date(2026, 3, 2)),
    (" 22/11/2026 ", date(2026, 11, 22)), ("22.11.26", date(2026, 11, 22)),
    ("31.02.2026", None), ("2026-11-22", date(2026, 11, 22)), ("22.11", None), ("", None),
    ("сьогодні", None),
])
def test_dates_are_typed_as_ukrainians_write_them(text: str, expected: date | None) -> None:
    # One set of rules on every form (field_app.dates): ISO is a date here too.
    assert read_date(text, today=date(2026, 12, 7)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("14:05", (14, 5)), ("9:30", (9, 30)), ("14.05", (14, 5)), ("1405", (14, 5)),
    ("24:00", None), ("12:60", None), ("2 pm", None), ("", None),
])
def test_times_are_24_hour(text: str, expected: tuple[int, int] | None) -> None:
    got = parse_time(text)
    assert (None if got is None else (got.hour, got.minute)) == expected


# ---- validation ----------------------------------------------------------------------------
def test_a_new_form_starts_now_at_home_with_nothing_assessed(store: LocalStore) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    now = datetime.now().astimezone()
    assert opened.form.date_text == format_date(now.date())
    assert parse_time(opened.form.time_text) is not None
    assert opened.form.place == "home" and opened.form.risk_level == ""
    assert opened.restored is None


def test_problems_are_plain_ukrainian_next_to_their_fields_in_screen_order(
        store: LocalStore) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    form = opened.form
    form.date_text = "32.11.2026"
    form.time_text = ""
    form.services = ["002.0", "999.9"]
    form.next_visit_text = "завтра"
    form.others_present = "сусідка\nй ще хтось"       # one line only
    result = visits.save(store, form, opened.draft_key)
    assert not result.ok
    assert list(result.problems) == ["date", "time", "others_present", "services",
                                     "risk_level", "next_visit_date"]
    assert [n for n in FIELD_ORDER if n in result.problems] == list(result.problems)
    assert result.problems["date"] == Problem("visit.err.date")
    assert result.problems["time"] == Problem("err.required")
    assert words(result.problems["services"]) == "Невідома послуга: 999.9"
    assert words(result.problems["others_present"]) == "Текст містить недопустимі символи"
    assert result.problems["risk_level"] == Problem("visit.err.risk")
    assert result.problems["next_visit_date"] == Problem("visit.err.date")
    assert store.all(Visit) == []


def test_a_visit_in_the_future_and_a_next_visit_before_it_are_refused(
        store: LocalStore) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    form = filled(opened.form, date_text=format_date(TODAY + timedelta(days=3)))
    problems = visits.save(store, form, opened.draft_key).problems
    assert words(problems["date"]) == "Час не може бути в майбутньому"
    form.date_text = format_date(TODAY - timedelta(days=2))
    form.next_visit_text = format_date(TODAY - timedelta(days=5))
    problems = visits.save(store, form, opened.draft_key).problems
    assert list(problems) == ["next_visit_date"]
    assert words(problems["next_visit_date"]) == "Наступний візит не може бути раніше цього"
    assert problems["next_visit_date"].params["en"] == "The next visit cannot be before this one"


def test_a_later_hour_today_points_at_the_time_field(store: LocalStore) -> None:
    fam = add_family(store)
    # At 10:00 there is always a later hour today, whenever the suite runs (near midnight too).
    with time_machine.travel(datetime.combine(TODAY, time(10, 0)).astimezone(), tick=True):
        opened = visits.open_new(store, str(fam.id))
        form = filled(opened.form, date_text=format_date(TODAY), time_text="12:00")
        problems = visits.save(store, form, opened.draft_key).problems
    assert list(problems) == ["time"]
    assert words(problems["time"]) == "Час не може бути в майбутньому"


# ---- saving --------------------------------------------------------------------------------
def test_saving_stores_the_visit_with_service_codes_and_moves_the_next_visit(
        store: LocalStore) -> None:
    fam = add_family(store, next_visit_date=TODAY - timedelta(days=3))
    kid = add_member(store, fam, "Марія", date(2019, 3, 1))
    mum = add_member(store, fam, "Олена", date(1990, 1, 1), role="parent")
    opened = visits.open_new(store, str(fam.id))
    assert [m.name for m in opened.members] == ["Коваленко Марія", "Коваленко Олена"]
    form = filled(opened.form, place="school", place_details="Ліцей № 3",
                  present=[str(kid.id), str(mum.id)], others_present="класний керівник",
                  next_visit_text=format_date(TODAY + timedelta(days=14)))
    result = visits.save(store, form, opened.draft_key)
    assert result.ok and result.problems == {}
    stored = store.get(Visit, form.visit_id)
    assert stored is not None
    assert stored.services == ["002.0", "010.1"]
    assert stored.present == [kid.id, mum.id]
    assert stored.risk_level.value == "medium" and stored.author == "olena"
    assert stored.place.value == "school" and stored.place_details == "Ліцей № 3"
    family_now = store.get(Family, fam.id)
    assert family_now is not None and family_now.next_visit_date == TODAY + timedelta(days=14)
    assert str(stored.id) in store.unsynced_ids()


def test_saving_twice_after_a_crash_stores_one_visit(store: LocalStore) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    form = filled(opened.form)
    assert visits.save(store, form, opened.draft_key).ok
    assert visits.save(store, form, opened.draft_key).ok
    assert len(store.all(Visit)) == 1


def test_a_visit_without_a_next_date_clears_the_plan_it_fulfilled(store: LocalStore) -> None:
    fam = add_family(store, next_visit_date=TODAY - timedelta(days=1))
    opened = visits.open_new(store, str(fam.id))
    assert visits.save(store, filled(opened.form), opened.draft_key).ok
    assert store.get(Family, fam.id).next_visit_date is None  # type: ignore[union-attr]
    later = add_family(store, next_visit_date=TODAY + timedelta(days=20))
    opened = visits.open_new(store, str(later.id))
    assert visits.save(store, filled(opened.form), opened.draft_key).ok
    assert store.get(Family, later.id).next_visit_date == TODAY + timedelta(days=20)  # type: ignore[union-attr]


def test_amending_an_older_visit_does_not_move_the_plan(store: LocalStore) -> None:
    fam = add_family(store)
    old = visits.open_new(store, str(fam.id))
    filled(old.form, date_text=format_date(TODAY - timedelta(days=30)),
           next_visit_text=format_date(TODAY - timedelta(days=10)))
    assert visits.save(store, old.form, old.draft_key).ok
    new = visits.open_new(store, str(fam.id))
    filled(new.form, next_visit_text=format_date(TODAY + timedelta(days=7)))
    assert visits.save(store, new.form, new.draft_key).ok
    amend = visits.open_amend(store, str(fam.id), old.form.visit_id)
    amend.form.next_visit_text = format_date(TODAY - timedelta(days=9))
    assert visits.save(store, amend.form, amend.draft_key).ok
    assert store.get(Family, fam.id).next_visit_date == TODAY + timedelta(days=7)  # type: ignore[union-attr]


def test_unknown_family_or_visit_is_not_found(store: LocalStore) -> None:
    with pytest.raises(visits.NotFound):
        visits.open_new(store, "a1")
    with pytest.raises(visits.NotFound):
        visits.open_new(store, str(uuid.uuid4()))
    fam = add_family(store)
    with pytest.raises(visits.NotFound):
        visits.details(store, str(fam.id), str(uuid.uuid4()))


# ---- drafts --------------------------------------------------------------------------------
def test_drafts_are_restored_discarded_and_deleted_by_the_save(
        store: LocalStore, tmp_path: Path) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    filled(opened.form, child_needs="Потрібна консультація логопеда — Гречка")
    visits.write_draft(store, opened.draft_key, opened.form.to_draft())
    # The draft is sealed: the typed words are nowhere in the database files.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))
    assert "Гречка".encode() not in raw and b"child_needs" not in raw
    again = visits.open_new(store, str(fam.id))
    assert again.restored is not None
    assert again.form == opened.form                        # every value, the id too
    assert (datetime.now(again.restored.saved_at.tzinfo) - again.restored.saved_at
            ) < timedelta(minutes=1)
    visits.discard(store, again.draft_key)
    fresh = visits.open_new(store, str(fam.id))
    assert fresh.restored is None and fresh.form.child_needs == ""
    assert fresh.form.visit_id != opened.form.visit_id
    visits.write_draft(store, fresh.draft_key, filled(fresh.form).to_draft())
    assert visits.save(store, fresh.form, fresh.draft_key).ok
    assert load_draft(store, visit_key(str(fam.id))) is None


def test_a_draft_survives_lock_and_unlock(store: LocalStore) -> None:
    fam = add_family(store)
    opened = visits.open_new(store, str(fam.id))
    filled(opened.form, next_steps="Зустріч у ЦНАП у вівторок")
    visits.write_draft(store, opened.draft_key, opened.form.to_draft())
    store.lock()
    store.unlock("246810")
    assert visits.open_new(store, str(fam.id)).form.next_steps == "Зустріч у ЦНАП у вівторок"


# ---- view and amend ------------------------------------------------------------------------
def _recorded(store: LocalStore) -> tuple[Family, VisitForm]:
    fam = add_family(store)
    kid = add_member(store, fam, "Марія", date(2019, 3, 1))
    opened = visits.open_new(store, str(fam.id))
    form = filled(opened.form, present=[str(kid.id)], next_steps="Оформити допомогу")
    assert visits.save(store, form, opened.draft_key).ok
    return fam, form


def test_details_show_present_names_reviews_and_sync_state(store: LocalStore) -> None:
    fam, form = _recorded(store)
    now = datetime.now().astimezone()
    store.save(Review(community="zhytomyrska", target_kind="visit", target_id=form.visit_id,  # type: ignore[arg-type]
                      decision="returned", comment="Уточніть, хто був присутній",  # type: ignore[arg-type]
                      reviewer="iryna", reviewed_at=now - timedelta(minutes=5)))
    store.save(Review(community="zhytomyrska", target_kind="visit", target_id=form.visit_id,  # type: ignore[arg-type]
                      decision="approved", reviewer="iryna", reviewed_at=now))  # type: ignore[arg-type]
    d = visits.details(store, str(fam.id), form.visit_id)
    assert d.present == ["Коваленко Марія"]
    assert [r.decision.value for r in d.reviews] == ["returned", "approved"]
    assert d.reviews[0].comment == "Уточніть, хто був присутній"
    assert d.synced is False and d.can_amend is True
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    assert visits.details(store, str(fam.id), form.visit_id).synced is True


def test_only_the_author_may_amend(store: LocalStore) -> None:
    fam, form = _recorded(store)
    store.set_user("petro")
    assert visits.details(store, str(fam.id), form.visit_id).can_amend is False
    with pytest.raises(visits.NotAuthor):
        visits.open_amend(store, str(fam.id), form.visit_id)


def test_amend_writes_only_the_fields_changed(store: LocalStore) -> None:
    fam, form = _recorded(store)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    amend = visits.open_amend(store, str(fam.id), form.visit_id)
    assert amend.form.amending and amend.form.risk_level == "medium"
    assert amend.form.date_text == form.date_text and amend.form.time_text == form.time_text
    amend.form.risk_level = "high"
    amend.form.toggle_service("012.0")
    assert visits.save(store, amend.form, amend.draft_key).ok
    (change,) = store.pending_changes()
    assert set(change.writes) == {"risk_level", "services"}
    assert store.get(Visit, form.visit_id).services == ["002.0", "010.1", "012.0"]  # type: ignore[union-attr]
    unchanged = visits.open_amend(store, str(fam.id), form.visit_id)
    assert visits.save(store, unchanged.form, unchanged.draft_key).ok
    assert store.pending_count() == 1                      # nothing changed: nothing written


SERVER = HybridClock("server", max_drift_ms=None)


def _pulled_edit(store: LocalStore, visit_id: str, **values: object) -> RecordState:
    """A colleague's edit of the visit arriving from the server (it saw the current state);
    returns the server's state of the visit after it."""
    snap = store.snapshot(Visit, visit_id)
    assert snap is not None
    loaded = snap.values()
    state = RecordState(visit_id, "visit", "zhytomyrska", {   # the server's copy, as pulled
        n: FieldState.of(FieldWrite(loaded[n], c, (), "olena")) for n, c in snap.clocks.items()})
    fields = {}
    for name, value in values.items():
        seen = state.fields[name].clock
        fields[name] = FieldState.of(FieldWrite(value, SERVER.receive(seen).encode(), (seen,),
                                                "supervisor"))
    merged = merge_records(state, RecordState(visit_id, "visit", "zhytomyrska", fields))
    store.apply_pull([RecordChange.of(
        visit_id, "visit", "zhytomyrska", 5,
        {n: (fs.value, fs.clock, fs.current.author) for n, fs in merged.fields.items()})],
        {"zhytomyrska": 5})
    return merged


def test_a_concurrent_edit_survives_an_amend_or_becomes_a_conflict(store: LocalStore) -> None:
    fam, form = _recorded(store)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    amend = visits.open_amend(store, str(fam.id), form.visit_id)   # the worker opens the form
    saw = amend.form.seen["child_needs"][1]  # type: ignore[index]
    server = _pulled_edit(store, form.visit_id, next_steps="Оформити допомогу до 01.12",
                          child_needs="Уточнено на нараді")         # a sync brings an edit
    amend.form.child_needs = "Моє уточнення"                        # the same field: conflict
    amend.form.risk_level = "low"                                   # another field: just mine
    assert visits.save(store, amend.form, amend.draft_key).ok
    stored = store.get(Visit, form.visit_id)
    assert stored is not None
    assert stored.next_steps == "Оформити допомогу до 01.12"       # not silently overwritten
    assert stored.risk_level.value == "low"
    assert stored.child_needs == "Моє уточнення"
    (change,) = store.pending_changes()
    assert set(change.writes) == {"child_needs", "risk_level"}
    # Each write supersedes what the worker saw, not the colleague's value it never saw...
    assert change.writes["child_needs"].supersedes == (saw,)
    # ...so when the server merges the push, the colleague's text is kept as a conflict.
    on_server = merge_records(server, change.to_state())
    conflicts = on_server.conflicts()
    assert list(conflicts) == ["child_needs"]
    assert [w.value for w in conflicts["child_needs"]] == ["Уточнено на нараді"]
    assert on_server.values()["next_steps"] == "Оформити допомогу до 01.12"


def test_an_amend_draft_keeps_what_the_worker_saw(store: LocalStore) -> None:
    fam, form = _recorded(store)
    amend = visits.open_amend(store, str(fam.id), form.visit_id)
    amend.form.next_steps = "Змінено в чернетці"
    visits.write_draft(store, amend.draft_key, amend.form.to_draft())
    _pulled_edit(store, form.visit_id, risk_level="high")
    again = visits.open_amend(store, str(fam.id), form.visit_id)
    assert again.restored is not None and again.form.seen == amend.form.seen
    assert visits.save(store, again.form, again.draft_key).ok
    stored = store.get(Visit, form.visit_id)
    assert stored is not None
    assert stored.risk_level.value == "high" and stored.next_steps == "Змінено в чернетці"
