"""The API under generated hostile input: never a 5xx, never a hang, always the error shape.

Hypothesis builds requests the schema-driven test (``test_schemathesis.py``) does not:
cursors and limits at and past 2^63, dates in year 1, 9999 and 10000, texts with NUL and
lone surrogates (as JSON escapes, as raw bytes that are not UTF-8, percent-encoded in a
query), JSON nested thousands deep, numbers of hundreds of digits, NaN, clocks at the ends
of their pattern — in pulls, pushes of every kind, exports, logins and admin calls, each
signed in as a user who may make it. Every answer must come within ``SLOW_S``, below 500,
and, when an error, in the ``{code, message}`` shape. Afterwards a normal sync (push and
pull) still works and the database is sound: SQLite's ``PRAGMA integrity_check``; on both
backends every stored record's pull text and state read back and match its typed row.

Runs on SQLite and PostgreSQL, ``EXAMPLES`` requests each (derandomized: the same requests
every run); it prints how many it tried per operation and status.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as run_with
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind, Role
from shared_models.protocol import MAX_POSITION, RecordChange
from shared_models.records import field_names
from sync_server.app import create_app
from sync_server.db import read_tx
from sync_server.settings import Settings
from sync_server.tables import KIND_TABLES, RecordRow
from tests.server.appclient import AppClient
from tests.server.conftest import SECRET
from tests.server.helpers import (
    PROTO,
    ZH,
    Device,
    family_fields,
    login,
    make_user,
    mutation,
    visit_fields,
)

#: Requests per backend, and the longest any one may take.
EXAMPLES = 400
SLOW_S = 10.0
RECORDS = RecordRow.__table__  # type: ignore[attr-defined]

# ---- values ---------------------------------------------------------------------------------

BIG_INTS = [0, 1, -1, 2**31, 2**53 + 1, MAX_POSITION, MAX_POSITION + 1, 2**64, -(2**63) - 1,
            10**100]
ints = st.sampled_from(BIG_INTS) | st.integers()
#: Text with controls (NUL first), lone surrogates and non-Latin letters and digits.
#: (Surrogates are a drawn text's one letter in thirteen, or one of the samples: JSON with one
#: anywhere is refused whole, and most requests should get past the parse.)
odd_text = st.one_of(
    *[st.text(st.characters(categories=["Cc", "Ll", "Lu", "Nd", "No", "Zs", "Po"]),
              max_size=12)] * 3,
    st.text(st.characters(categories=["Cs", "Ll", "Cc"]), max_size=12),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff", "Коваленко", "٣", "²", " ", ""]))
DATES = ["0001-01-01", "9999-12-31", "10000-01-01", "1899-12-31", "2099-12-31", "2100-01-01",
         "2026-02-30", "0000-00-00", "2026-01-01T00:00:00", "2026-01-01\x00",
         "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00"]
dates = st.sampled_from(DATES) | st.dates().map(str)
json_scalars = (st.none() | st.booleans() | ints | st.floats() | odd_text
                | st.sampled_from(DATES) | st.uuids().map(str))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(odd_text, inner, max_size=3), max_leaves=10)
#: Values without lone surrogates (any one makes the whole body invalid JSON).
clean_values = st.recursive(
    st.none() | st.booleans() | ints | st.floats() | st.sampled_from(DATES)
    | st.uuids().map(str) | st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner,
                                                               max_size=3), max_leaves=10)
_RAW = ["1" + "0" * 5000, "-" + "9" * 400, "1e400", "-1e400", "NaN", "Infinity",
        '"\\ud800"', '"\\udc00x"', '"a\\u0000b"', '"\\u0000"']


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_values = st.sampled_from(_RAW) | st.sampled_from([10, 199, 201, 1000, 30_000]).map(deep)
clocks = st.builds(lambda ms, c, node: f"{ms:015d}-{c:06d}-{node}",
                   st.sampled_from([0, 1, 10**15 - 1]) | st.integers(0, 10**15 - 1),
                   st.sampled_from([0, 999_999]) | st.integers(0, 999_999),
                   st.sampled_from(["a", "dev-1", "x" * 60]))
clock_text = clocks | odd_text


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` three times in four: a request must pass most checks to reach the deeper ones."""
    return st.sampled_from([good, good, good, bad]).flatmap(lambda s: s)


def recent_clock() -> str:
    return f"{int(time.time() * 1000) - 1000:015d}-000000-prop"


# ---- requests -------------------------------------------------------------------------------

#: Who makes each operation (a user who may: the answer then depends on the input alone).
WHO = {"pull": "worker", "push": "worker", "export": "koord", "revoke": "admin",
       "activity": "koord", "login": None}


@st.composite
def pulls(draw: Any) -> dict[str, Any]:
    parts = draw(st.lists(st.tuples(
        st.sampled_from([c.value for c in CommunityCode] + ["Zhytomyrska", "x"]) | odd_text,
        st.sampled_from([str(i) for i in BIG_INTS] + ["٣", "²", "1.5", "", "+1", "0x10"])
        | ints.map(str) | odd_text), max_size=4))
    since = ",".join(f"{c}:{p}" for c, p in parts)
    query = {"since": since}
    if draw(st.booleans()):
        query["limit"] = draw(ints.map(str) | odd_text)
    if draw(st.booleans()):
        query["role"] = draw(st.sampled_from([r.value for r in Role]) | odd_text)
    qs = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in query.items())
    return {"op": "pull", "method": "GET", "url": f"/api/v1/sync/pull?{qs}"}


@st.composite
def exports(draw: Any) -> dict[str, Any]:
    path = draw(st.sampled_from(["visits", "services", "workbook"]))
    communities = draw(st.lists(st.sampled_from([c.value for c in CommunityCode]) | odd_text,
                                max_size=3))
    query = [("community", c) for c in communities]
    query += [("start", draw(dates | odd_text)), ("end", draw(dates | odd_text))]
    qs = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in query)
    return {"op": "export", "method": "GET", "url": f"/api/v1/exports/{path}?{qs}"}


def _encode(body: Any, how: str) -> bytes:
    if how == "ascii":  # surrogates as \\udXXX escapes
        return json.dumps(body, ensure_ascii=True).encode()
    # Raw UTF-8, lone surrogates as the (invalid) bytes they would be.
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def pushes(draw: Any) -> dict[str, Any]:
    """A push of one mutation: in half of them every part the wire model checks is well formed
    (the mutation reaches the merge and the models), in the other half anything goes."""
    clean = draw(st.booleans())

    def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        return good if clean else globals()["mostly"](good, bad)

    kind = draw(mostly(st.sampled_from(["family", "person", "visit", "note", "review",
                                        "placement"]), st.sampled_from(["conflict", "x"])))
    names = sorted(field_names(kind)) if kind != "x" else ["a"]
    fields: dict[str, Any] = {}
    for name in draw(st.lists(mostly(st.sampled_from(names),
                                     st.sampled_from(["", "A", "x" * 65]) | odd_text),
                              min_size=0, max_size=4, unique=True)):
        write: dict[str, Any] = {"value": draw(clean_values if clean else json_values),
                                 "clock": draw(mostly(st.just(recent_clock()), clock_text))}
        if draw(st.booleans()):
            write["supersedes"] = draw(st.lists(mostly(clocks, clock_text), max_size=3))
        fields[name] = write
    if clean and draw(st.booleans()):
        # A valid family with one field spoilt (or set to an odd but valid value).
        kind = "family"
        values = family_fields("Коваленко", displaced=False, next_visit_date="2099-12-31",
                               phone="+380 67 123 45 67", address="вул. Миру, 1")
        values[draw(st.sampled_from(sorted(field_names(kind))))] = draw(
            clean_values | st.sampled_from(["yes", " Житомир ", "true", "2099-12-31", 1]))
        stamp = recent_clock()
        fields = {n: {"value": v, "clock": stamp} for n, v in values.items()}
    m = {"mutation_id": draw(mostly(st.uuids().map(str), odd_text)),
         "record_id": draw(mostly(st.uuids().map(str), odd_text)), "kind": kind,
         "community": draw(mostly(st.just(ZH.value), st.just("malynska") | odd_text)),
         "fields": fields}
    body: dict[str, Any] = {"device_clock": draw(mostly(st.just(recent_clock()), clock_text)),
                            "mutations": [m]}
    raw = _encode(body, draw(st.sampled_from(["ascii", "utf8"])))
    if fields and draw(st.sampled_from([False, False, False, True])):
        # A value JSON cannot carry through ``json.dumps``: put its text in place of one.
        marker = json.dumps("\x01marker\x01")
        body["mutations"][0]["fields"][next(iter(fields))]["value"] = "\x01marker\x01"
        raw = _encode(body, "ascii").replace(marker.encode(), draw(raw_values).encode())
    return {"op": "push", "method": "POST", "url": "/api/v1/sync/push", "content": raw}


@st.composite
def logins(draw: Any) -> dict[str, Any]:
    body = {"username": draw(st.just("worker") | odd_text),
            "password": draw(st.just("x") | odd_text), "device_name": draw(odd_text)}
    if draw(st.booleans()):
        body[draw(st.sampled_from(list(body)))] = draw(json_values)
    raw = _encode(body, draw(st.sampled_from(["ascii", "utf8"])))
    return {"op": "login", "method": "POST", "url": "/api/v1/auth/login", "content": raw}


@st.composite
def revokes(draw: Any) -> dict[str, Any]:
    target = draw(st.uuids().map(str) | odd_text | ints.map(str))
    return {"op": "revoke", "method": "POST",
            "url": f"/api/v1/admin/devices/{quote(target.encode('utf-8', 'surrogatepass'))}"
                   "/revoke"}


requests = st.one_of(pulls(), pushes(), exports(), logins(), revokes(),
                     st.just({"op": "activity", "method": "GET",
                              "url": "/api/v1/devices/activity"}))


# ---- the test -------------------------------------------------------------------------------

@pytest.fixture
def hostile_client(database_url: str, engine: Engine) -> Iterator[AppClient]:
    """An app whose login limits a few hundred failed logins do not reach."""
    s = Settings(database_url=database_url, secret_key=SECRET, instance_id="prop",
                 env="development", login_max_failures_per_address=100_000,
                 login_max_failures_per_account=100_000)
    with AppClient(create_app(s, engine=engine)) as c:
        yield c


def _sound(engine: Engine) -> int:
    """Check the database; returns how many records it holds."""
    with read_tx(engine) as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        rows = conn.execute(select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.deleted,
                                   RECORDS.c.state, RECORDS.c.wire)).all()
        for rid, kind, deleted, state, wire in rows:
            change = RecordChange.model_validate_json(wire)
            assert str(change.record_id) == str(rid)
            assert bool(change.values.get("deleted", False)) is deleted
            held = state if isinstance(state, dict) else json.loads(state)
            assert {n: f["c"][0] for n, f in held["f"].items()} == change.values
            table = KIND_TABLES[RecordKind(kind)]
            typed = conn.execute(select(table.c.deleted).where(table.c.id == rid)).scalar_one()
            assert typed is deleted
    return len(rows)


def test_hostile_requests_never_break_the_server(hostile_client: AppClient, engine: Engine,
                                                 settings: Settings) -> None:
    client = hostile_client
    make_user(engine, settings, "worker", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "koord", Role.COORDINATOR)
    make_user(engine, settings, "admin", Role.ADMIN)
    headers = {who: login(client, who) for who in ("worker", "koord", "admin")}
    tried: Counter[tuple[str, int]] = Counter()
    slowest = 0.0

    @given(req=requests)
    @run_with(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(req: dict[str, Any]) -> None:
        nonlocal slowest
        who = WHO[req["op"]]
        h = {**(headers[who] if who else PROTO), "Content-Type": "application/json"}
        began = time.monotonic()
        r = client.request(req["method"], req["url"], headers=h, content=req.get("content"))
        took = time.monotonic() - began
        slowest = max(slowest, took)
        tried[req["op"], r.status_code // 100 * 100] += 1
        assert took < SLOW_S, (req["url"], took)
        assert r.status_code < 500, (req, r.text)
        if r.status_code >= 400:
            body = r.json()
            assert set(body) == {"code", "message"} and body["message"], body

    check()
    counts = ", ".join(f"{op} {status}: {n}" for (op, status), n in sorted(tried.items()))
    print(f"\nhostile requests ({engine.dialect.name}): {sum(tried.values())} tried "
          f"({counts}); slowest {slowest:.2f} s")
    assert sum(tried.values()) == EXAMPLES
    # Every operation was reached, and some requests of the kinds that write were accepted.
    assert {op for op, _ in tried} == set(WHO)
    # A normal sync still works on what is left.
    worker = Device(client, headers["worker"], "worker-phone")
    fam = mutation("family", ZH, family_fields("Коваленко"), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "worker"), worker.stamp())
    r = worker.push([fam, visit])
    assert [x["status"] for x in r.json()["results"]] == ["applied", "applied"], r.text
    fresh = Device(client, login(client, "worker", "second phone"), "second-phone")
    pulled = {c["record_id"] for c in fresh.pull_all()}
    assert {fam["record_id"], visit["record_id"]} <= pulled
    assert _sound(engine) >= 2

