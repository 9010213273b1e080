"""Foster-care placements on the server (SQLite and PostgreSQL): typed rows, references,
validation messages, permissions and history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from shared_models.enums import RecordKind, Role
from shared_models.foster_care import stay_limit
from sync_server.db import read_tx
from sync_server.history import field_writes
from sync_server.settings import Settings
from sync_server.tables import KIND_TABLES
from tests.server.appclient import AppClient
from tests.server.helpers import (
    ZH,
    ZV,
    Device,
    family_fields,
    foster_setup,
    login,
    make_user,
    mutation,
    placement_fields,
)


@pytest.fixture
def worker(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


def results(r: object) -> list[dict[str, object]]:
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    return list(r.json()["results"])  # type: ignore[attr-defined]


def test_a_placement_is_stored_typed_and_pulled(worker: Device, engine: Engine) -> None:
    setup, birth, foster, child = foster_setup(ZH, worker.stamp())
    p = mutation("placement", ZH, placement_fields(child, foster, birth_family_id=birth,
                                                   order_reference="Наказ ССД № 12"),
                 worker.stamp())
    assert [r["status"] for r in results(worker.push([*setup, p]))] == ["applied"] * 4
    table = KIND_TABLES[RecordKind.PLACEMENT]
    with read_tx(engine) as conn:
        row = conn.execute(select(table).where(table.c.id == uuid.UUID(p["record_id"]))).one()
    assert str(row.child_id) == child and str(row.foster_family_id) == foster
    assert str(row.birth_family_id) == birth and row.order_reference == "Наказ ССД № 12"
    assert row.planned_end.isoformat() == p["fields"]["planned_end"]["value"]
    pulled = {c["record_id"]: c for c in worker.pull_all()}
    assert pulled[p["record_id"]]["kind"] == "placement"
    # An extension is an ordinary edit: history keeps who moved the end, from what.
    decision = datetime.now(UTC).date().isoformat()
    start = datetime.fromisoformat(p["fields"]["start_date"]["value"]).date()
    new_end = (stay_limit(start) + timedelta(days=30)).isoformat()
    ext = mutation("placement", ZH, {"extension_decision_date": decision,
                                     "extended_end": new_end}, worker.stamp(),
                   record_id=p["record_id"])
    assert [r["status"] for r in results(worker.push([ext]))] == ["applied"]
    with read_tx(engine) as conn:
        assert conn.execute(select(table.c.extended_end)).scalar_one().isoformat() == new_end
        hist = [(w.author, w.previous_value) for w in field_writes(conn)
                if w.field == "extended_end"]
    assert hist == [("olena", None)]


def test_legal_limits_are_refused_with_the_readable_message(worker: Device) -> None:
    setup, _birth, foster, child = foster_setup(ZH, worker.stamp())
    fields = placement_fields(child, foster)
    start = datetime.fromisoformat(fields["start_date"]).date()
    fields["planned_end"] = (stay_limit(start) + timedelta(days=1)).isoformat()
    r = results(worker.push([*setup, mutation("placement", ZH, fields, worker.stamp())]))
    assert r[3]["status"] == "rejected" and r[3]["code"] == "validation_error"
    limit = stay_limit(start).strftime("%d.%m.%Y")
    assert r[3]["reason"] == (f"planned_end: Не пізніше {limit}: патронат триває до 3 місяців "
                              "від початку")


def test_references_must_be_a_child_and_a_foster_family_of_the_community(
        worker: Device, client: AppClient, engine: Engine, settings: Settings) -> None:
    setup, birth, foster, child = foster_setup(ZH, worker.stamp())
    assert {r["status"] for r in results(worker.push(setup))} == {"applied"}
    cases = {
        "not a foster family": (placement_fields(child, birth),
                                "foster_family_id: Ця сім'я не позначена як патронатна"),
        "child unknown": (placement_fields(str(uuid.uuid4()), foster),
                          "child_id: Такого запису немає в цій громаді"),
        "child is a family": (placement_fields(birth, foster),
                              "child_id: Такого запису немає в цій громаді"),
        "birth family unknown": (placement_fields(child, foster, birth_family_id=child),
                                 "birth_family_id: Такого запису немає в цій громаді"),
    }
    for name, (fields, reason) in cases.items():
        [r] = results(worker.push([mutation("placement", ZH, fields, worker.stamp())]))
        assert r["status"] == "rejected", name
        assert str(r["reason"]).startswith(reason), (name, r["reason"])
    # A foster family of another community does not count, even for a coordinator.
    make_user(engine, settings, "koord", Role.COORDINATOR)
    coord = Device(client, login(client, "koord"), "koord-pc")
    other = mutation("family", ZV, family_fields("Сидоренко", foster_family=True), coord.stamp())
    assert results(coord.push([other]))[0]["status"] == "applied"
    [r] = results(coord.push([mutation("placement", ZH,
                                       placement_fields(child, other["record_id"]),
                                       coord.stamp())]))
    assert r["status"] == "rejected" and str(r["reason"]).startswith("foster_family_id")
    # Editing the dates alone does not re-check references (the family may change later).
    good = mutation("placement", ZH, placement_fields(child, foster), worker.stamp())
    assert results(worker.push([good]))[0]["status"] == "applied"
    unmark = mutation("family", ZH, {"foster_family": False}, worker.stamp(),
                      record_id=foster,
                      supersedes={"foster_family": setup[1]["fields"]["foster_family"]["clock"]})
    assert results(worker.push([unmark]))[0]["status"] == "applied"
    note = mutation("placement", ZH, {"order_reference": "Наказ № 3"}, worker.stamp(),
                    record_id=good["record_id"])
    assert results(worker.push([note]))[0]["status"] == "applied"


def test_a_worker_of_another_community_cannot_write_placements(
        worker: Device, client: AppClient, engine: Engine, settings: Settings) -> None:
    make_user(engine, settings, "ivan", Role.SOCIAL_WORKER, [ZV])
    ivan = Device(client, login(client, "ivan"), "ivan-phone")
    setup, _b, foster, child = foster_setup(ZH, worker.stamp())
    results(worker.push(setup))
    [r] = results(ivan.push([mutation("placement", ZH, placement_fields(child, foster),
                                      ivan.stamp())]))
    assert r["status"] == "rejected" and r["code"] == "forbidden"
    assert not [c for c in ivan.pull_all() if c["kind"] == "placement"]
