"""Phone-sized memory: Argon2id's cost and the app's peak RSS during a first sync of 10,000.

A 2 GB Android phone gives an app a few hundred MB before the system kills it. Measured here,
each figure in a fresh child process (so one measurement's peak cannot hide in another's):

- Argon2id with the app's parameters (64 MiB, 3 passes, 4 lanes) through each implementation
  (cryptography; argon2-cffi-bindings, the phone's): time and the rise of peak RSS.
- The first start of a worker's phone as the app does it: import the app (flet included),
  create the store with the real KDF through the phone's implementation, sign in, and the
  first sync of a community of 10,000 records (``sync_bench.dataset``) from a real server
  (uvicorn, SQLite) on loopback; peak RSS of the whole process.

Budget (docs/android.md): peak RSS <= 300 MB for the first sync; Argon2id <= 80 MB over the
process's baseline. Desktop CPython on x86-64 here, not the phone's ARM build: the figures
are of the same code and data, not of a device.

    python -m bench phone_memory
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sync_bench import COMMUNITY, PASSWORD, PIN, dataset, device
from shared_models.enums import Role
from tools.live_server import ROOT, LiveServer

BUDGET_FIRST_SYNC_MB = 300.0
BUDGET_KDF_MB = 80.0


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from ``/proc``."""
    fields = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def child_kdf(backend: str) -> dict[str, float]:
    """One Argon2id derivation with the app's parameters through ``backend``."""
    import os

    from field_app.store import kdf
    from field_app.store.vault import KdfParams

    params = KdfParams()
    base, _ = rss_mb()
    t = time.perf_counter()
    kdf.argon2id(backend, PIN.encode(), salt=os.urandom(16), length=32,
                 iterations=params.iterations, lanes=params.lanes,
                 memory_kib=params.memory_kib, secret=os.urandom(32), ad=b"poruch:kek:v1")
    took = time.perf_counter() - t
    _, peak = rss_mb()
    return {"time (s)": took, "baseline RSS (MB)": base, "peak RSS (MB)": peak,
            "peak over baseline (MB)": peak - base}


def child_first_sync(base_url: str, folder: str) -> dict[str, float]:
    """The app's first start and first sync, with the phone's Argon2id implementation."""
    from cryptography.hazmat.primitives.kdf import argon2

    import field_app.ui.app  # noqa: F401  (the app's code and flet, as on the phone)
    from field_app.store import LocalStore, kdf
    from field_app.sync import SyncClient
    from tests.phone.no_argon2 import PhoneArgon2id

    argon2.Argon2id = PhoneArgon2id  # type: ignore[misc]  # the phone's OpenSSL 3.0
    kdf.reset()
    assert kdf.active_backend() == kdf.BINDINGS
    imported, _ = rss_mb()
    store = LocalStore.create(Path(folder) / "phone.db", PIN, device_secret=b"s" * 32)
    _, after_kdf = rss_mb()
    client = SyncClient(store, base_url)
    client.login("petro", PASSWORD)
    # Linux resets the peak (VmHWM) on "5" to clear_refs: the sync's own peak, apart from
    # the KDF's. (ru_maxrss cannot tell: it keeps the peak of the process it was forked from.)
    Path("/proc/self/clear_refs").write_text("5")
    t = time.perf_counter()
    report = client.sync()
    took = time.perf_counter() - t
    assert report.pulled >= 10_000, report
    _, sync_peak = rss_mb()
    client.close()
    store.close()
    return {"RSS after importing the app (MB)": imported,
            "peak RSS while creating the store, Argon2id (MB)": after_kdf,
            "first sync of 10,000: time (s)": took,
            "first sync of 10,000: peak RSS (MB)": sync_peak,
            "first start and first sync: peak RSS (MB)": max(after_kdf, sync_peak)}


def in_child(*args: str) -> dict[str, float]:
    """Run one measurement in a fresh Python process; returns its figures."""
    done = subprocess.run([sys.executable, "-m", "bench.phone_memory_bench", "--child", *args],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Print the figures against the budget."""
    from field_app.store.kdf import BACKENDS

    print("phone memory benchmark (budget: first sync <= 300 MB peak RSS; "
          "Argon2id <= 80 MB over baseline)")
    for backend in BACKENDS:
        for name, value in in_child("kdf", backend).items():
            print(f"  Argon2id 64 MiB via {backend:22s} {name:36s} {value:8.2f}")
    records = dataset()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = LiveServer(f"sqlite:///{folder / 'server.db'}")
        server.migrate()
        server.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
        server.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
        server.start()
        try:
            loader, loader_sync = device(folder, "loader", server.base_url, "olena")
            for rec in records:
                loader.save(rec)
            loader_sync.sync()
            loader_sync.close()
            loader.close()
            figures = in_child("first-sync", server.base_url, tmp)
        finally:
            server.stop()
    for name, value in figures.items():
        print(f"  app  {name:56s} {value:8.2f}")
    peak = figures["first start and first sync: peak RSS (MB)"]
    verdict = "within" if peak <= BUDGET_FIRST_SYNC_MB else "OVER"
    print(f"  first sync peak RSS {peak:.0f} MB: {verdict} the {BUDGET_FIRST_SYNC_MB:.0f} MB "
          "budget")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        mode, rest = sys.argv[2], sys.argv[3:]
        out = child_kdf(*rest) if mode == "kdf" else child_first_sync(*rest)
        print(json.dumps(out))
    else:
        main(sys.argv[1:])
