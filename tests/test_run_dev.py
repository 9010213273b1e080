"""`make run` for real: server with demo data and the app both answer, and stop together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tools.live_server import ROOT, free_port


def wait_ok(url: str, seconds: float = 90) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_make_run_starts_the_server_with_demo_data_and_the_app(tmp_path: Path) -> None:
    sport, aport = free_port(), free_port()
    env = {**os.environ, "PORUCH_RUN_DIR": str(tmp_path), "PORUCH_RUN_SERVER_PORT": str(sport),
           "PORUCH_RUN_APP_PORT": str(aport), "PORUCH_DEMO_PASSWORD": "test-demo-pass"}
    proc = subprocess.Popen([sys.executable, "-m", "tools.run_dev"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        wait_ok(f"http://127.0.0.1:{sport}/health")
        page = wait_ok(f"http://127.0.0.1:{aport}/")
        assert "flutter" in page.text.lower() or "flet" in page.text.lower()
        login = httpx.post(f"http://127.0.0.1:{sport}/api/v1/auth/login",
                           json={"username": "malynska.fakhivets1", "password": "test-demo-pass",
                                 "device_name": "test"},
                           headers={"X-Poruch-Protocol": "1"}, timeout=10)
        assert login.status_code == 200, login.text
        assert login.json()["communities"] == ["malynska"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{aport}" in out
    assert "malynska.fakhivets1" in out
    assert (tmp_path / "poruch.db").exists()
