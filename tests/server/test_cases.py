"""The case cycle on push (SQLite and PostgreSQL): one open case per family
(``case_already_open``), what cases, needs assessments, plan tasks and visits name, and the
legacy case of a family an older app closes with the retired flag.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from shared_models.cases import legacy_case_id, legacy_case_values
from shared_models.enums import Role
from shared_models.records import Case
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import (
    ZH,
    ZV,
    Device,
    assessment_fields,
    case_fields,
    closure_fields,
    family_fields,
    login,
    make_user,
    mutation,
    person_fields,
    plan_task_fields,
    visit_fields,
)

ALREADY_OPEN = ("family_id: У сім'ї вже є відкритий випадок: закрийте його, перш ніж відкрити "
                "новий (The family already has an open case: close it before opening another)")


@pytest.fixture
def worker(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


@pytest.fixture
def coord(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "koord", Role.COORDINATOR)
    return Device(client, login(client, "koord"), "koord-pc")


def outcome(r: Any) -> list[tuple[str, str | None]]:
    assert r.status_code == 200, r.text
    return [(x["status"], x["code"]) for x in r.json()["results"]]


def reasons(r: Any) -> list[str | None]:
    return [x["reason"] for x in r.json()["results"]]


def a_family(dev: Device, community: Any = ZH) -> str:
    fam = mutation("family", community, family_fields(), dev.stamp())
    assert outcome(dev.push([fam])) == [("applied", None)]
    return str(fam["record_id"])


def open_case(dev: Device, family_id: str, community: Any = ZH, **extra: Any) -> dict[str, Any]:
    return mutation("case", community, case_fields(family_id, **extra), dev.stamp())


def edit(dev: Device, record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """A change of ``record`` that saw its create (no conflict with it)."""
    seen = {k: w["clock"] for k, w in record["fields"].items() if k in fields}
    return mutation(record["kind"], ZH, fields, dev.stamp(), record_id=record["record_id"],
                    supersedes=seen)


def refusals(engine: Engine, code: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'push_refused' AND detail = :d"),
            {"d": f"case: {code}"}).scalar_one())


def test_a_second_open_case_of_a_family_is_refused(worker: Device, engine: Engine) -> None:
    fam = a_family(worker)
    first = open_case(worker, fam)
    assert outcome(worker.push([first])) == [("applied", None)]
    r = worker.push([open_case(worker, fam)])
    assert outcome(r) == [("rejected", "case_already_open")]
    assert reasons(r) == [ALREADY_OPEN]
    assert refusals(engine, "case_already_open") == 1
    # Only the first case reaches the devices.
    assert [c["record_id"] for c in worker.pull_all() if c["kind"] == "case"] == \
        [first["record_id"]]


def test_two_open_cases_in_one_batch_the_first_stands(worker: Device) -> None:
    fam = a_family(worker)
    assert outcome(worker.push([open_case(worker, fam), open_case(worker, fam)])) == [
        ("applied", None), ("rejected", "case_already_open")]


def test_close_then_open_again_keeps_the_closed_case(worker: Device) -> None:
    fam = a_family(worker)
    first = open_case(worker, fam)
    worker.push([first])
    closing = mutation("case", ZH, closure_fields(), worker.stamp(),
                       record_id=first["record_id"])
    again = open_case(worker, fam, reopens=first["record_id"])
    # Order matters as the device sends it: the closure first, then the new case.
    assert outcome(worker.push([closing, again])) == [("applied", None)] * 2
    # Reopening the closed case now would leave two open ones.
    reopen = edit(worker, closing, {"closed_on": None, "closure_reason": None,
                                    "closure_result": None})
    assert outcome(worker.push([reopen])) == [("rejected", "case_already_open")]


def test_a_new_case_before_the_closure_in_one_batch_is_refused(worker: Device) -> None:
    fam = a_family(worker)
    first = open_case(worker, fam)
    worker.push([first])
    closing = mutation("case", ZH, closure_fields(), worker.stamp(),
                       record_id=first["record_id"])
    assert outcome(worker.push([open_case(worker, fam), closing])) == [
        ("rejected", "case_already_open"), ("applied", None)]


def test_a_deleted_case_does_not_count_and_edits_of_the_open_one_pass(worker: Device) -> None:
    fam = a_family(worker)
    first = open_case(worker, fam)
    worker.push([first])
    assert outcome(worker.push([edit(worker, first, {"request_summary": "Уточнено"})])) == [
        ("applied", None)]
    gone = mutation("case", ZH, {"deleted": True}, worker.stamp(), record_id=first["record_id"])
    assert outcome(worker.push([gone, open_case(worker, fam)])) == [("applied", None)] * 2


def test_other_families_and_closed_cases_do_not_block(worker: Device) -> None:
    a, b = a_family(worker), a_family(worker)
    closed = open_case(worker, a, **closure_fields("no_need", "achieved"))
    assert outcome(worker.push([closed, open_case(worker, a), open_case(worker, b)])) == [
        ("applied", None)] * 3


def test_a_case_names_a_family_of_its_community(worker: Device, coord: Device) -> None:
    assert outcome(worker.push([open_case(worker, str(uuid.uuid4()))])) == [
        ("rejected", "reference_missing")]
    foreign = a_family(coord, ZV)
    # A coordinator writes both communities: only the reference check stands between.
    assert outcome(coord.push([open_case(coord, foreign, ZH)])) == [
        ("rejected", "reference_missing")]
    fam = a_family(worker)
    assert outcome(worker.push([open_case(worker, fam, reopens=str(uuid.uuid4()))])) == [
        ("rejected", "reference_missing")]


def test_assessments_and_tasks_name_a_case_of_their_family(worker: Device) -> None:
    fam, other = a_family(worker), a_family(worker)
    child = mutation("person", ZH, person_fields(fam), worker.stamp())
    case = open_case(worker, fam)
    case_b = open_case(worker, other)
    assert outcome(worker.push([child, case, case_b])) == [("applied", None)] * 3
    cid, child_id = case["record_id"], child["record_id"]
    good = [mutation("assessment", ZH, assessment_fields(cid, fam, "olena",
                                                         participants=[child_id]),
                     worker.stamp()),
            mutation("plan_task", ZH, plan_task_fields(cid, fam, responsible="family_member",
                                                       responsible_person_id=child_id),
                     worker.stamp())]
    assert outcome(worker.push(good)) == [("applied", None)] * 2
    # The case of another family: refused, whichever field puts them apart.
    r = worker.push([mutation("assessment", ZH, assessment_fields(cid, other, "olena"),
                              worker.stamp()),
                     mutation("plan_task", ZH, plan_task_fields(case_b["record_id"], fam),
                              worker.stamp())])
    assert outcome(r) == [("rejected", "validation_error")] * 2
    assert set(reasons(r)) == {"case_id: Цей випадок належить іншій сім'ї "
                               "(This case belongs to another family)"}
    moved = edit(worker, good[1], {"family_id": other})
    assert outcome(worker.push([moved])) == [("rejected", "validation_error")]
    # A case the server never had, a family as the case, a stranger as a participant.
    missing = [
        mutation("assessment", ZH, assessment_fields(str(uuid.uuid4()), fam, "olena"),
                 worker.stamp()),
        mutation("plan_task", ZH, plan_task_fields(fam, fam), worker.stamp()),
        mutation("assessment", ZH, assessment_fields(cid, fam, "olena",
                                                     participants=[str(uuid.uuid4())]),
                 worker.stamp()),
        mutation("visit", ZH, visit_fields(fam, "olena", plan_tasks=[str(uuid.uuid4())]),
                 worker.stamp()),
        mutation("assessment", ZH, assessment_fields(
            cid, fam, "olena", children=[{"person_id": child_id}, {"person_id": fam}]),
                 worker.stamp()),
    ]
    assert outcome(worker.push(missing)) == [("rejected", "reference_missing")] * 5
    assert reasons(worker.push([missing[-1]]))[0].startswith("children: ")
    described = mutation("assessment", ZH, assessment_fields(
        cid, fam, "olena", children=[{"person_id": child_id, "needs": "Логопед"}]),
                         worker.stamp())
    assert outcome(worker.push([described])) == [("applied", None)]
    ticks = mutation("visit", ZH, visit_fields(fam, "olena",
                                               plan_tasks=[good[1]["record_id"]]),
                     worker.stamp())
    assert outcome(worker.push([ticks])) == [("applied", None)]


def test_a_case_created_earlier_in_the_batch_counts(worker: Device) -> None:
    fam = a_family(worker)
    case = open_case(worker, fam)
    batch = [case,
             mutation("assessment", ZH, assessment_fields(case["record_id"], fam, "olena",
                                                          completed=False), worker.stamp()),
             mutation("plan_task", ZH, plan_task_fields(case["record_id"], fam),
                      worker.stamp())]
    assert outcome(worker.push(batch)) == [("applied", None)] * 3


def test_the_assessor_is_the_pushing_user(worker: Device) -> None:
    fam = a_family(worker)
    case = open_case(worker, fam)
    worker.push([case])
    r = worker.push([mutation("assessment", ZH,
                              assessment_fields(case["record_id"], fam, "someone_else"),
                              worker.stamp())])
    assert outcome(r) == [("rejected", "forbidden")]


def test_a_family_closed_by_an_older_app_gets_its_legacy_case(worker: Device,
                                                               engine: Engine) -> None:
    """An app from before cases still closes a family with the retired flag: the server
    writes the closed case migration 0007 would have (same id, same values), once; a newer
    device's own copy of it merges in without a conflict."""
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    born_closed = mutation("family", ZH, family_fields("Петренко", closed=True), worker.stamp())
    assert outcome(worker.push([fam, born_closed])) == [("applied", None)] * 2
    closing = edit(worker, fam, {"closed": True})
    assert outcome(worker.push([closing])) == [("applied", None)]
    again = mutation("family", ZH, {"closed": True}, worker.stamp(), record_id=fam["record_id"],
                     supersedes={"closed": closing["fields"]["closed"]["clock"]})
    assert outcome(worker.push([again])) == [("applied", None)]
    clocks = {fam["record_id"]: closing["fields"]["closed"]["clock"],
              born_closed["record_id"]: born_closed["fields"]["closed"]["clock"]}
    cases = {c["record_id"]: c for c in worker.pull_all() if c["kind"] == "case"}
    expected = {str(legacy_case_id(uuid.UUID(f))): f for f in clocks}
    assert set(cases) == set(expected)
    for cid, fid in expected.items():
        values = cases[cid]["values"]
        assert {k: values[k] for k in ("family_id", "opened_on", "closed_on",
                                       "closure_reason")} == legacy_case_values(
            uuid.UUID(fid), clocks[fid])
        assert cases[cid]["author"] == "server"
    with engine.connect() as conn:
        audited = conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'legacy_case'")).scalar_one()
        typed = conn.execute(text(
            "SELECT count(*) FROM \"case\" WHERE closure_reason = 'legacy'")).scalar_one()
    assert (audited, typed) == (2, 2)
    fid = fam["record_id"]
    copy = Case(id=legacy_case_id(uuid.UUID(fid)), community=ZH,
                **legacy_case_values(uuid.UUID(fid), clocks[fid]))
    r = worker.push([mutation("case", ZH, copy.model_dump(mode="json",
                                                          exclude={"id", "community"}),
                              worker.stamp(), record_id=str(copy.id))])
    assert outcome(r) == [("applied", None)]
    assert {c["kind"] for c in worker.pull_all()} == {"case"}   # no conflict record
    # The family may have a new case: the legacy one is closed.
    assert outcome(worker.push([open_case(worker, fid)])) == [("applied", None)]
