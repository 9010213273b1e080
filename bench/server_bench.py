"""Benchmark of the sync server: push throughput and latency, pull from a large database.

Prints figures against the targets of issue 4 on this machine:

* push: 50 concurrent simulated devices, each pushing 200 changes in batches of 100, to a real
  uvicorn on loopback — on SQLite and on PostgreSQL (target >= 2,000 changes/s on PostgreSQL);
* push p95 of a 100-change batch (target <= 250 ms), measured both under that load and for a
  single device pushing alone;
* pull of one community's 100 changes with a large database (target <= 50 ms whatever the
  size). The records are bulk-inserted with SQL (``--records``, default 1,000,000) and the
  size actually used is printed.

Push figures are the best of ``--repeats`` runs (3), each on a fresh database, with the CPU
the server (and PostgreSQL) used per change: on a shared machine that shows the work when
wall time is noisy.

Run: ``python -m bench.server_bench [--records N] [--backends sqlite,postgres]`` or
``python -m bench`` (environment: ``PORUCH_BENCH_RECORDS``, ``PORUCH_BENCH_BACKENDS``).
PostgreSQL is the server on 127.0.0.1:5432 (trust auth); a scratch database is created and
dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, insert, text

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, encode_cursors
from shared_models.pullwire import decode_pull_page, encode_change
from sync_server import accounts
from sync_server.db import make_engine, write_tx
from sync_server.migrate import upgrade
from sync_server.security import hash_password, new_token
from sync_server.settings import ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME_COST, Settings
from tools.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-0123456789abcdef0123456789"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PROTO = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
COMMUNITIES = list(CommunityCode)
TARGET = CommunityCode.PULYNSKA


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# --- databases and servers ----------------------------------------------------------------

@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh migrated database URL of ``backend``; removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="poruch-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    name = f"poruch_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    """The server on a free loopback port (``tools.live_server``); yields URL and pid."""
    env = {"PORUCH_SECRET_KEY": SECRET, "PORUCH_DB_POOL_SIZE": "20"}
    with LiveServer(url, extra_env=env, workers=workers) as live:
        assert live.proc is not None
        yield live.base_url, live.proc.pid


def _proc_stats() -> list[tuple[int, int, str, float]]:
    """(pid, parent pid, command, CPU seconds) of every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2:].split()
        out.append((int(entry.name), int(rest[1]), comm, (int(rest[11]) + int(rest[12])) / tick))
    return out


def server_cpu(root: int) -> float:
    """CPU seconds used so far by the server process and its worker processes."""
    stats = _proc_stats()
    tree, total = {root}, 0.0
    for _ in range(3):  # uvicorn's supervisor -> workers (-> their children)
        tree |= {pid for pid, ppid, _c, _s in stats if ppid in tree}
    for pid, _ppid, _c, cpu in stats:
        if pid in tree:
            total += cpu
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process (backends, WAL writer...)."""
    return sum(cpu for _p, _pp, comm, cpu in _proc_stats() if comm.startswith("postgres"))


def make_devices(engine: Engine, count: int, settings: Settings) -> list[tuple[str, str]]:
    """``count`` social workers spread over the communities, each with a device token."""
    hashed = hash_password("bench-password", memory_kib=ARGON2_MIN_MEMORY_KIB,
                           time_cost=ARGON2_MIN_TIME_COST)
    out = []
    with write_tx(engine) as conn:
        for i in range(count):
            code = COMMUNITIES[i % len(COMMUNITIES)]
            uid = accounts.create_user(conn, username=f"bench{i}", role=Role.SOCIAL_WORKER,
                                       communities=[code], password_hash=hashed,
                                       settings=settings)
            token, token_hash = new_token()
            conn.execute(insert(accounts.DEVICES).values(
                id=uuid.uuid4(), user_id=uid, name="bench", token_hash=token_hash,
                created_at=datetime.now(UTC)))
            out.append((token, code.value))
    return out


# --- push ---------------------------------------------------------------------------------

def batches(device: int, community: str, changes: int, batch: int) -> list[bytes]:
    """Pre-serialised push bodies: new families, then edits of them (half and half)."""
    clock = HybridClock(f"bench-dev-{device}")
    created: list[tuple[str, dict[str, str]]] = []
    muts: list[dict[str, Any]] = []
    for k in range(changes):
        c = clock.now().encode()
        if k < changes // 2:
            rid = str(uuid.uuid4())
            fields = {"family_name": f"Сім'я {device}-{k}", "settlement": "Пулини",
                      "address": f"вул. Лесі Українки, {k}", "phone": "+380 67 123 45 67",
                      "difficult_circumstances": k % 3 == 0, "displaced": False}
            created.append((rid, {n: c for n in fields}))
            wire = {n: {"value": v, "clock": c, "supersedes": []} for n, v in fields.items()}
        else:
            rid, clocks = created[k - changes // 2]
            wire = {"address": {"value": f"вул. Житомирська, {k}", "clock": c,
                                "supersedes": [clocks["address"]]}}
        muts.append({"mutation_id": str(uuid.uuid4()), "record_id": rid, "kind": "family",
                     "community": community, "fields": wire})
    return [json.dumps({"device_clock": clock.now().encode(),
                        "mutations": muts[i:i + batch]}).encode()
            for i in range(0, len(muts), batch)]


async def push_all(base: str, devices: list[tuple[str, str]], changes: int, batch: int
                   ) -> tuple[float, list[float]]:
    """Every device pushes its batches in order, all devices at once; (seconds, latencies)."""
    bodies = [batches(i, code, changes, batch) for i, (_, code) in enumerate(devices)]
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=len(devices), max_keepalive_connections=len(devices))
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        async def run(token: str, mine: list[bytes]) -> None:
            headers = {**PROTO, "Authorization": f"Bearer {token}",
                       "Content-Type": "application/json"}
            for body in mine:
                t0 = time.perf_counter()
                r = await client.post("/api/v1/sync/push", content=body, headers=headers)
                latencies.append(time.perf_counter() - t0)
                r.raise_for_status()
                bad = [x for x in r.json()["results"] if x["status"] == "rejected"]
                if bad:
                    raise RuntimeError(f"rejected: {bad[0]}")
        t0 = time.perf_counter()
        await asyncio.gather(*(run(tok, b) for (tok, _), b in zip(devices, bodies,
                                                                   strict=True)))
        return time.perf_counter() - t0, latencies


@dataclass
class PushRun:
    """One push measurement on a fresh database."""

    elapsed: float          # wall seconds for every device's changes
    cpu: float              # CPU seconds of the server processes (and PostgreSQL's)
    latencies: list[float]  # per batch, under the load
    solo: list[float]       # per batch, one device alone
    solo_elapsed: float
    load: float             # machine load average at the end


def _push_once(backend: str, devices: int, changes: int, batch: int, workers: int) -> PushRun:
    with database(backend) as url:
        engine = make_engine(url)
        settings = Settings(database_url=url, secret_key=SECRET)
        tokens = make_devices(engine, devices + 1, settings)
        engine.dispose()
        with server(url, workers) as (base, pid):
            asyncio.run(push_all(base, tokens[-1:], 2 * batch, batch))  # warm-up
            pg = postgres_cpu if backend == "postgres" else (lambda: 0.0)
            cpu0 = server_cpu(pid) + pg()
            elapsed, lat = asyncio.run(push_all(base, tokens[:devices], changes, batch))
            cpu = server_cpu(pid) + pg() - cpu0
            solo_elapsed, solo = asyncio.run(push_all(base, tokens[-1:], 20 * batch, batch))
    return PushRun(elapsed, cpu, lat, solo, solo_elapsed, os.getloadavg()[0])


def bench_push(backend: str, devices: int, changes: int, batch: int, pg_workers: int, *,
               repeats: int = 3) -> None:
    """Push figures of one backend, best of ``repeats`` runs on fresh databases (SQLite: one
    worker, its writes are serialised anyway)."""
    workers = pg_workers if backend == "postgres" else 1
    runs = [_push_once(backend, devices, changes, batch, workers) for _ in range(repeats)]
    total = devices * changes
    best = min(runs, key=lambda r: r.elapsed)
    cheapest = min(r.cpu for r in runs)
    solo = min(runs, key=lambda r: p95(r.solo))
    print(f"  push [{backend}, uvicorn workers={workers}], best of {repeats}: {devices} devices "
          f"x {changes} changes in batches of {batch}: {total} changes in "
          f"{best.elapsed:.2f} s = {total / best.elapsed:,.0f} changes/s "
          f"(runs: {', '.join(f'{total / r.elapsed:,.0f}' for r in runs)})")
    who = "the server processes" + (" and PostgreSQL" if backend == "postgres" else "")
    print(f"    CPU used by {who}: {best.cpu:.1f} s in that run, i.e. "
          f"{best.cpu / total * 1000:.2f} ms per change (least of the runs: "
          f"{cheapest / total * 1000:.2f} ms -> {total / cheapest:,.0f} changes per "
          f"CPU-second; machine load average {best.load:.1f}: other work shares the CPUs)")
    print(f"    batch latency under that load: p50 {statistics.median(best.latencies) * 1000:.0f}"
          f" ms, p95 {p95(best.latencies) * 1000:.0f} ms ({len(best.latencies)} requests, up to "
          f"{devices} in flight)")
    print(f"    one device alone, 20 batches of {batch} (best p95 of the runs): p50 "
          f"{statistics.median(solo.solo) * 1000:.0f} ms, p95 {p95(solo.solo) * 1000:.0f} ms "
          f"({20 * batch / solo.solo_elapsed:,.0f} changes/s)")


# --- pull from a large database -----------------------------------------------------------

STATE = {"f": {
    "family_name": {"c": ["Коваленко", "001795000000000-000000-bulk", [], "bulk"]},
    "settlement": {"c": ["Пулини", "001795000000000-000000-bulk", [], "bulk"]},
    "address": {"c": ["вул. Шевченка, 1", "001795000000000-000000-bulk", [], "bulk"]},
    "difficult_circumstances": {"c": [True, "001795000000000-000000-bulk", [], "bulk"]},
    "deleted": {"c": [False, "001795000000000-000000-bulk", [], "bulk"]},
}}


def _wire_parts() -> list[str]:
    """``STATE``'s pull text split around its id, community and position (filled in by SQL)."""
    fields = {n: (e["c"][0], e["c"][1], e["c"][3]) for n, e in STATE["f"].items()}
    template = encode_change("@ID@", "family", "@COMMUNITY@", 987654321, fields)
    head, rest = template.split("@ID@")
    middle, rest = rest.split("@COMMUNITY@")
    before, after = rest.split("987654321")
    return [head, middle, before, after]


def bulk_records(engine: Engine, n: int) -> None:
    """``n`` family records spread over the 11 communities, by set-based SQL."""
    codes = [c.value for c in COMMUNITIES]
    state = json.dumps(STATE, ensure_ascii=False)
    p1, p2, p3, p4 = _wire_parts()
    parts = {"p1": p1, "p2": p2, "p3": p3, "p4": p4}
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(
                "INSERT INTO record (id, kind, community, position, deleted, state, updated_at, "
                "wire) "
                "SELECT md5(g::text)::uuid, 'family', (CAST(:codes AS text[]))[1 + g % 11], "
                "g / 11 + 1, false, CAST(:state AS jsonb), now(), "
                "CAST(:p1 AS text) || md5(g::text)::uuid::text || :p2 "
                "|| (CAST(:codes AS text[]))[1 + g % 11] || :p3 || (g / 11 + 1)::text || :p4 "
                "FROM generate_series(0, :n - 1) AS g"),
                {"codes": codes, "state": state, "n": n, **parts})
            conn.execute(text("ANALYZE record"))
        else:
            conn.execute(text(
                "WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g WHERE x < :last), "
                "r(x, h, c) AS (SELECT x, lower(hex(randomblob(16))), "
                "json_extract(:codes, '$[' || (x % 11) || ']') FROM g) "
                "INSERT INTO record (id, kind, community, position, deleted, state, updated_at, "
                "wire) "
                "SELECT h, 'family', c, x / 11 + 1, 0, :state, CURRENT_TIMESTAMP, "
                ":p1 || substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) "
                "|| '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12) || :p2 || c || :p3 "
                "|| (x / 11 + 1) || :p4 FROM r"),
                {"last": n - 1, "state": state, "codes": json.dumps(codes), **parts})
            conn.execute(text("ANALYZE"))
        conn.execute(text(
            "UPDATE feed_counter SET position = (SELECT coalesce(max(position), 0) FROM record "
            "WHERE record.community = feed_counter.community)"))


def bench_pull(backend: str, records: int, repeats: int = 50) -> None:
    """Pull figures of one backend with ``records`` records in the database."""
    with database(backend) as url:
        engine = make_engine(url)
        t0 = time.perf_counter()
        bulk_records(engine, records)
        seeded = time.perf_counter() - t0
        settings = Settings(database_url=url, secret_key=SECRET)
        token = make_devices(engine, 1, settings)[0][0]  # bench0 works in zhytomyrska
        with engine.begin() as conn:
            head = conn.execute(text("SELECT position FROM feed_counter WHERE community = "
                                     "'zhytomyrska'")).scalar_one()
            total = conn.execute(text("SELECT count(*) FROM record")).scalar_one()
        engine.dispose()
        with server(url, 1) as (base, _pid), httpx.Client(base_url=base, timeout=60) as client:
            headers = {**PROTO, "Authorization": f"Bearer {token}"}
            since = encode_cursors({"zhytomyrska": head - 100})
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                r = client.get("/api/v1/sync/pull", headers=headers,
                               params={"since": since, "limit": 100})
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
                if len(decode_pull_page(r.content).changes) != 100:  # and every one readable
                    raise RuntimeError("pull did not return 100 changes")
    print(f"  pull [{backend}]: {total:,} records in the database (bulk insert "
          f"{seeded:.0f} s); the last 100 changes of one community, {repeats} pulls: "
          f"p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95(times) * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> None:
    """Run the server benchmarks and print their figures."""
    p = argparse.ArgumentParser(prog="python -m bench.server_bench")
    p.add_argument("--records", type=int,
                   default=int(os.environ.get("PORUCH_BENCH_RECORDS", "1000000")))
    p.add_argument("--backends", default=os.environ.get("PORUCH_BENCH_BACKENDS",
                                                        "sqlite,postgres"))
    p.add_argument("--devices", type=int, default=50)
    p.add_argument("--changes", type=int, default=200)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--pg-workers", type=int, default=2, help="uvicorn workers on PostgreSQL")
    p.add_argument("--repeats", type=int, default=3, help="push runs per backend (best shown)")
    p.add_argument("--skip-pull", action="store_true")
    args = p.parse_args(argv if argv is not None else [])
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"Sync server benchmark ({os.cpu_count()} CPUs). Targets: >= 2,000 changes/s on "
          "PostgreSQL, push p95 of a 100-change batch <= 250 ms, pull of 100 changes <= 50 ms.")
    for backend in backends:
        bench_push(backend, args.devices, args.changes, args.batch, args.pg_workers,
                   repeats=args.repeats)
    for backend in backends if not args.skip_pull else ():
        bench_pull(backend, args.records)


if __name__ == "__main__":
    main(sys.argv[1:])
