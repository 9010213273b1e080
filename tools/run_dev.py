"""`make run`: the sync server on SQLite with demo data, and the field app in the browser view.

1. migrates ``data/poruch.db`` and seeds the demo accounts and families (first run only);
2. starts the server (``python -m sync_server serve``) and waits until it answers;
3. prints the addresses and the demo logins;
4. serves the app (``python -m field_app --web``) until Ctrl+C, then stops the server.

Environment: ``PORUCH_RUN_DIR`` (data folder, default ``./data``), ``PORUCH_RUN_SERVER_PORT``
(8000), ``PORUCH_RUN_APP_PORT`` (8550), ``PORUCH_DEMO_PASSWORD`` (one password for every
demo account; local demo only).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO_PASSWORD_DEFAULT = "poruch-demo-2026"


def _wait_for(url: str, proc: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} stopped with exit code {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not answer at {url} within {seconds:.0f} s")


def main() -> int:
    """Run server and app; returns the app's exit code."""
    data = Path(os.environ.get("PORUCH_RUN_DIR", ROOT / "data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    server_port = int(os.environ.get("PORUCH_RUN_SERVER_PORT", "8000"))
    app_port = int(os.environ.get("PORUCH_RUN_APP_PORT", "8550"))
    password = os.environ.get("PORUCH_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    env = {**os.environ, "PORUCH_DATABASE_URL": f"sqlite:///{data / 'poruch.db'}",
           "PORUCH_ENV": "development", "FIELD_APP_DATA_DIR": str(data / "device")}
    py = sys.executable

    subprocess.run([py, "-m", "sync_server", "migrate"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    seeded = subprocess.run([py, "-m", "sync_server", "seed-demo", "--if-empty",
                             "--password", password], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    server = subprocess.Popen([py, "-m", "sync_server", "serve", "--host", "127.0.0.1",
                               "--port", str(server_port)], env=env, cwd=ROOT)
    try:
        server_url = f"http://127.0.0.1:{server_port}"
        _wait_for(f"{server_url}/health", server, "the sync server")
        print()
        print("Поруч / Poruch is starting")
        print(f"  app (open in a browser):   http://127.0.0.1:{app_port}")
        print(f"  sync server:               {server_url}   (API docs: {server_url}/docs)")
        print("  server address to enter:  ", server_url)
        print(f"  demo logins (password {password}):")
        print("    malynska.fakhivets1   social worker, Малинська громада")
        print("    malynska.kerivnyk     supervisor, Малинська громада")
        print("    koordynator           regional coordinator, all 11 communities")
        print("    (every community has <code>.fakhivets1, <code>.fakhivets2, <code>.kerivnyk)")
        if "demo accounts" not in seeded.stdout:
            print("  demo data was already there: the password is the one of the first run")
        print("  stop with Ctrl+C")
        print(flush=True)
        app = subprocess.Popen([py, "-m", "field_app", "--web", "--host", "127.0.0.1",
                                "--port", str(app_port)], env=env, cwd=ROOT)
        try:
            return app.wait()
        except KeyboardInterrupt:
            app.terminate()
            return app.wait(10)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
