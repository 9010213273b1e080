"""A batch applied at once gives what its mutations give applied one push at a time.

The push takes batch-level shortcuts: one query for every record and stored answer, creates
that skip the merge, records created and edited within one batch, one bulk statement per
table. None of that may change what a device or an auditor sees. The reference is the plain
path: each mutation in its own push, and every create through the merge (as if the record
existed, empty). Hypothesis writes random programs — creates, edits that saw the latest
value, stale and concurrent edits (conflicts), resolutions, deletes, notes and their
forbidden edits, visits and reviews of them, reviews of missing targets, children, foster
families and placements whose references may or may not hold, and invalid,
forbidden, unknown-field and self-superseding writes — and pushes each one both ways, into
two databases. The answers, records, typed rows, history, stored answers, conflict records
and refusal audit must agree; a replay of what was accepted must answer the same and write
nothing. Both backends.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from sync_server.db import make_engine, read_tx
from sync_server.history import field_writes
from sync_server.migrate import upgrade
from sync_server.permissions import Principal
from sync_server.push import push
from sync_server.push_rows import Batch
from sync_server.tables import KIND_TABLES, AppliedMutation, AuditEntry, RecordRow
from sync_server.wire import PUSH_BODY
from tests.server.conftest import create_pg_database, drop_pg_database, pg_url, reset_postgres

ZH, ZV = CommunityCode.ZHYTOMYRSKA, CommunityCode.ZVIAHELSKA
USER = "nadia"
PRINCIPAL = Principal(1, USER, Role.SUPERVISOR, frozenset({ZH}), uuid.UUID(int=7))
BASE_MS = 1_795_000_000_000  # 2026-11-18: in the past, so no clock is ever "ahead"
NAMES = ["Коваленко", "Бондар", "Ткачук", "Мельник"]
PLACES = ["Житомир", "Бердичів", "Коростень"]
PAST = (datetime.now(UTC) - timedelta(days=2)).isoformat()
START = datetime.now(UTC).date() - timedelta(days=10)


@dataclass
class Program:
    """Mutations in outbox order, and what the generating device knows."""

    mutations: list[dict[str, Any]] = field(default_factory=list)
    families: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # id -> clocks
    notes: list[str] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    foster: list[str] = field(default_factory=list)  # families this device marked foster
    tick: int = 0

    def clock(self, draw: Any) -> str:
        """A clock: mostly later than the last, sometimes an older concurrent one."""
        self.tick += 1
        ms = BASE_MS + 1000 * (self.tick - draw(st.integers(0, 3)))
        node = draw(st.sampled_from(["dev-a", "dev-b"]))
        return f"{ms:015d}-{draw(st.integers(0, 2)):06d}-{node}"

    def add(self, kind: str, rid: str, fields: dict[str, tuple[Any, str, list[str]]],
            community: CommunityCode = ZH) -> None:
        self.mutations.append({
            "mutation_id": str(uuid.uuid4()), "record_id": rid, "kind": kind,
            "community": community.value,
            "fields": {n: {"value": v, "clock": c, "supersedes": s}
                       for n, (v, c, s) in fields.items()}})


def _new_family(p: Program, draw: Any) -> None:
    rid, c = str(uuid.uuid4()), p.clock(draw)
    # A create may supersede clocks (a device re-creating what it saw elsewhere).
    seen = draw(st.lists(st.integers(1, 999), max_size=2, unique=True))
    old = [f"{BASE_MS - s:015d}-000000-dev-c" for s in seen]
    fields = {"family_name": (draw(st.sampled_from(NAMES)), c, old),
              "settlement": (draw(st.sampled_from(PLACES)), c, [])}
    if draw(st.booleans()):
        fields["displaced"] = (draw(st.booleans()), c, [])
    p.add("family", rid, fields)
    p.families[rid] = {n: [c] for n in fields}


def _edit_family(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid = draw(st.sampled_from(sorted(p.families)))
    name = draw(st.sampled_from(["family_name", "settlement", "displaced", "address"]))
    c = p.clock(draw)
    known = [k for k in p.families[rid].get(name, []) if k < c]
    how = draw(st.sampled_from(["latest", "blind", "all"]))
    sup = ([] if how == "blind" or not known else
           [max(known)] if how == "latest" else sorted(set(known))[-16:])
    value: Any = (draw(st.booleans()) if name == "displaced" else
                  draw(st.sampled_from(NAMES + PLACES + [""])))
    p.add("family", rid, {name: (value, c, sup)})
    p.families[rid].setdefault(name, []).append(c)


def _delete_family(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid = draw(st.sampled_from(sorted(p.families)))
    p.add("family", rid, {"deleted": (True, p.clock(draw), [])})
    p.foster = [f for f in p.foster if f != rid]


def _new_note(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid, c = str(uuid.uuid4()), p.clock(draw)
    family = draw(st.sampled_from(sorted(p.families)))
    p.add("note", rid, {"family_id": (family, c, []), "text": ("Потрібен супровід", c, []),
                        "written_at": (PAST, c, []), "author": (USER, c, [])})
    p.notes.append(rid)


def _edit_note(p: Program, draw: Any) -> None:
    if not p.notes:
        return _new_note(p, draw)
    rid = draw(st.sampled_from(p.notes))
    p.add("note", rid, {"text": ("Виправлено", p.clock(draw), [])})


def _new_visit(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid, c = str(uuid.uuid4()), p.clock(draw)
    family = draw(st.sampled_from(sorted(p.families)))
    p.add("visit", rid, {"family_id": (family, c, []), "visited_at": (PAST, c, []),
                         "risk_level": (draw(st.sampled_from(["low", "high"])), c, []),
                         "author": (USER, c, []), "services": (["002.0"], c, [])})
    p.visits.append(rid)


def _review(p: Program, draw: Any) -> None:
    if not p.visits:
        return _new_visit(p, draw)
    target = draw(st.sampled_from([*p.visits, *p.visits, *p.visits, str(uuid.uuid4())]))
    c = p.clock(draw)
    p.add("review", str(uuid.uuid4()), {
        "target_kind": ("visit", c, []), "target_id": (target, c, []),
        "decision": ("approved", c, []), "reviewer": (USER, c, []),
        "reviewed_at": (PAST, c, [])})


def _new_child(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid, c = str(uuid.uuid4()), p.clock(draw)
    family = draw(st.sampled_from(sorted(p.families)))
    p.add("person", rid, {"family_id": (family, c, []), "last_name": ("Коваленко", c, []),
                          "first_name": ("Марія", c, []), "birth_date": ("2018-04-02", c, [])})
    p.children.append(rid)


def _mark_foster(p: Program, draw: Any) -> None:
    if not p.families:
        return _new_family(p, draw)
    rid = draw(st.sampled_from(sorted(p.families)))
    c = p.clock(draw)
    known = [k for k in p.families[rid].get("foster_family", []) if k < c]
    mark = draw(st.sampled_from([True, True, False]))
    p.add("family", rid, {"foster_family": (mark, c, known[-1:])})
    p.families[rid].setdefault("foster_family", []).append(c)
    if mark:
        p.foster.append(rid)


def _placement(p: Program, draw: Any) -> None:
    """A placement whose references may or may not hold (a child, a foster family)."""
    if not p.children:
        return _new_child(p, draw)
    if not p.foster:
        return _mark_foster(p, draw)
    if draw(st.integers(0, 3)) == 0:  # likely refused
        child = draw(st.sampled_from([*p.children, *sorted(p.families), str(uuid.uuid4())]))
        foster = draw(st.sampled_from([*sorted(p.families), *p.children, str(uuid.uuid4())]))
    else:  # likely to stand (unless a later edit unmarked the family first)
        child, foster = draw(st.sampled_from(p.children)), draw(st.sampled_from(p.foster))
    c = p.clock(draw)
    p.add("placement", str(uuid.uuid4()), {
        "child_id": (child, c, []), "foster_family_id": (foster, c, []),
        "start_date": (START.isoformat(), c, []),
        "planned_end": ((START + timedelta(days=60)).isoformat(), c, [])})


def _refused(p: Program, draw: Any) -> None:
    c = p.clock(draw)
    rid = draw(st.sampled_from([*sorted(p.families), str(uuid.uuid4())]))
    how = draw(st.sampled_from(["no_name", "community", "unknown", "self", "partial"]))
    if how == "no_name":
        p.add("family", str(uuid.uuid4()), {"settlement": ("Житомир", c, [])})
    elif how == "community":
        p.add("family", rid, {"family_name": ("Чужа", c, []), "settlement": ("Звягель", c, [])},
              community=ZV)
    elif how == "unknown":
        p.add("family", rid, {"nickname": ("x", c, [])})
    elif how == "self":
        p.add("family", rid, {"address": ("вул. Київська", c, [c])})
    else:  # an edit of a record the server never had: not a valid family on its own
        p.add("family", str(uuid.uuid4()), {"address": ("вул. Лесі Українки", c, [])})


OPS = [_new_family, _edit_family, _edit_family, _delete_family, _new_note, _edit_note,
       _new_visit, _review, _new_child, _mark_foster, _placement, _placement, _refused]


@st.composite
def programs(draw: Any) -> list[dict[str, Any]]:
    p = Program()
    for _ in range(draw(st.integers(1, 18))):
        draw(st.sampled_from(OPS))(p, draw)
    return p.mutations


def _push(engine: Engine, clock: HybridClock, mutations: list[dict[str, Any]]) -> list[Any]:
    body = {"device_clock": f"{BASE_MS + 10**6:015d}-000000-dev-a", "mutations": mutations}
    parsed = PUSH_BODY.validate_python(body)  # the server's own parse, as the route's
    answer = push(engine, principal=PRINCIPAL, request=parsed, clock=clock,
                  max_drift_ms=300_000)
    return [(str(r.mutation_id), r.status.value, r.code and str(r.code), r.reason)
            for r in answer.results]


def snapshot(engine: Engine, ids: set[str]) -> dict[str, Any]:
    """What the mutations wrote for the records ``ids`` (and their conflict records)."""
    rec = RecordRow.__table__  # type: ignore[attr-defined]
    app = AppliedMutation.__table__  # type: ignore[attr-defined]
    aud = AuditEntry.__table__  # type: ignore[attr-defined]
    conflicts = KIND_TABLES[next(k for k in KIND_TABLES if k.value == "conflict")]
    uids = [uuid.UUID(i) for i in ids]
    out: dict[str, Any] = {}
    with read_tx(engine) as conn:
        crows = conn.execute(select(conflicts).where(conflicts.c.record_id.in_(uids))).all()
        cids = {r.id for r in crows}
        out["conflicts"] = sorted(
            (str(r.record_id), r.field, repr(r.winner_value), r.winner_clock,
             repr(r.loser_value), r.loser_clock, r.status, r.resolved_by) for r in crows)
        records = conn.execute(select(rec).where(rec.c.id.in_(uids))).all()
        out["records"] = {str(r.id): (r.kind, r.community, r.deleted, r.state,
                                      _without_position(r.wire), r.winner_author,
                                      r.loser_author)
                          for r in records}
        # Positions differ (one batch or many), but each record sits at one, unique per feed.
        feed = conn.execute(select(rec.c.community, rec.c.position)
                            .where(rec.c.id.in_(uids + list(cids)))).all()
        assert len(set(feed)) == len(feed)
        for kind, table in KIND_TABLES.items():
            if kind.value == "conflict":
                continue  # compared above (their clocks are the server's own)
            rows = conn.execute(select(table).where(table.c.id.in_(uids))).all()
            out[kind.value] = {str(r.id): {k: v for k, v in r._mapping.items()
                                           if k != "updated_at"} for r in rows}
        out["history"] = Counter(
            (w.record_id, w.field, repr(w.value), w.clock, w.author, tuple(w.supersedes),
             repr(w.previous_value), w.previous_clock, w.mutation_id)
            for w in field_writes(conn, uids))
        out["applied"] = {str(r.mutation_id): (str(r.record_id), r.payload_hash, r.status)
                          for r in conn.execute(select(app).where(app.c.record_id.in_(uids)))}
        refused = conn.execute(select(aud).where(aud.c.action.in_(["push_refused", "review"])))
        out["audit"] = Counter((r.action, r.community, tuple(r.record_ids), r.detail)
                               for r in refused if set(r.record_ids) & ids)
    return out


def _without_position(wire: str) -> dict[str, Any]:
    """A record's stored pull text, but for its feed position (one batch or many differ)."""
    change = json.loads(wire)
    change.pop("position")
    return change


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_engines(request: pytest.FixtureRequest, tmp_path: Path,
                sqlite_template: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two empty migrated databases of one backend: one for batches, one for one-by-one."""
    if request.param == "sqlite":
        urls = []
        for name in ("batch", "single"):
            path = tmp_path / f"{name}.db"
            path.write_bytes(sqlite_template.read_bytes())
            urls.append(f"sqlite:///{path}")
        engines = [make_engine(u) for u in urls]
        yield engines[0], engines[1]
    else:
        first = request.getfixturevalue("pg_database")
        second = create_pg_database()
        try:
            upgrade(pg_url(second))
            engines = [make_engine(first, pool_size=2), make_engine(pg_url(second), pool_size=2)]
            reset_postgres(engines[0])
            yield engines[0], engines[1]
        finally:
            for e in engines:
                e.dispose()
            drop_pg_database(second)
    for e in engines:
        e.dispose()


def test_a_batch_gives_what_its_mutations_give_one_by_one(
        two_engines: tuple[Engine, Engine]) -> None:
    batch_db, single_db = two_engines
    batch_clock = HybridClock("server-batch", max_drift_ms=300_000)
    single_clock = HybridClock("server-single", max_drift_ms=300_000)

    @given(program=programs())
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(program: list[dict[str, Any]]) -> None:
        at_once = _push(batch_db, batch_clock, program)
        with patch.object(Batch, "exists", lambda _self, _rid: True):  # creates merge too
            one_by_one = [r for m in program for r in _push(single_db, single_clock, [m])]
        assert at_once == one_by_one
        ids = {m["record_id"] for m in program}
        before = snapshot(batch_db, ids)
        assert before == snapshot(single_db, ids)
        # A replay of what was accepted (its answer was lost) answers the same, writes nothing.
        accepted = [(m, a) for m, a in zip(program, at_once, strict=True)
                    if a[1] in ("applied", "conflict")]
        if accepted:
            again = _push(batch_db, batch_clock, [m for m, _ in accepted])
            assert again == [a for _, a in accepted]
            assert snapshot(batch_db, ids) == before

    check()
