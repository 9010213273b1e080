"""A foster-care placement travels between phones like any record (real server, real stores)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared_models.enums import PersonRole
from shared_models.foster_care import add_months, stay_limit
from shared_models.records import Family, Person, Placement
from tests.sync.conftest import Device


def test_a_placement_and_its_extension_reach_the_other_phone(
        make_device: Callable[..., Device]) -> None:
    olena_store, olena = make_device("olena")
    iryna_store, iryna = make_device("iryna")
    today = datetime.now(UTC).date()
    start = today - timedelta(days=80)
    birth = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    foster = Family(community="malynska", family_name="Петренко", settlement="Гранітне",
                    foster_family=True)
    child = Person(community="malynska", family_id=birth.id, last_name="Коваленко",
                   first_name="Марко", role=PersonRole.CHILD)
    placement = Placement(community="malynska", child_id=child.id, foster_family_id=foster.id,
                          birth_family_id=birth.id, start_date=start,
                          planned_end=stay_limit(start), order_reference="Наказ № 7")
    for record in (birth, foster, child, placement):
        olena_store.save(record)
    report = olena.sync()
    assert report.pushed == 4 and report.rejected == 0
    iryna.sync()
    got = iryna_store.get(Placement, placement.id)
    assert got == placement
    # The supervisor records the guardianship authority's extension; the worker sees it.
    extended = got.model_copy(update={"extension_decision_date": today,
                                      "extended_end": add_months(start, 6)})
    iryna_store.save(extended)
    assert iryna.sync().pushed == 1
    olena.sync()
    mine = olena_store.get(Placement, placement.id)
    assert mine is not None and mine.extended_end == add_months(start, 6)
    assert mine.order_reference == "Наказ № 7" and not olena_store.unsynced_ids()


def test_a_placement_with_a_wrong_reference_is_held_not_lost(
        make_device: Callable[..., Device]) -> None:
    store, client = make_device("olena")
    family = Family(community="malynska", family_name="Бойко", settlement="Малин")
    child = Person(community="malynska", family_id=family.id, last_name="Бойко",
                   first_name="Іра", role=PersonRole.CHILD)
    start = datetime.now(UTC).date() - timedelta(days=3)
    # Not a foster family: the server refuses it, the phone keeps it for the worker to fix.
    placement = Placement(community="malynska", child_id=child.id, foster_family_id=family.id,
                          start_date=start, planned_end=stay_limit(start))
    for record in (family, child, placement):
        store.save(record)
    report = client.sync()
    assert report.rejected == 1
    [held] = client.attention()
    assert held.record_id == str(placement.id)
    assert held.reason.startswith("foster_family_id: Ця сім'я не позначена як патронатна")
    assert store.get(Placement, placement.id) is not None      # still on the phone
