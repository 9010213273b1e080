"""One source of truth for a pushed value: the server stores what the shared model holds.

Differential, over generated pushes (creates, which take the fast wire path, and updates,
which merge): booleans, dates, times, enums, identifiers, lists and texts in every form a
device or a probe could send. Whatever ``shared_models.records`` accepts is stored as the
model normalises it — in the record's state, its pull text, its typed row and its history;
whatever the model refuses is refused for that mutation, and nothing of it is stored.
Runs on SQLite and PostgreSQL (``engine``).

Before the fix a family pushed with ``"deleted": "yes"`` was applied with the feed carrying
"yes", the record table saying live and the typed table saying deleted; ``"displaced":
"true"`` was stored as a string.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, select

from shared_models.clock import HybridClock
from shared_models.enums import RecordKind, Role
from shared_models.protocol import RecordChange
from shared_models.records import Record, model_class
from sync_server.db import read_tx
from sync_server.history import field_writes
from sync_server.permissions import Principal
from sync_server.push import push
from sync_server.settings import Settings
from sync_server.tables import KIND_TABLES, RecordRow
from sync_server.wire import PUSH_BODY
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, Device, family_fields, fields_of, login, make_user, mutation

USER = "olena"
PRINCIPAL = Principal(1, USER, Role.SUPERVISOR, frozenset({ZH}), uuid.UUID(int=7))
NOW = datetime.now(UTC)
DAY = (NOW - timedelta(days=3)).date()
RECORDS = RecordRow.__table__  # type: ignore[attr-defined]


def test_a_boolean_as_text_is_stored_as_the_model_reads_it(
        client: AppClient, engine: Engine, settings: Settings) -> None:
    make_user(engine, settings, USER, Role.SOCIAL_WORKER, [ZH])
    dev = Device(client, login(client, USER), "phone")
    gone = mutation("family", ZH, family_fields("Коваленко", deleted="yes"), dev.stamp())
    moved = mutation("family", ZH, family_fields("Шевчук", displaced="true"), dev.stamp())
    r = dev.push([gone, moved])
    assert [x["status"] for x in r.json()["results"]] == ["applied", "applied"], r.text
    pulled = {c["record_id"]: fields_of(c) for c in dev.pull_all()}
    assert pulled[gone["record_id"]]["deleted"]["value"] is True
    assert pulled[moved["record_id"]]["displaced"]["value"] is True
    family = KIND_TABLES[RecordKind.FAMILY]
    with read_tx(engine) as conn:
        stored = dict(conn.execute(select(RECORDS.c.id, RECORDS.c.deleted)).all())
        typed = {r.id: (r.deleted, r.displaced) for r in conn.execute(select(family))}
    assert stored[uuid.UUID(gone["record_id"])] is True
    assert typed[uuid.UUID(gone["record_id"])] == (True, False)
    assert typed[uuid.UUID(moved["record_id"])] == (False, True)


# ---- the differential test ------------------------------------------------------------------

FAMILY_ID = str(uuid.UUID(int=1))
PERSON_ID = str(uuid.UUID(int=2))
FOSTER_ID = str(uuid.UUID(int=3))
VISIT_ID = str(uuid.UUID(int=4))   # by a colleague: a review of it passes the four-eyes rule
COLLEAGUE = Principal(2, "ivan", Role.SOCIAL_WORKER, frozenset({ZH}), uuid.UUID(int=8))


def _forms_of_id(value: str) -> st.SearchStrategy[Any]:
    u = uuid.UUID(value)
    return st.sampled_from([value, value.upper(), u.hex, f"{{{value}}}", f"urn:uuid:{value}",
                            value[:-1], 12, None])


BOOLS = st.sampled_from([True, False, "yes", "no", "true", "false", "on", "off", "1", "0", 1,
                         0, 2, 1.0, 0.5, "y", "maybe", "", None, [], ["true"]])
DATES = st.sampled_from([DAY.isoformat(), "2026-1-1", f"{DAY.isoformat()}T00:00:00",
                         f"{DAY.isoformat()}T00:00:00Z", f"{DAY.isoformat()}T10:00:00", "20260101",
                         1_700_000_000, 1_700_006_400, "9999-12-31", "2099-12-31", "2100-01-01",
                         "0001-01-01", "1899-12-31", "1900-01-01", "", None, "завтра", 2026,
                         True])
_at = NOW - timedelta(hours=2)
INSTANTS = st.sampled_from([
    _at.isoformat(), _at.isoformat().replace("+00:00", "Z"),
    _at.astimezone(datetime.now().astimezone().tzinfo).isoformat(),
    _at.replace(microsecond=0).isoformat(), _at.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
    _at.strftime("%Y-%m-%d %H:%M:%S+00:00"), _at.replace(tzinfo=None).isoformat(),
    int(_at.timestamp()), _at.timestamp(), (NOW + timedelta(days=1)).isoformat(),
    "1899-12-31T00:00:00Z", _at.date().isoformat(), "", None])
TEXTS = st.sampled_from(["Коваленко", "  Коваленко  ", "Ко\x00валенко", "Ко\nваленко", "",
                         "   ", "a" * 100, "a" * 101, "лапки \" і \\", 5, None, True, ["x"]])
PARAGRAPHS = st.one_of(TEXTS, st.sampled_from(["рядок\nрядок", "  з пробілами  ", "x" * 4001]))
PHONES = st.sampled_from(["+380 67 123 45 67", " 0671234567 ", "12", "", None, 380671234567])
SERVICES = st.sampled_from([["002.0"], ["002.0", "010.2"], [], ["002.0", "002.0"], ["zzz"],
                            "002.0", None, [2], ["002.0 "], [" 002.0"]])


def _enum(*good: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([*good, good[0].upper(), f" {good[0]}", "unknown", "", None, 1])


#: Per kind: a valid create, and the forms each field may be sent in.
BASES: dict[str, dict[str, Any]] = {
    "family": {"family_name": "Коваленко", "settlement": "Житомир"},
    "person": {"family_id": FAMILY_ID, "last_name": "Коваленко", "first_name": "Марія"},
    "visit": {"family_id": FAMILY_ID, "visited_at": _at.isoformat(), "risk_level": "low",
              "author": USER},
    "note": {"family_id": FAMILY_ID, "text": "Сім'я потребує супроводу",
             "written_at": _at.isoformat(), "author": USER},
    "review": {"target_kind": "visit", "target_id": VISIT_ID, "decision": "approved",
               "reviewer": USER, "reviewed_at": _at.isoformat()},
    "placement": {"child_id": PERSON_ID, "foster_family_id": FOSTER_ID,
                  "start_date": (DAY - timedelta(days=10)).isoformat(),
                  "planned_end": (DAY + timedelta(days=30)).isoformat()},
}
FORMS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "family": {"family_name": TEXTS, "settlement": TEXTS, "address": TEXTS, "phone": PHONES,
               "difficult_circumstances": BOOLS, "displaced": BOOLS, "foster_family": BOOLS,
               "closed": BOOLS, "deleted": BOOLS, "consent_date": DATES,
               "consent_by": TEXTS, "next_visit_date": DATES,
               "assigned_worker": st.sampled_from([USER, f" {USER} ", "", None, "a\x00"])},
    "person": {"family_id": _forms_of_id(FAMILY_ID), "last_name": TEXTS, "first_name": TEXTS,
               "patronymic": TEXTS, "birth_date": DATES, "sex": _enum("female", "male"),
               "role": _enum("child", "parent"), "disability": BOOLS,
               "special_educational_needs": BOOLS, "deleted": BOOLS},
    "visit": {"family_id": _forms_of_id(FAMILY_ID), "visited_at": INSTANTS,
              "place": _enum("home", "office"), "place_details": TEXTS,
              "present": st.sampled_from([[PERSON_ID], [PERSON_ID.upper()],
                                          [uuid.UUID(PERSON_ID).hex], [], [1], PERSON_ID,
                                          None]),
              "services": SERVICES, "child_needs": PARAGRAPHS,
              "risk_level": _enum("low", "medium", "high"), "next_visit_date": DATES,
              "deleted": BOOLS},
    "note": {"family_id": _forms_of_id(FAMILY_ID), "text": PARAGRAPHS, "written_at": INSTANTS,
             "deleted": BOOLS},
    "review": {"target_kind": _enum("visit", "note"), "target_id": _forms_of_id(VISIT_ID),
               "decision": _enum("approved", "returned"), "comment": PARAGRAPHS,
               "reviewed_at": INSTANTS, "deleted": BOOLS,
               "target_clock": st.sampled_from(["001795000000000-000000-dev-a", "", None,
                                                " 001795000000000-000000-dev-a", "x"])},
    "placement": {"child_id": _forms_of_id(PERSON_ID),
                  "foster_family_id": _forms_of_id(FOSTER_ID),
                  "birth_family_id": _forms_of_id(FAMILY_ID), "start_date": DATES,
                  "planned_end": DATES, "extension_decision_date": DATES,
                  "extended_end": DATES, "ended_on": DATES,
                  "outcome": _enum("returned_home", "next_placement", "other"),
                  "outcome_details": TEXTS, "order_reference": TEXTS, "deleted": BOOLS},
}


@st.composite
def changes(draw: Any) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """A kind, the values of a create, and (or not) the values of a later update."""
    kind = draw(st.sampled_from(sorted(BASES)))
    forms = FORMS[kind]

    def odd(count: int) -> dict[str, Any]:
        names = draw(st.lists(st.sampled_from(sorted(forms)), min_size=1, max_size=count,
                              unique=True))
        return {n: draw(forms[n]) for n in names}

    create = {**BASES[kind], **odd(3)}
    # Notes and reviews are immutable: an edit is refused before any value is looked at.
    update = odd(2) if kind not in ("note", "review") and draw(st.booleans()) else None
    return kind, create, update


def _model(kind: str, rid: str, values: dict[str, Any]) -> Record | None:
    try:
        return model_class(kind).model_validate({**values, "id": rid, "community": ZH.value})
    except ValidationError:
        return None


def _typed(value: Any) -> Any:
    """A typed-table value comparable to the model's (times compare as instants)."""
    return value if isinstance(value, datetime) else to_jsonable_python(value)


def _stored(engine: Engine, kind: str, rid: str) -> dict[str, Any] | None:
    table = KIND_TABLES[RecordKind(kind)]
    with read_tx(engine) as conn:
        row = conn.execute(select(RECORDS.c.deleted, RECORDS.c.state, RECORDS.c.wire)
                           .where(RECORDS.c.id == uuid.UUID(rid))).first()
        typed = conn.execute(select(table).where(table.c.id == uuid.UUID(rid))).first()
        history = field_writes(conn, [uuid.UUID(rid)])
    if row is None:
        assert typed is None
        return None
    state = row.state if isinstance(row.state, dict) else json.loads(row.state)
    return {"deleted": row.deleted,
            "state": {name: f["c"][0] for name, f in state["f"].items()},
            "wire": RecordChange.model_validate_json(row.wire).values,
            "typed": dict(typed._mapping) if typed is not None else None,
            "history": {(w.field, json.dumps(w.value, sort_keys=True)) for w in history}}


def _check_stored(got: dict[str, Any], model: Record, sent: dict[str, Any]) -> None:
    want = model.model_dump(mode="json")
    assert got["deleted"] is model.deleted
    for name in sent:
        assert got["state"][name] == want[name], name
        assert got["wire"][name] == want[name], name
        assert json.dumps(got["state"][name]) == json.dumps(want[name]), name  # True is not 1
        assert _typed(got["typed"][name]) == _typed(getattr(model, name)), name
        assert (name, json.dumps(want[name], sort_keys=True)) in got["history"], name


#: Examples per backend; each is a push (and perhaps a second) through the real database.
EXAMPLES = 200


def test_what_the_model_accepts_is_stored_as_it_holds_it(engine: Engine) -> None:
    clock = HybridClock("server", max_drift_ms=300_000)
    tick = iter(range(10**9))

    def stamp() -> str:
        ms = int((NOW - timedelta(hours=1)).timestamp() * 1000)
        return f"{ms:015d}-{next(tick) % 999_999:06d}-dev-a"

    def send(kind: str, rid: str, values: dict[str, Any], supersede: str | None = None,
             principal: Principal = PRINCIPAL) -> tuple[str, str]:
        """The status of one mutation of ``values`` at a fresh clock, and that clock."""
        c = stamp()
        m = {"mutation_id": str(uuid.uuid4()), "record_id": rid, "kind": kind,
             "community": ZH.value,
             "fields": {n: {"value": v, "clock": c, "supersedes": [supersede] if supersede
                            else []} for n, v in values.items()}}
        body = PUSH_BODY.validate_python({"device_clock": stamp(), "mutations": [m]})
        [result] = push(engine, principal=principal, request=body, clock=clock,
                        max_drift_ms=300_000).results
        assert result.code in (None, "validation_error"), result
        return result.status.value, c

    # The family the other kinds belong to, and a child of it.
    assert send("family", FAMILY_ID, BASES["family"])[0] == "applied"
    assert send("person", PERSON_ID, BASES["person"])[0] == "applied"
    foster = {**BASES["family"], "family_name": "Петренко", "foster_family": True}
    assert send("family", FOSTER_ID, foster)[0] == "applied"
    visit = {**BASES["visit"], "author": COLLEAGUE.username}
    assert send("visit", VISIT_ID, visit, principal=COLLEAGUE)[0] == "applied"
    tried = {"accepted": 0, "refused": 0}

    @given(change=changes())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(change: tuple[str, dict[str, Any], dict[str, Any] | None]) -> None:
        kind, create, update = change
        rid = str(uuid.uuid4())
        model = _model(kind, rid, create)
        status, first_clock = send(kind, rid, create)
        got = _stored(engine, kind, rid)
        if model is None:
            assert (status, got) == ("rejected", None), (create, got)
            tried["refused"] += 1
            return
        assert status == "applied", create
        assert got is not None
        _check_stored(got, model, create)
        tried["accepted"] += 1
        if update is None:
            return
        # A later edit that saw the create: the merged record is the create overlaid by it.
        held = model.model_dump(mode="json", exclude={"id", "community"})
        after = _model(kind, rid, {**held, **update})
        status, _ = send(kind, rid, update, supersede=first_clock)
        again = _stored(engine, kind, rid)
        assert again is not None
        if after is None:
            assert status == "rejected", update
            assert again["state"] == got["state"]  # nothing of it stored
            tried["refused"] += 1
        else:
            assert status == "applied", update
            _check_stored(again, after, update)
            tried["accepted"] += 1

    check()
    print(f"normal form: {tried['accepted']} accepted, {tried['refused']} refused "
          f"({engine.dialect.name})")
    assert tried["accepted"] > EXAMPLES // 4 and tried["refused"] > EXAMPLES // 4
