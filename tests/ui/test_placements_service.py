"""Placements for the screens: rows, the form's choices, validation and saving (real store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from field_app.dates import parse_date
from field_app.i18n import format_date
from field_app.services import placement_form as pf
from field_app.services.placements import placement_rows
from field_app.store import LocalStore
from shared_models.enums import PersonRole, PlacementOutcome
from shared_models.foster_care import PlacementLevel, add_months, stay_limit
from shared_models.records import Family, Person, Placement
from tests.ui.stores import real_store

TODAY = datetime.now(UTC).date()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, communities=("malynska",))
    yield s
    s.close()


@pytest.fixture
def people(store: LocalStore) -> dict[str, str]:
    birth = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    other = Family(community="malynska", family_name="Бойко", settlement="Ворсівка")
    foster = Family(community="malynska", family_name="Петренко", settlement="Гранітне",
                    foster_family=True)
    kids = [Person(community="malynska", family_id=birth.id, last_name="Коваленко",
                   first_name="Марко", role=PersonRole.CHILD),
            Person(community="malynska", family_id=birth.id, last_name="Коваленко",
                   first_name="Олег", role=PersonRole.PARENT),
            Person(community="malynska", family_id=other.id, last_name="Бойко",
                   first_name="Іра", role=PersonRole.CHILD)]
    for r in (birth, other, foster, *kids):
        store.save(r)
    return {"birth": str(birth.id), "other": str(other.id), "foster": str(foster.id),
            "marko": str(kids[0].id), "ira": str(kids[2].id)}


def test_dates_are_read_as_ukrainians_write_them() -> None:
    assert parse_date("22.11.2026") == datetime(2026, 11, 22).date()
    assert parse_date(" 1/2/2026 ") == datetime(2026, 2, 1).date()
    assert parse_date("") is None
    for bad in ("31.02.2026", "2026-22-11", "22.11.2026 р.", "завтра"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_a_new_placement_from_the_childs_family_card(store: LocalStore,
                                                      people: dict[str, str]) -> None:
    form = pf.new_form(store, people["birth"], TODAY)
    assert form.birth_family_id == people["birth"] and form.foster_family_id == ""
    assert form.start_date == format_date(TODAY)
    assert form.planned_end == format_date(stay_limit(TODAY))
    assert form.limit_hint() == format_date(stay_limit(TODAY))
    c = pf.choices(store, form)
    assert [x.label for x in c.children] == ["Коваленко Марко"]  # not the parent
    assert [x.value for x in c.foster_families] == [people["foster"]]
    assert {x.value for x in c.birth_families} == {people["birth"], people["other"]}
    assert pf.save(store, form) is None
    assert form.errors["child_id"].key == "err.required"
    assert form.errors["foster_family_id"].key == "err.required"
    form.child_id, form.foster_family_id = people["marko"], people["foster"]
    form.order_reference = "Наказ ССД № 4"
    saved = pf.save(store, form)
    assert saved is not None and str(saved.id) == form.placement_id
    stored = store.get(Placement, saved.id)
    assert stored is not None and stored.order_reference == "Наказ ССД № 4"
    assert str(stored.id) in store.unsynced_ids()


def test_a_new_placement_from_the_foster_familys_card_offers_every_child(
        store: LocalStore, people: dict[str, str]) -> None:
    form = pf.new_form(store, people["foster"], TODAY)
    assert form.foster_family_id == people["foster"] and form.birth_family_id == ""
    assert {x.value for x in pf.choices(store, form).children} == {people["marko"],
                                                                   people["ira"]}


def test_the_legal_limits_and_wrong_dates_are_shown_at_their_fields(
        store: LocalStore, people: dict[str, str]) -> None:
    form = pf.new_form(store, people["birth"], TODAY)
    form.child_id, form.foster_family_id = people["marko"], people["foster"]
    form.planned_end = format_date(stay_limit(TODAY) + timedelta(days=1))
    form.ended_on = "31.02.2026"
    assert pf.save(store, form) is None
    assert form.errors["planned_end"].params["uk"] == (
        f"Не пізніше {format_date(stay_limit(TODAY))}: патронат триває до 3 місяців від початку")
    assert form.errors["planned_end"].params["en"].startswith("No later than")
    assert form.errors["ended_on"].params["uk"] == "Неправильна дата (ДД.ММ.РРРР)"
    form.planned_end, form.ended_on = format_date(TODAY + timedelta(days=30)), ""
    form.foster_family_id = people["other"]                 # not a foster family
    assert pf.save(store, form) is None
    assert form.errors == {"foster_family_id": form.errors["foster_family_id"]}
    assert form.errors["foster_family_id"].params["uk"] == "Ця сім'я не позначена як патронатна"
    assert store.all(Placement) == []


def test_extending_and_ending_a_placement(store: LocalStore, people: dict[str, str]) -> None:
    start = TODAY - timedelta(days=85)
    form = pf.new_form(store, people["foster"], TODAY)
    form.child_id, form.birth_family_id = people["marko"], people["birth"]
    form.start_date, form.planned_end = format_date(start), format_date(stay_limit(start))
    assert pf.save(store, form) is not None
    [row] = placement_rows(store, today=TODAY, family_id=people["birth"])
    assert row.term.level is PlacementLevel.NEAR and row.term.can_extend
    assert row.child_name == "Коваленко Марко" and row.foster_family_name == "Петренко"
    assert row.birth_family_name == "Коваленко" and row.unsynced
    edit = pf.edit_form(store, people["foster"], row.id)
    edit.extension_decision_date = format_date(TODAY)
    edit.extended_end = format_date(add_months(start, 6))
    assert pf.save(store, edit) is not None
    [row] = placement_rows(store, today=TODAY, family_id=people["foster"])
    assert row.term.level is PlacementLevel.OK and row.term.extended
    ended = pf.edit_form(store, people["foster"], row.id)
    ended.ended_on = format_date(TODAY)
    assert pf.save(store, ended) is None and "outcome" in ended.errors
    ended.outcome = PlacementOutcome.RETURNED_HOME.value
    assert pf.save(store, ended) is not None
    [row] = placement_rows(store, today=TODAY)
    assert row.term.level is PlacementLevel.ENDED and row.outcome is PlacementOutcome.RETURNED_HOME
    assert placement_rows(store, today=TODAY, family_id=people["other"]) == []


def test_rows_put_the_most_urgent_first(store: LocalStore, people: dict[str, str]) -> None:
    def add(days_ago: int, **kw: object) -> None:
        start = TODAY - timedelta(days=days_ago)
        store.save(Placement(community="malynska", child_id=people["ira"],
                             foster_family_id=people["foster"], start_date=start,
                             planned_end=kw.pop("planned_end", stay_limit(start)), **kw))

    add(10)                                                  # ok
    add(100)                                                 # overdue
    add(85)                                                  # near
    add(120, ended_on=TODAY - timedelta(days=2), outcome="next_placement")
    levels = [r.term.level for r in placement_rows(store, today=TODAY)]
    assert levels == [PlacementLevel.OVERDUE, PlacementLevel.NEAR, PlacementLevel.OK,
                      PlacementLevel.ENDED]


def test_unknown_family_or_placement_is_not_found(store: LocalStore) -> None:
    with pytest.raises(pf.NotFound):
        pf.new_form(store, "00000000-0000-4000-8000-000000000000", TODAY)
    with pytest.raises(pf.NotFound):
        pf.edit_form(store, "x", "00000000-0000-4000-8000-000000000000")
