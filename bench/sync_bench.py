"""Sync benchmark: a community of 10,000 records through our sync and through Kinto.

Ours: a real server (uvicorn, SQLite) on loopback; one device bulk-pushes the data set, a
fresh device then makes its initial sync into its encrypted store; then an incremental sync of
100 changes and a no-op sync. Kinto: its memory backend behind its own server, ``kinto-http``
batch push, and a ``_since`` pull whose records are written to a plain SQLite file.
Figures: wall time (best of 3), CPU time of the device (this process) and of the server
process — on a shared machine CPU time shows the work when wall time is noisy — bytes on the
wire, and peak memory (tracemalloc in a separate run, and the process's peak RSS).

Targets (issue 5): initial sync <= 0.8 s, <= 1.5 MB on the wire; bulk push <= 2 s;
incremental 100 changes <= 100 ms; no-op sync <= 15 ms and <= 2 KB.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import SyncClient, SyncReport
from shared_models.enums import Role
from shared_models.protocol import MAX_PULL_LIMIT
from shared_models.records import Family, Note, Person, Record, Visit
from tools.live_server import ROOT, LiveServer, free_port

COMMUNITY = "malynska"
PIN = "482915"
PASSWORD = "bench password"
WORDS = ("сім'я", "дитина", "мати", "батько", "школа", "лікар", "допомога", "консультація",
         "умови", "проживання", "харчування", "одяг", "навчання", "розвиток", "підтримка",
         "психолог", "соціальний", "супровід", "візит", "план", "потреби", "безпека",
         "спілкування", "житло", "опалення", "документи", "виплати", "громада", "стан")


def ukrainian_text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def dataset(seed: int = 1) -> list[Record]:
    """2,000 families, 3,000 members, 3,000 visits (~2 KB of text each), 2,000 notes."""
    rng = random.Random(seed)
    when = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    families = [Family(id=uuid.UUID(int=rng.getrandbits(128), version=4), community=COMMUNITY,
                       family_name=f"Родина {i}", settlement=rng.choice(["Малин", "Ворсівка"]),
                       address=f"вул. Лісова, {i}", assigned_worker="olena")
                for i in range(2000)]
    people = [Person(community=COMMUNITY, family_id=rng.choice(families).id,
                     last_name="Коваленко", first_name=rng.choice(["Оля", "Петро", "Іра"]),
                     birth_date=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000)))
              for _ in range(3000)]
    visits = [Visit(community=COMMUNITY, family_id=rng.choice(families).id,
                    visited_at=when + timedelta(minutes=i), risk_level="medium", author="olena",
                    services=["002.0", "010.1"], child_needs=ukrainian_text(rng, 350),
                    parenting_capacity=ukrainian_text(rng, 350),
                    family_environment=ukrainian_text(rng, 200),
                    next_steps=ukrainian_text(rng, 100))
              for i in range(3000)]
    notes = [Note(community=COMMUNITY, family_id=rng.choice(families).id, author="olena",
                  text=ukrainian_text(rng, 300), written_at=when + timedelta(minutes=i))
             for i in range(2000)]
    return [*families, *people, *visits, *notes]


def device(folder: Path, name: str, base_url: str, user: str) -> tuple[LocalStore, SyncClient]:
    store = LocalStore.create(folder / f"{name}.db", PIN, kdf=TEST_KDF)
    client = SyncClient(store, base_url, batch_size=500, page_limit=MAX_PULL_LIMIT)
    client.login(user, PASSWORD)
    return store, client


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One measured sync: wall time, this process's CPU, the server's CPU, bytes both ways."""

    wall: float
    cpu: float
    server_cpu: float
    report: SyncReport


def measured(server: LiveServer, client: SyncClient) -> Run:
    assert server.proc is not None
    s0, c0 = cpu_seconds(server.proc.pid), time.process_time()
    report = client.sync()
    return Run(report.duration_s, time.process_time() - c0,
               cpu_seconds(server.proc.pid) - s0, report)


def figures(out: dict[str, float], name: str, runs: list[Run], unit: float = 1.0) -> Run:
    """Best of ``runs`` by wall time, with its CPU times and bytes; returns it."""
    best = min(runs, key=lambda r: r.wall)
    label = "s" if unit == 1 else "ms"
    out[f"{name}: time, best of {len(runs)} ({label})"] = best.wall * unit
    out[f"{name}: device CPU ({label})"] = best.cpu * unit
    out[f"{name}: server CPU ({label}, 10 ms ticks)"] = best.server_cpu * unit
    return best


def ours(folder: Path, records: list[Record], repeats: int = 3) -> dict[str, float]:
    """Our sync on the data set; returns the figures."""
    server = LiveServer(f"sqlite:///{folder / 'server.db'}")
    server.migrate()
    server.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
    server.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
    server.start()
    out: dict[str, float] = {}
    made: list[tuple[LocalStore, SyncClient]] = []
    try:
        loader, loader_sync = device(folder, "loader", server.base_url, "olena")
        made.append((loader, loader_sync))
        t = time.perf_counter()
        for rec in records:
            loader.save(rec)
        out["local saves of 10,000 records (s)"] = time.perf_counter() - t
        report = loader_sync.sync()
        out["bulk push 10,000: time (s)"] = report.duration_s
        out["bulk push 10,000: wire (MB)"] = report.bytes / 1e6

        runs = []
        for i in range(repeats):  # a fresh device each time
            fresh, fresh_sync = device(folder, f"fresh{i}", server.base_url, "petro")
            made.append((fresh, fresh_sync))
            runs.append(measured(server, fresh_sync))
            assert runs[-1].report.pulled >= len(records), runs[-1].report
        best = figures(out, "initial sync 10,000", runs)
        out["initial sync 10,000: wire (MB)"] = best.report.bytes / 1e6

        runs = []
        visits = loader.all(Visit)
        for i in range(repeats):
            for v in visits[i * 100:(i + 1) * 100]:
                loader.save(v.model_copy(update={"next_steps": v.next_steps + " (оновлено)"}))
            loader_sync.sync()
            runs.append(measured(server, fresh_sync))
            assert runs[-1].report.pulled == 100, runs[-1].report
        best = figures(out, "incremental 100 changes", runs, 1000)
        out["incremental 100 changes: wire (KB)"] = best.report.bytes / 1e3
        noop = sorted((measured(server, fresh_sync) for _ in range(21)), key=lambda r: r.wall)
        out["no-op sync: time p50 of 21 (ms)"] = noop[10].wall * 1000
        out["no-op sync: device CPU p50 (ms)"] = sorted(r.cpu for r in noop)[10] * 1000
        out["no-op sync: wire (bytes)"] = noop[10].report.bytes

        tracemalloc.start()
        memo, memo_sync = device(folder, "memo", server.base_url, "petro")
        made.append((memo, memo_sync))
        memo_sync.sync()
        out["initial sync: peak Python memory (MB)"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        out["benchmark process: peak RSS (MB)"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    finally:
        for s, c in made:
            c.close()
            s.close()
        server.stop()
    return out


def bulk_push(folder: Path, records: list[Record], repeats: int = 3) -> dict[str, float]:
    """The bulk push alone, best of ``repeats``: each time a fresh server and a fresh device
    that saves the data set, then syncs. Figures of the best run: the whole sync (the push,
    then pulling the same records back), its push part, and the CPU the device (this
    process) and the server process used for the whole sync."""
    runs: list[tuple[float, float, float, float, float]] = []
    for i in range(repeats):
        server = LiveServer(f"sqlite:///{folder / f'bulk-server{i}.db'}")
        server.migrate()
        server.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
        server.start()
        try:
            store, client = device(folder, f"bulk{i}", server.base_url, "olena")
            for rec in records:
                store.save(rec)
            assert server.proc is not None
            server0, device0 = cpu_seconds(server.proc.pid), time.process_time()
            report = client.sync()
            runs.append((report.duration_s, report.push_s, time.process_time() - device0,
                         cpu_seconds(server.proc.pid) - server0, report.bytes_sent / 1e6))
            assert report.pushed == len(records), report
            client.close()
            store.close()
        finally:
            server.stop()
    whole, push, device_cpu, server_cpu_s, sent = min(runs, key=lambda r: r[1])
    return {f"bulk push 10,000, best of {repeats}: push (s)": push,
            "bulk push 10,000: whole sync, pulling it back too (s)": whole,
            "bulk push 10,000: device CPU, whole sync (s)": device_cpu,
            "bulk push 10,000: server CPU, whole sync (s)": server_cpu_s,
            "bulk push 10,000: sent (MB, compressed)": sent}


KINTO_INI = """[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s

[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.memory
kinto.storage_url =
kinto.cache_backend = kinto.core.cache.memory
kinto.cache_url =
kinto.permission_backend = kinto.core.permission.memory
kinto.permission_url =
kinto.userid_hmac_secret = {secret}
multiauth.policies = basicauth
kinto.bucket_create_principals = system.Authenticated
"""


def kinto(folder: Path, records: list[Record]) -> dict[str, float]:
    """Kinto (memory backend) on the same records: batch push, ``_since`` pull into SQLite."""
    from kinto_http import Client

    # kinto-http logs every successful batch entry at WARNING; keep only its errors.
    logging.getLogger("kinto_http").setLevel(logging.ERROR)
    ini = folder / "kinto.ini"
    ini.write_text(KINTO_INI.format(secret=uuid.uuid4().hex), encoding="utf-8")
    port = free_port()
    kinto_cli = Path(sys.executable).parent / "kinto"  # `python -m kinto` does not start it
    proc = subprocess.Popen([str(kinto_cli), "start", "--ini", str(ini), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    out: dict[str, float] = {}
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        client = Client(server_url=url, auth=("bench", "pw"), bucket="poruch",
                        collection=COMMUNITY)
        client.create_bucket(if_not_exists=True)
        client.create_collection(if_not_exists=True)
        payload = [{"id": str(r.id), "kind": r.KIND.value, **r.model_dump(mode="json")}
                   for r in records]
        t = time.perf_counter()
        with client.batch() as batch:
            for rec in payload:
                batch.create_record(data=rec)
        out["bulk push 10,000: time (s)"] = time.perf_counter() - t

        t = time.perf_counter()
        pulled = client.get_records(_since="0")
        db = sqlite3.connect(folder / "kinto-device.db")
        db.execute("CREATE TABLE records (id TEXT PRIMARY KEY, kind TEXT, data TEXT)")
        db.executemany("INSERT INTO records VALUES (?, ?, ?)",
                       [(r["id"], r["kind"], json.dumps(r, ensure_ascii=False)) for r in pulled])
        db.commit()
        db.close()
        out["initial pull 10,000 into plain SQLite: time (s)"] = time.perf_counter() - t
        assert len(pulled) >= len(records)
        since = max(r["last_modified"] for r in pulled)
        t = time.perf_counter()
        client.get_records(_since=str(since))
        out["no-op pull: time (ms)"] = (time.perf_counter() - t) * 1000
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def main(argv: list[str] | None = None) -> None:
    """Print our figures and Kinto's on the same data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-kinto", action="store_true", help="skip the Kinto comparison")
    args = parser.parse_args(argv or [])
    records = dataset()
    size = sum(len(r.model_dump_json()) for r in records)
    print(f"sync benchmark: {len(records)} records, {size / 1e6:.1f} MB as JSON")
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in ours(Path(tmp), records).items():
            print(f"  poruch  {name:52s} {value:10.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in bulk_push(Path(tmp), records).items():
            print(f"  poruch  {name:52s} {value:10.3f}")
    if not args.no_kinto:
        with tempfile.TemporaryDirectory() as tmp:
            for name, value in kinto(Path(tmp), records).items():
                print(f"  kinto   {name:52s} {value:10.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
