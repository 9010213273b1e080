"""Who may review what, on SQLite and PostgreSQL (``database_url`` is parametrised).

A review is accepted only from a supervisor of the target's community, a coordinator or an
admin; it must be signed by the pushing user and point at a visit or note of the stated kind
in the same community, and written by someone else (four eyes: nobody reviews their own visit
or note, whatever the client does). Every refusal is a per-mutation rejection that leaves an
audit row and writes nothing; a supervisor of another community does not even receive the record.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from shared_models.enums import Role
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
    fields_of,
    login,
    make_user,
    mutation,
    note_fields,
    review_fields,
    visit_fields,
)


@pytest.fixture
def people(client: AppClient, engine: Engine, settings: Settings) -> dict[str, Device]:
    """Devices of a worker and a supervisor of Zhytomyr, a supervisor and a worker of Zviahel,
    a coordinator and an admin."""
    cast = {"olena": (Role.SOCIAL_WORKER, [ZH]), "iryna": (Role.SUPERVISOR, [ZH]),
            "bohdan": (Role.SUPERVISOR, [ZV]), "taras": (Role.SOCIAL_WORKER, [ZV]),
            "koord": (Role.COORDINATOR, []), "admin": (Role.ADMIN, [])}
    devices = {}
    for name, (role, communities) in cast.items():
        make_user(engine, settings, name, role, communities)
        devices[name] = Device(client, login(client, name), f"{name}-phone")
    return devices


def _visit_and_note(worker: Device, author: str, community: Any = ZH) -> tuple[str, str, str]:
    """A family with a visit and a note by ``author``; returns (family, visit, note) ids."""
    fam = mutation("family", community, family_fields(), worker.stamp())
    visit = mutation("visit", community, visit_fields(fam["record_id"], author),
                     worker.stamp())
    note = mutation("note", community, note_fields(fam["record_id"], author), worker.stamp())
    r = worker.push([fam, visit, note])
    assert [x["status"] for x in r.json()["results"]] == ["applied"] * 3, r.text
    return fam["record_id"], visit["record_id"], note["record_id"]


def _review(device: Device, community: Any, target: str, reviewer: str, *,
            kind: str = "visit", decision: str = "approved", **extra: Any) -> dict[str, Any]:
    fields = {**review_fields(target, reviewer, decision), "target_kind": kind, **extra}
    return mutation("review", community, fields, device.stamp())


def _results(device: Device, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = device.push(mutations)
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def _audit(engine: Engine, action: str, actor: str) -> list[tuple[str, str, list[str]]]:
    with engine.begin() as conn:
        rows = conn.execute(text(
            "SELECT outcome, detail, record_ids FROM audit_log WHERE action = :a AND actor = :u "
            "ORDER BY id"), {"a": action, "u": actor}).all()
    return [(o, d, list(ids) if isinstance(ids, list) else json.loads(ids))
            for o, d, ids in rows]


def _stored_reviews(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT * FROM review")).mappings().all()
    return {str(uuid.UUID(str(r["id"]))): dict(r) for r in rows}


def test_a_supervisor_of_the_community_approves_and_returns(
        people: dict[str, Device], engine: Engine) -> None:
    olena, iryna = people["olena"], people["iryna"]
    _fam, visit, note = _visit_and_note(olena, "olena")
    seen = iryna.pull_all()
    version = fields_of(seen[[c["record_id"] for c in seen].index(visit)])["risk_level"]["clock"]
    approve = _review(iryna, ZH, visit, "iryna", target_clock=version)
    send_back = _review(iryna, ZH, note, "iryna", kind="note", decision="returned",
                        comment="Допишіть, хто був присутній")
    assert [x["status"] for x in _results(iryna, [approve, send_back])] == ["applied"] * 2
    stored = _stored_reviews(engine)
    assert stored[approve["record_id"]]["target_clock"] == version
    assert stored[send_back["record_id"]]["comment"] == "Допишіть, хто був присутній"
    audited = _audit(engine, "review", "iryna")
    assert [ids for _o, _d, ids in audited] == [[approve["record_id"], visit],
                                                [send_back["record_id"], note]]
    # The worker receives both decisions at her next sync.
    got = {c["record_id"]: c for c in olena.pull_all()}
    assert got[send_back["record_id"]]["values"]["decision"] == "returned"
    assert got[approve["record_id"]]["values"]["target_id"] == visit


def test_a_social_worker_may_not_review(people: dict[str, Device], engine: Engine) -> None:
    olena = people["olena"]
    _fam, visit, _note = _visit_and_note(olena, "olena")
    own = _review(olena, ZH, visit, "olena")
    [result] = _results(olena, [own])
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert "review" in result["reason"]
    assert _stored_reviews(engine) == {}
    assert _audit(engine, "push_refused", "olena") == [
        ("refused", "review: forbidden", [own["record_id"]])]
    assert _audit(engine, "review", "olena") == []


def test_a_supervisor_of_another_community_neither_sees_nor_reviews(
        people: dict[str, Device], engine: Engine) -> None:
    olena, bohdan = people["olena"], people["bohdan"]
    _fam, visit, note = _visit_and_note(olena, "olena")
    approve = _review(people["iryna"], ZH, visit, "iryna")
    assert _results(people["iryna"], [approve])[0]["status"] == "applied"
    # Pull scope: nothing of Zhytomyr reaches Zviahel's supervisor, reviews included.
    _visit_and_note(people["taras"], "taras", ZV)
    pulled = bohdan.pull_all()
    assert {c["community"] for c in pulled} == {"zviahelska"}
    assert not {visit, note, approve["record_id"]} & {c["record_id"] for c in pulled}
    # Push: a review in Zhytomyr is forbidden; one filed under Zviahel finds no such target.
    there = _review(bohdan, ZH, visit, "bohdan", decision="returned")
    here = _review(bohdan, ZV, note, "bohdan", kind="note")
    first, second = _results(bohdan, [there, here])
    assert (first["status"], first["code"]) == ("rejected", "forbidden")
    assert (second["status"], second["code"]) == ("rejected", "validation_error")
    assert "target_id" in second["reason"]
    assert set(_stored_reviews(engine)) == {approve["record_id"]}
    assert _audit(engine, "push_refused", "bohdan") == [
        ("refused", "review: forbidden", [there["record_id"]]),
        ("refused", "review: validation_error", [here["record_id"]])]


def test_the_reviewer_must_be_the_pushing_user(people: dict[str, Device],
                                                engine: Engine) -> None:
    _fam, visit, _note = _visit_and_note(people["olena"], "olena")
    iryna = people["iryna"]
    forged = _review(iryna, ZH, visit, "koord")
    [result] = _results(iryna, [forged])
    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert "reviewer" in result["reason"]
    assert _stored_reviews(engine) == {}
    assert _audit(engine, "push_refused", "iryna") == [
        ("refused", "review: forbidden", [forged["record_id"]])]


def test_the_target_must_exist_be_of_that_kind_and_in_that_community(
        people: dict[str, Device], engine: Engine) -> None:
    fam, visit, note = _visit_and_note(people["olena"], "olena")
    _zfam, zvisit, _znote = _visit_and_note(people["taras"], "taras", ZV)
    koord = people["koord"]
    cases = [
        _review(koord, ZH, str(uuid.uuid4()), "koord"),            # nothing there
        _review(koord, ZH, note, "koord"),                          # a note called a visit
        _review(koord, ZH, visit, "koord", kind="note"),            # a visit called a note
        _review(koord, ZH, fam, "koord"),                           # a family
        _review(koord, ZH, zvisit, "koord"),                        # another community
    ]
    results = _results(koord, cases)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "validation_error")] * 5
    assert all(r["reason"].startswith("target_id:") for r in results)
    assert _stored_reviews(engine) == {}
    assert len(_audit(engine, "push_refused", "koord")) == 5


def test_nobody_reviews_their_own_visit_or_note(people: dict[str, Device],
                                               engine: Engine) -> None:
    """Four eyes, held by the server: a supervisor's or coordinator's own visit or note is
    refused (``forbidden``, audited, nothing stored), even created in the same batch."""
    iryna, koord = people["iryna"], people["koord"]
    _fam, visit, note = _visit_and_note(iryna, "iryna")
    fam = mutation("family", ZV, family_fields(), koord.stamp())
    kvisit = mutation("visit", ZV, visit_fields(fam["record_id"], "koord"), koord.stamp())
    own_visit = _review(iryna, ZH, visit, "iryna")
    own_note = _review(iryna, ZH, note, "iryna", kind="note", decision="returned")
    coordinators_own = _review(koord, ZV, kvisit["record_id"], "koord")
    results = _results(iryna, [own_visit, own_note]) + [
        r for r in _results(koord, [fam, kvisit, coordinators_own])][2:]
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "forbidden")] * 3
    assert all("own visit or note" in r["reason"] and "Власні записи" in r["reason"]
               for r in results)
    assert _stored_reviews(engine) == {}
    assert _audit(engine, "push_refused", "iryna") == [
        ("refused", "review: forbidden", [own_visit["record_id"]]),
        ("refused", "review: forbidden", [own_note["record_id"]])]
    assert _audit(engine, "push_refused", "koord") == [
        ("refused", "review: forbidden", [coordinators_own["record_id"]])]
    assert _audit(engine, "review", "iryna") == _audit(engine, "review", "koord") == []
    # Someone else's decision on her visit stands: the coordinator reviews it.
    assert _results(koord, [_review(koord, ZH, visit, "koord")])[0]["status"] == "applied"


def test_four_eyes_also_holds_for_a_later_change_of_a_review(people: dict[str, Device],
                                                             engine: Engine) -> None:
    """A later mutation of an existing review (adding ``target_clock``) is checked again: when
    the target has meanwhile become the reviewer's own, it is refused."""
    olena, iryna = people["olena"], people["iryna"]
    _fam, visit, _note = _visit_and_note(olena, "olena")
    review = _review(iryna, ZH, visit, "iryna")
    assert _results(iryna, [review])[0]["status"] == "applied"
    author_clock = fields_of(next(c for c in iryna.pull_all()
                                  if c["record_id"] == visit))["author"]["clock"]
    takeover = mutation("visit", ZH, {"author": "iryna"}, iryna.stamp(), record_id=visit,
                        supersedes={"author": author_clock})
    assert _results(iryna, [takeover])[0]["status"] == "applied"
    later = mutation("review", ZH, {"target_clock": iryna.stamp()}, iryna.stamp(),
                     record_id=review["record_id"])
    [refused] = _results(iryna, [later])
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    assert _stored_reviews(engine)[review["record_id"]]["target_clock"] is None
    assert _audit(engine, "push_refused", "iryna") == [
        ("refused", "review: forbidden", [review["record_id"]])]


def test_coordinators_and_admins_review_in_every_community(people: dict[str, Device]) -> None:
    _fam, visit, _note = _visit_and_note(people["olena"], "olena")
    _zfam, _zvisit, znote = _visit_and_note(people["taras"], "taras", ZV)
    koord, admin = people["koord"], people["admin"]
    assert _results(koord, [_review(koord, ZH, visit, "koord")])[0]["status"] == "applied"
    assert _results(admin, [_review(admin, ZV, znote, "admin", kind="note",
                                    decision="returned")])[0]["status"] == "applied"


def test_a_review_is_immutable_and_a_newer_one_supersedes(people: dict[str, Device],
                                                          engine: Engine) -> None:
    olena, iryna = people["olena"], people["iryna"]
    _fam, visit, _note = _visit_and_note(olena, "olena")
    first = _review(iryna, ZH, visit, "iryna", decision="returned")
    assert _results(iryna, [first])[0]["status"] == "applied"
    clock = first["fields"]["decision"]["clock"]
    edit = mutation("review", ZH, {"decision": "approved", "comment": ""}, iryna.stamp(),
                    record_id=first["record_id"],
                    supersedes={"decision": clock, "comment": clock})
    [refused] = _results(iryna, [edit])
    assert (refused["status"], refused["code"]) == ("rejected", "conflict")
    second = _review(iryna, ZH, visit, "iryna")
    assert _results(iryna, [second])[0]["status"] == "applied"
    decisions = {k: r["decision"] for k, r in _stored_reviews(engine).items()}
    assert sorted(decisions.values()) == ["approved", "returned"]
    pulled = [c for c in olena.pull_all() if c["kind"] == "review"]
    assert {c["record_id"] for c in pulled} == {first["record_id"], second["record_id"]}


@pytest.mark.parametrize(("extra", "message"), [
    ({"decision": "returned", "comment": "  "}, "Вкажіть коментар: що треба виправити"),
    ({"target_clock": "вчора"}, "target_clock: Неправильна позначка часу"),
    ({"target_kind": "family"}, "target_kind: Оберіть одне зі значень"),
])
def test_invalid_reviews_are_refused_with_a_readable_reason(
        people: dict[str, Device], extra: dict[str, Any], message: str) -> None:
    _fam, visit, _note = _visit_and_note(people["olena"], "olena")
    iryna = people["iryna"]
    [result] = _results(iryna, [_review(iryna, ZH, visit, "iryna", **extra)])
    assert (result["status"], result["code"]) == ("rejected", "validation_error")
    assert message in result["reason"]


def _case_with_assessment(device: Device, assessor: str, community: Any = ZH
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A family with an open case and its completed needs assessment by ``assessor``."""
    fam = mutation("family", community, family_fields(), device.stamp())
    case = mutation("case", community, case_fields(fam["record_id"]), device.stamp())
    act = mutation("assessment", community,
                   assessment_fields(case["record_id"], fam["record_id"], assessor),
                   device.stamp())
    assert [x["status"] for x in _results(device, [fam, case, act])] == ["applied"] * 3
    return case, act


def _closure(device: Device, case: dict[str, Any]) -> dict[str, Any]:
    return mutation("case", ZH, closure_fields(), device.stamp(), record_id=case["record_id"])


def test_a_supervisor_approves_an_assessment_and_a_closure(
        people: dict[str, Device], engine: Engine) -> None:
    """The case cycle's reviews: a supervisor of the community approves the worker's needs
    assessment and returns her closure; the worker pulls both decisions; audited."""
    olena, iryna = people["olena"], people["iryna"]
    case, act = _case_with_assessment(olena, "olena")
    assert _results(olena, [_closure(olena, case)])[0]["status"] == "applied"
    approve = _review(iryna, ZH, act["record_id"], "iryna", kind="assessment")
    send_back = _review(iryna, ZH, case["record_id"], "iryna", kind="case",
                        decision="returned", comment="Вкажіть результат супроводу")
    assert [x["status"] for x in _results(iryna, [approve, send_back])] == ["applied"] * 2
    stored = _stored_reviews(engine)
    assert {stored[r["record_id"]]["target_kind"] for r in (approve, send_back)} == {
        "assessment", "case"}
    assert [ids for _o, _d, ids in _audit(engine, "review", "iryna")] == [
        [approve["record_id"], act["record_id"]], [send_back["record_id"], case["record_id"]]]
    got = {c["record_id"]: c for c in olena.pull_all()}
    assert got[send_back["record_id"]]["values"]["target_kind"] == "case"
    assert got[approve["record_id"]]["values"]["decision"] == "approved"


def test_nobody_reviews_their_own_assessment_or_closure(people: dict[str, Device],
                                                        engine: Engine) -> None:
    """Four eyes on the case cycle: the assessor does not approve her own assessment, nor
    whoever completed it, and whoever recorded a closure does not approve it."""
    iryna, olena, koord = people["iryna"], people["olena"], people["koord"]
    _case, act = _case_with_assessment(iryna, "iryna")
    # A worker's case whose closure the supervisor recorded herself.
    other_case, other_act = _case_with_assessment(olena, "olena")
    assert _results(iryna, [_closure(iryna, other_case)])[0]["status"] == "applied"
    own = [_review(iryna, ZH, act["record_id"], "iryna", kind="assessment"),
           _review(iryna, ZH, other_case["record_id"], "iryna", kind="case")]
    results = _results(iryna, own)
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "forbidden")] * 2
    assert "own needs assessment" in results[0]["reason"]
    assert "own case closure" in results[1]["reason"]
    assert _stored_reviews(engine) == {}
    assert _audit(engine, "push_refused", "iryna") == [
        ("refused", "review: forbidden", [r["record_id"]]) for r in own]
    # Whoever completed the act counts as its author too, whoever the assessor is.
    completing = mutation("assessment", ZH, {"completed_on": None}, iryna.stamp(),
                          record_id=other_act["record_id"],
                          supersedes={"completed_on": other_act["fields"]["completed_on"][
                              "clock"]})
    assert _results(iryna, [completing])[0]["status"] == "applied"
    again = mutation("assessment", ZH, {"completed_on": other_act["fields"]["completed_on"][
        "value"]}, iryna.stamp(), record_id=other_act["record_id"],
        supersedes={"completed_on": completing["fields"]["completed_on"]["clock"]})
    assert _results(iryna, [again])[0]["status"] == "applied"
    [refused] = _results(iryna, [_review(iryna, ZH, other_act["record_id"], "iryna",
                                         kind="assessment")])
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    # Someone else decides: the coordinator approves both.
    decisions = [_review(koord, ZH, act["record_id"], "koord", kind="assessment"),
                 _review(koord, ZH, other_case["record_id"], "koord", kind="case")]
    assert [r["status"] for r in _results(koord, decisions)] == ["applied"] * 2


def test_a_review_names_an_assessment_or_case_of_its_community(
        people: dict[str, Device]) -> None:
    olena, bohdan, iryna = people["olena"], people["bohdan"], people["iryna"]
    case, act = _case_with_assessment(olena, "olena")
    wrong = [_review(iryna, ZH, act["record_id"], "iryna", kind="case"),
             _review(iryna, ZH, case["record_id"], "iryna", kind="assessment")]
    assert [(r["status"], r["code"]) for r in _results(iryna, wrong)] == [
        ("rejected", "validation_error")] * 2
    # A supervisor of another community may not decide on it, whatever it claims.
    [r] = _results(bohdan, [_review(bohdan, ZH, act["record_id"], "bohdan",
                                    kind="assessment")])
    assert (r["status"], r["code"]) == ("rejected", "forbidden")
    [r] = _results(olena, [_review(olena, ZH, case["record_id"], "olena", kind="case")])
    assert (r["status"], r["code"]) == ("rejected", "forbidden")
