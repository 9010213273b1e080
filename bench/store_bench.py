"""Benchmark of the encrypted store: unlock, visit saves, 5,000 families, size and overhead.

Prints figures against the targets of issue 3 (save p95 <= 10 ms, search over 5,000
families <= 100 ms, unlock <= 1 s, encryption overhead <= 25 % in time and size). The
"plain" baseline is the same store code with the cipher replaced by one that stores the
plaintext (same framing bytes minus nonce and tag), so the difference is encryption alone.
Run: ``python -m bench`` or ``python -m bench.store_bench``.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from field_app.store import TEST_KDF, LocalStore
from field_app.store import store as store_module
from field_app.store.crypto import Cipher
from shared_models.clock import HybridClock
from shared_models.protocol import RecordChange
from shared_models.pullwire import change_dict
from shared_models.records import Family, Visit

PIN = "483920"
SURNAMES = ["Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Мельник", "Кравченко",
            "Олійник", "Лисенко", "Савченко", "Руденко", "Мороз", "Левченко", "Павленко",
            "Гуменюк", "Поліщук", "Собко", "Іванченко", "Юрченко", "Панченко", "Гончар"]
SETTLEMENTS = ["Житомир", "Коростишів", "Радомишль", "Малин", "Пулини", "Брусилів"]
TEXT = ("Під час візиту родина була вдома, діти охайні, в оселі тепло. Мати розповіла про "
        "труднощі з оформленням допомоги; домовились про консультацію в ЦНАП. ")


class PlainCipher(Cipher):
    """Baseline only: keeps the framing of a sealed blob but stores the plaintext."""

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        return b"\x01" + plaintext

    def open(self, blob: bytes, associated: bytes) -> bytes:
        return bytes(blob)[1:]


@contextlib.contextmanager
def plain_store() -> Iterator[None]:
    """Within this block new stores use ``PlainCipher`` (the unencrypted baseline)."""
    real = store_module.Cipher
    store_module.Cipher = PlainCipher  # type: ignore[misc]
    try:
        yield
    finally:
        store_module.Cipher = real  # type: ignore[misc]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, in the values' unit."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    """Seconds as milliseconds text."""
    return f"{seconds * 1000:.1f} ms"


def a_visit(family_id: uuid.UUID, rng: random.Random) -> Visit:
    """A realistic visit record (about 1 KB of Ukrainian text)."""
    return Visit(community="zhytomyrska", family_id=family_id,
                 visited_at=datetime.now(UTC) - timedelta(minutes=rng.randint(1, 9000)),
                 risk_level=rng.choice(["low", "medium", "high"]), author="olena",
                 services=["001.0", "002.0"], child_needs=TEXT * 2,
                 parenting_capacity=TEXT, family_environment=TEXT, next_steps=TEXT[:120])


def family_changes(n: int, rng: random.Random) -> list[RecordChange]:
    """n families as the server's change feed sends them on a first sync."""
    server = HybridClock("server")
    out = []
    for i in range(n):
        f = Family(community="zhytomyrska", family_name=f"{rng.choice(SURNAMES)}",
                   settlement=rng.choice(SETTLEMENTS), address=f"вул. Миру, {i % 200 + 1}",
                   phone=f"+380 67 {rng.randint(100, 999)} {rng.randint(10, 99)} "
                         f"{rng.randint(10, 99)}")
        stamp = server.now().encode()
        values = f.model_dump(mode="json", exclude={"id", "community"})
        out.append(RecordChange.model_validate(change_dict(
            str(f.id), "family", "zhytomyrska", i + 1,
            {k: (v, stamp, "coordinator") for k, v in values.items()})))
    return out


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of fn takes."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_unlock(d: Path) -> float:
    """Median unlock time with the default Argon2id parameters."""
    path = d / "unlock.db"
    LocalStore.create(path, PIN).close()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        s = LocalStore.open(path, PIN)
        times.append(time.perf_counter() - t0)
        s.close()
    return statistics.median(times)


def new_store(path: Path, *, plain: bool) -> LocalStore:
    """A fresh store with cheap KDF parameters (unlock is measured separately)."""
    with plain_store() if plain else contextlib.nullcontext():
        s = LocalStore.create(path, PIN, kdf=TEST_KDF)
    s.set_user("olena")
    return s


def bench_saves(d: Path, n: int) -> tuple[dict[str, list[float]], LocalStore, LocalStore]:
    """Save n new visits into an encrypted and a plain store, interleaved (same disk noise).

    Returns wall and CPU seconds of each save per store.
    """
    rng = random.Random(7)
    enc, plain = new_store(d / "enc.db", plain=False), new_store(d / "plain.db", plain=True)
    fid = uuid.uuid4()
    out: dict[str, list[float]] = {"enc": [], "plain": [], "enc_cpu": [], "plain_cpu": []}
    for _ in range(n):
        v = a_visit(fid, rng)
        for name, s in (("enc", enc), ("plain", plain)):
            c0, t0 = time.process_time(), time.perf_counter()
            s.save(v)
            out[name].append(time.perf_counter() - t0)
            out[name + "_cpu"].append(time.process_time() - c0)
    return out, enc, plain


def bare_sqlite_commits(path: Path, n: int) -> list[float]:
    """The floor: one small INSERT per transaction in WAL mode with synchronous=FULL."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (v) VALUES (?)", (b"x" * 3000,))
        con.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    con.close()
    return times


def bench_families(d: Path, changes: list[RecordChange]) -> dict[str, dict[str, float]]:
    """Load 5,000 pulled families into an encrypted and a plain store, then list and search.

    Measurements alternate between the two stores and report medians, so load from other
    processes on the machine hits both alike.
    """
    stores: dict[str, LocalStore] = {}
    out: dict[str, dict[str, float]] = {"enc": {}, "plain": {}}
    for name in ("enc", "plain"):
        s = new_store(d / f"fam-{name}.db", plain=name == "plain")
        out[name]["fill"] = sum(
            timed(lambda s=s, i=i: s.apply_pull(changes[i:i + 500], {"zhytomyrska": i + 500}))
            for i in range(0, len(changes), 500))
        s.close()
        with plain_store() if name == "plain" else contextlib.nullcontext():
            stores[name] = LocalStore.open(s.path, PIN)
        out[name]["first_search"] = timed(lambda s=stores[name]: s.search(Family, "коваленко"))
    colds: dict[str, list[float]] = {"enc": [], "plain": []}
    warms: dict[str, list[float]] = {"enc": [], "plain": []}
    searches: dict[str, list[float]] = {"enc": [], "plain": []}
    queries = ["коваль", "ШЕВЧ", "мороз", "xyz", "енко", "Гончар", "олій", "собко"]
    for _ in range(7):
        for name, s in stores.items():
            s._models.clear()  # forget the decrypted models, as lock() + unlock() would
            colds[name].append(timed(lambda s=s: s.all(Family)))
            warms[name].append(timed(lambda s=s: s.all(Family)))
            searches[name] += [timed(lambda s=s, q=q: s.search(Family, q)) for q in queries]
    for name, s in stores.items():
        out[name].update(cold=min(colds[name]), warm=statistics.median(warms[name]),
                         search_p50=pct(searches[name], 0.5),
                         search_p95=pct(searches[name], 0.95),
                         found=len(s.search(Family, "коваленко")))
    out["enc"]["decrypt_only"] = decrypt_share(stores["enc"])
    for s in stores.values():
        s.close()
    return out


def decrypt_share(s: LocalStore) -> float:
    """Seconds that AES-GCM alone takes to open every family view (best of 5)."""
    from sqlalchemy import select

    from field_app.store.core import RECORDS
    from field_app.store.crypto import aad

    cipher = s._need_cipher()
    with s._reader.connect() as conn:
        rows = conn.execute(select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.community,
                                   RECORDS.c.view_ct)).all()
    blobs = [(v, aad("view", i, k, c, cipher.key_id)) for i, k, c, v in rows]
    return min(timed(lambda: [cipher.open(b, a) for b, a in blobs]) for _ in range(5))


def db_size(s: LocalStore) -> int:
    """Bytes of the database file after moving the WAL in."""
    s.checkpoint()
    return s.path.stat().st_size


def main() -> None:
    """Run every measurement and print the figures with the targets."""
    print("== store benchmark (field_app.store) ==")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        unlock = bench_unlock(d)
        print(f"unlock (Argon2id 64 MiB, 3 passes, 4 lanes), median of 5: {ms(unlock)}"
              f"   target <= 1000 ms: {'ok' if unlock <= 1 else 'MISSED'}")

        t, enc, plain = bench_saves(d, 1000)
        p50, p95 = pct(t["enc"], 0.5), pct(t["enc"], 0.95)
        print(f"save one visit (synchronous=FULL, 1,000 saves): p50 {ms(p50)}, p95 {ms(p95)}"
              f"   target p95 <= 10 ms: {'ok' if p95 <= 0.010 else 'MISSED'}")
        pp50, pp95 = pct(t["plain"], 0.5), pct(t["plain"], 0.95)
        print(f"  same saves unencrypted (interleaved): p50 {ms(pp50)}, p95 {ms(pp95)}; "
              f"encryption time overhead p50 {100 * (p50 / pp50 - 1):+.1f} %, "
              f"p95 {100 * (p95 / pp95 - 1):+.1f} %")
        c50, pc50 = statistics.mean(t["enc_cpu"]), statistics.mean(t["plain_cpu"])
        print(f"  CPU per save: encrypted {ms(c50)}, unencrypted {ms(pc50)} "
              f"({100 * (c50 / pc50 - 1):+.1f} %)")
        bare = bare_sqlite_commits(d / "bare.db", 300)
        print(f"  floor on this disk, bare SQLite commit (WAL, FULL): p50 {ms(pct(bare, 0.5))},"
              f" p95 {ms(pct(bare, 0.95))}")
        enc_size, plain_size = db_size(enc), db_size(plain)
        enc.close()
        plain.close()
        print(f"db size per 1,000 visits: encrypted {enc_size / 1024:.0f} KiB, unencrypted "
              f"{plain_size / 1024:.0f} KiB ({100 * (enc_size / plain_size - 1):+.1f} %)"
              f"   target <= +25 %: {'ok' if enc_size <= 1.25 * plain_size else 'MISSED'}")

        changes = family_changes(5000, random.Random(11))
        both = bench_families(d, changes)
        fam, fam_plain = both["enc"], both["plain"]
        print(f"5,000 families: first sync (10 pulled pages of 500) {ms(fam['fill'])}; "
              f"list all: cold (best of 7) {ms(fam['cold'])}, warm (median) {ms(fam['warm'])}")
        print(f"  search by name over 5,000 (40 searches): p50 {ms(fam['search_p50'])}, p95 "
              f"{ms(fam['search_p95'])} ({fam['found']:.0f} hits for 'коваленко')"
              f"   target <= 100 ms: {'ok' if fam['search_p95'] <= 0.1 else 'MISSED'}")
        print(f"  first search after unlock (decrypts and validates all 5,000): "
              f"{ms(fam['first_search'])}")
        print(f"  unencrypted: fill {ms(fam_plain['fill'])}, list cold {ms(fam_plain['cold'])}, "
              f"search p50 {ms(fam_plain['search_p50'])}; encryption overhead: cold listing "
              f"{100 * (fam['cold'] / fam_plain['cold'] - 1):+.1f} %, fill "
              f"{100 * (fam['fill'] / fam_plain['fill'] - 1):+.1f} %")
        print(f"  AES-GCM alone opening the 5,000 views: {ms(fam['decrypt_only'])} "
              f"({100 * fam['decrypt_only'] / fam['cold']:.1f} % of the cold listing)")
    load = os.getloadavg()[0]
    print(f"(machine: {os.cpu_count()} CPUs, load average {load:.1f} during the run;"
          " figures under load are noisy)")

if __name__ == "__main__":
    main()
