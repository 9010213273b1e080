"""References checked on push (SQLite and PostgreSQL): a person, visit or note names a family
of its own community, a visit the people present, a note the note it corrects; a family created
earlier in the batch counts, one created later does not; children of a deleted family are kept.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, event

from shared_models.enums import Role
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import (
    ZH,
    ZV,
    Device,
    family_fields,
    fields_of,
    login,
    make_user,
    mutation,
    note_fields,
    person_fields,
    visit_fields,
)

MISSING_FAMILY = ("family_id: Такого запису немає на сервері в цій громаді "
                  "(No such record of this community on the server)")


@pytest.fixture
def worker(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


@pytest.fixture
def coord(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "koord", Role.COORDINATOR)
    return Device(client, login(client, "koord"), "koord-pc")


def results(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def children(family_id: str, author: str, clock: str) -> list[dict[str, Any]]:
    """A person, a visit and a note of ``family_id`` in Zhytomyr."""
    return [mutation("person", ZH, person_fields(family_id), clock),
            mutation("visit", ZH, visit_fields(family_id, author), clock),
            mutation("note", ZH, note_fields(family_id, author), clock)]


def test_children_of_a_family_the_server_never_had_are_refused(worker: Device) -> None:
    batch = children(str(uuid.uuid4()), "olena", worker.stamp())
    got = results(worker.push(batch))
    assert [(r["status"], r["code"]) for r in got] == [("rejected", "reference_missing")] * 3
    assert {r["reason"] for r in got} == {MISSING_FAMILY}
    assert worker.pull_all() == []


def test_children_naming_another_communitys_family_are_refused(coord: Device) -> None:
    # A coordinator may write both communities, so only the reference check stands between.
    other = mutation("family", ZV, family_fields("Сидоренко"), coord.stamp())
    assert results(coord.push([other]))[0]["status"] == "applied"
    got = results(coord.push(children(other["record_id"], "koord", coord.stamp())))
    assert [(r["status"], r["code"]) for r in got] == [("rejected", "reference_missing")] * 3
    assert {c["kind"] for c in coord.pull_all()} == {"family"}


def test_a_reference_must_name_the_right_kind(worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "olena"), worker.stamp())
    assert [r["status"] for r in results(worker.push([fam, visit]))] == ["applied"] * 2
    cases = {
        "family_id names a visit": mutation(
            "person", ZH, person_fields(visit["record_id"]), worker.stamp()),
        "present names a family": mutation(
            "visit", ZH, visit_fields(fam["record_id"], "olena", present=[fam["record_id"]]),
            worker.stamp()),
        "present names nobody": mutation(
            "visit", ZH, visit_fields(fam["record_id"], "olena", present=[str(uuid.uuid4())]),
            worker.stamp()),
        "corrects names a visit": mutation(
            "note", ZH, {**note_fields(fam["record_id"], "olena"),
                         "corrects": visit["record_id"]}, worker.stamp()),
    }
    for name, m in cases.items():
        [r] = results(worker.push([m]))
        assert (r["status"], r["code"]) == ("rejected", "reference_missing"), name
        field = next(f for f in ("family_id", "present", "corrects") if f in name)
        assert str(r["reason"]).startswith(f"{field}: Такого запису немає"), (name, r)


def test_an_edit_that_moves_a_visit_to_a_foreign_family_is_refused(
        worker: Device, coord: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "olena"), worker.stamp())
    assert [r["status"] for r in results(worker.push([fam, visit]))] == ["applied"] * 2
    other = mutation("family", ZV, family_fields("Сидоренко"), coord.stamp())
    assert results(coord.push([other]))[0]["status"] == "applied"
    move = mutation("visit", ZH, {"family_id": other["record_id"]}, worker.stamp(),
                    record_id=visit["record_id"],
                    supersedes={"family_id": visit["fields"]["family_id"]["clock"]})
    [r] = results(worker.push([move]))
    assert (r["status"], r["code"], r["reason"]) == ("rejected", "reference_missing",
                                                     MISSING_FAMILY)
    # An edit that leaves the reference alone is not checked again.
    edit = mutation("visit", ZH, {"next_steps": "Повторний візит"}, worker.stamp(),
                    record_id=visit["record_id"])
    assert results(worker.push([edit]))[0]["status"] == "applied"


def test_members_present_and_corrections_of_the_community_are_accepted(worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    child = mutation("person", ZH, person_fields(fam["record_id"]), worker.stamp())
    note = mutation("note", ZH, note_fields(fam["record_id"], "olena"), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "olena",
                                               present=[child["record_id"]]), worker.stamp())
    fix = mutation("note", ZH, {**note_fields(fam["record_id"], "olena", "Виправлено"),
                                "corrects": note["record_id"]}, worker.stamp())
    got = results(worker.push([fam, child, note, visit, fix]))
    assert [r["status"] for r in got] == ["applied"] * 5


def test_a_family_created_earlier_in_the_batch_counts_a_later_one_does_not(
        worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    early = children(fam["record_id"], "olena", worker.stamp())
    assert [r["status"] for r in results(worker.push([fam, *early]))] == ["applied"] * 4

    # Decided: a child before its family in one batch is refused (the device sends its outbox
    # in order, so this only comes from a client that reorders); sent again, it is accepted.
    late_fam = mutation("family", ZH, family_fields("Пізня"), worker.stamp())
    late = children(late_fam["record_id"], "olena", worker.stamp())
    got = results(worker.push([*late, late_fam]))
    assert [(r["status"], r["code"]) for r in got] == [
        ("rejected", "reference_missing")] * 3 + [("applied", None)]
    assert [r["status"] for r in results(worker.push(late))] == ["applied"] * 3


def test_a_family_refused_in_the_batch_does_not_count(worker: Device) -> None:
    bad = mutation("family", ZH, {"family_name": "Без населеного пункту"}, worker.stamp())
    child = mutation("person", ZH, person_fields(bad["record_id"]), worker.stamp())
    got = results(worker.push([bad, child]))
    assert [(r["status"], r["code"]) for r in got] == [("rejected", "validation_error"),
                                                       ("rejected", "reference_missing")]


def test_children_of_a_deleted_family_are_kept(worker: Device, client: AppClient,
                                               engine: Engine, settings: Settings) -> None:
    """A visit written offline on a family another device deleted: accepted, text kept."""
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    assert results(worker.push([fam]))[0]["status"] == "applied"
    make_user(engine, settings, "petro", Role.SOCIAL_WORKER, [ZH])
    other = Device(client, login(client, "petro"), "petro-phone")
    gone = mutation("family", ZH, {"deleted": True}, other.stamp(), record_id=fam["record_id"])
    assert results(other.push([gone]))[0]["status"] == "applied"
    # The worker's phone had not heard of the delete.
    late = children(fam["record_id"], "olena", worker.stamp())
    assert [r["status"] for r in results(worker.push(late))] == ["applied"] * 3
    # Deleting the family and writing to it in one batch: the same.
    more = children(fam["record_id"], "petro", other.stamp())
    assert [r["status"] for r in results(other.push(more))] == ["applied"] * 3
    pulled = {c["record_id"]: c for c in worker.pull_all()}
    assert fields_of(pulled[fam["record_id"]])["deleted"]["value"] is True
    visit = fields_of(pulled[late[1]["record_id"]])
    assert visit["family_id"]["value"] == fam["record_id"]
    assert visit.get("deleted", {"value": False})["value"] is False
    assert fields_of(pulled[late[2]["record_id"]])["text"]["value"] == "Сім'я потребує супроводу"


def test_a_family_deleted_in_the_batch_still_takes_children(worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    gone = mutation("family", ZH, {"deleted": True}, worker.stamp(), record_id=fam["record_id"])
    got = results(worker.push([fam, gone, *children(fam["record_id"], "olena",
                                                       worker.stamp())]))
    assert [r["status"] for r in got] == ["applied"] * 5


def test_references_are_read_once_per_batch(worker: Device, engine: Engine) -> None:
    """A bulk push of children reads their families with one query, not one per record."""
    fams = [mutation("family", ZH, family_fields(f"Сім'я {i}"), worker.stamp())
            for i in range(40)]
    assert {r["status"] for r in results(worker.push(fams))} == {"applied"}
    batch = [m for f in fams for m in children(f["record_id"], "olena", worker.stamp())]
    selects: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and " record" in statement:
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert {r["status"] for r in results(worker.push(batch))} == {"applied"}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The batch's own records and its references: two reads of the record table in all.
    assert len(selects) <= 2, selects
