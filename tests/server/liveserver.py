"""Real ``python -m sync_server serve`` processes on loopback, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database_url: str, instance_id: str, *, secret: str,
                workers: int = 1) -> Iterator[str]:
    """Start a server process; yield its base URL; stop it (by its own pid) afterwards."""
    port = free_port()
    env = {**os.environ, "PORUCH_DATABASE_URL": database_url, "PORUCH_INSTANCE_ID": instance_id,
           "PORUCH_SECRET_KEY": secret, "PORUCH_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync_server", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"server exited early: {err[-2000:]}")
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in 30 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
