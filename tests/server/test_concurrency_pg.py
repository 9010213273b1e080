"""Concurrency on PostgreSQL: many pushers and pullers at once.

Pushers create and edit records (and replay some batches, as after a lost answer) while every
transaction is slowed down *after* taking its feed positions — the window in which a
sequence-based feed would hand a reader a cursor past a change not yet committed. Pullers page
through the feed all along. Afterwards every puller must hold every record at its final state
(no change skipped), and nothing may have been applied twice. Coordinators pull everything;
social workers who wrote none of the conflicts (the pushers' edits open some) pull everything
but those, their cursors moving past the rows left out — and still skip nothing.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.protocol import PushRequest
from sync_server import accounts, feed
from sync_server.db import make_engine
from sync_server.history import field_writes
from sync_server.permissions import Principal
from sync_server.pull import pull
from sync_server.push import push
from sync_server.settings import Settings
from tests.server.conftest import SECRET, reset_postgres
from tests.server.helpers import PASSWORD, ZH, ZV, family_fields, make_user, mutation

pytestmark = pytest.mark.postgres
PUSHERS, BATCHES, PER_BATCH, PULLERS, WORKER_PULLERS = 8, 20, 6, 3, 2


@pytest.fixture
def pg(pg_database: str) -> Iterator[tuple[Engine, Settings]]:
    engine = make_engine(pg_database, pool_size=PUSHERS + PULLERS + WORKER_PULLERS + 2)
    reset_postgres(engine)
    yield engine, Settings(database_url=pg_database, secret_key=SECRET, instance_id="conc")
    engine.dispose()


def principal(engine: Engine, settings: Settings, name: str, role: Role,
              communities: list[CommunityCode]) -> Principal:
    uid = make_user(engine, settings, name, role, communities)
    result = accounts.login(engine, username=name, password=PASSWORD, device_name="t",
                            address=None, settings=settings)
    return Principal(uid, name, role, frozenset(communities), result.device_id)


def test_no_pull_skips_a_committed_change(pg: tuple[Engine, Settings],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    engine, settings = pg
    real_take = feed.take_positions

    def slow_take(conn: Any, community: str, count: int) -> list[int]:
        positions = real_take(conn, community, count)
        time.sleep(random.uniform(0, 0.01))  # commit late, holding the positions
        return positions

    monkeypatch.setattr("sync_server.push_rows.take_positions", slow_take)
    server = HybridClock("server-conc")
    pushers = [principal(engine, settings, f"w{i}", Role.SOCIAL_WORKER, [ZH, ZV])
               for i in range(PUSHERS)]
    pullers = [principal(engine, settings, f"c{i}", Role.COORDINATOR, [])
               for i in range(PULLERS)]
    pullers += [principal(engine, settings, f"r{i}", Role.SOCIAL_WORKER, [ZH, ZV])
                for i in range(WORKER_PULLERS)]
    done = threading.Event()
    errors: list[BaseException] = []
    accepted: list[str] = []
    lock = threading.Lock()

    def run_pusher(p: Principal) -> None:
        clock = HybridClock(f"dev-{p.username}")
        mine: list[dict[str, Any]] = []
        last_batch: list[dict[str, Any]] = []
        for b in range(BATCHES):
            batch = []
            for _ in range(PER_BATCH):
                community = random.choice([ZH, ZV])
                if mine and random.random() < 0.4:
                    target = random.choice(mine)
                    batch.append(mutation("family", CommunityCode(target["community"]),
                                          {"address": f"буд. {random.randint(1, 999)}"},
                                          clock.now().encode(), record_id=target["record_id"]))
                else:
                    m = mutation("family", community, family_fields(f"{p.username}-{b}"),
                                 clock.now().encode())
                    mine.append(m)
                    batch.append(m)
            for attempt in ([batch, last_batch] if last_batch and b % 4 == 0 else [batch]):
                resp = push(engine, principal=p, clock=server, max_drift_ms=300_000,
                            request=PushRequest.model_validate(
                                {"device_clock": clock.now().encode(), "mutations": attempt}))
                assert all(r.status.value in ("applied", "conflict") for r in resp.results)
            with lock:
                accepted.extend(m["mutation_id"] for m in batch)
            last_batch = batch

    def run_puller(p: Principal, out: dict[str, dict[str, Any]]) -> None:
        cursors: dict[CommunityCode, int] = {}
        while True:
            finished = done.is_set()  # read before the pull: drain once after pushers end
            page = pull(engine, principal=p, since=cursors, limit=random.randint(3, 12),
                        clock=server).to_response()
            for ch in page.changes:
                assert ch.position > cursors.get(ch.community, 0), "went backwards"
                out[str(ch.record_id)] = dict(ch.values)
            cursors = dict(page.cursors)
            if finished and not page.more:
                return

    def guard(fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    seen: list[dict[str, dict[str, Any]]] = [{} for _ in pullers]
    threads = [threading.Thread(target=guard, args=(run_pusher, p)) for p in pushers]
    readers = [threading.Thread(target=guard, args=(run_puller, p, s))
               for p, s in zip(pullers, seen, strict=True)]
    for t in threads + readers:
        t.start()
    for t in threads:
        t.join(timeout=240)
    done.set()
    for t in readers:
        t.join(timeout=120)
    assert not errors, errors
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, kind, state FROM record")).all()
        final = {str(rid): {n: e["c"][0] for n, e in state["f"].items()}
                 for rid, _kind, state in rows}
        conflicts = {str(rid) for rid, kind, _state in rows if kind == "conflict"}
        written = Counter((w.record_id, w.field, w.clock) for w in field_writes(conn))
        twice = [key for key, n in written.items() if n > 1]
        applied = conn.execute(text("SELECT count(*) FROM applied_mutation")).scalar_one()
        heads = dict(conn.execute(text("SELECT community, position FROM feed_counter")).all())
        positions = conn.execute(text(
            "SELECT community, count(*), max(position) FROM record GROUP BY community")).all()
    assert len(final) > PUSHERS * BATCHES  # creations happened
    assert conflicts, "no conflict was opened: the workers' filter was not exercised"
    for p, got in zip(pullers, seen, strict=True):
        expected = final.keys() - conflicts if p.role is Role.SOCIAL_WORKER else final.keys()
        assert got.keys() == expected, f"{p.username} missed records or got others' conflicts"
        stale = [rid for rid in expected if got[rid] != final[rid]]
        assert not stale, f"{len(stale)} records seen at a stale state (a skipped change)"
    assert twice == [], "a write was recorded twice"
    assert applied == len(set(accepted)) == PUSHERS * BATCHES * PER_BATCH
    for community, _count, top in positions:
        assert top == heads[community]  # the newest position is the counter's head
    assert uuid.UUID(next(iter(final)))
