"""Child process of the revocation crash tests: a phone killed in the middle of its revocation.

Opens the store at ``path`` with the PIN, syncs with ``url`` (which answers
``device_revoked``) and kills itself with SIGKILL — no cleanup, as the system kills an app — at
``point``:

- ``answered``: the server has taken the lost-work report, the phone has not yet noted that;
- ``before_wipe``: everything noted, the store not yet wiped;
- ``after_wipe``: the store wiped, before anything is shown to the worker.

Exits 3 if the sync returned or raised without reaching the point.
``python -m tests.sync.revocation_child <store path> <pin> <url> <point>`` runs it by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import httpx

from field_app.store import LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.revocation import LOST_WORK_PATH

POINTS = ("answered", "before_wipe", "after_wipe")


def die() -> NoReturn:
    """Killed, as by the system: no ``finally``, no atexit, no flush."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


class _DieOnAnswer(httpx.HTTPTransport):
    """Loopback transport that dies once the lost-work report has been answered."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == LOST_WORK_PATH:
            response.read()
            die()
        return response


def run(path: Path, pin: str, url: str, point: str) -> int:
    """Sync the revoked phone and die at ``point``; 3 when it was not reached."""
    store = LocalStore.open(path, pin)
    wipe = LocalStore.wipe
    if point == "before_wipe":
        LocalStore.wipe = lambda self: die()  # type: ignore[method-assign]
    elif point == "after_wipe":
        def wipe_then_die(self: LocalStore) -> None:
            wipe(self)
            die()
        LocalStore.wipe = wipe_then_die  # type: ignore[method-assign]
    transport = _DieOnAnswer() if point == "answered" else None
    client = SyncClient(store, url, transport=transport, timeout=10,
                        backoff=Backoff(attempts=2, base=0.01, cap=0.05))
    try:
        client.sync()
    except Exception as exc:
        print(f"not reached: {type(exc).__name__}", file=sys.stderr)
    return 3


def crash_during_revocation(store_path: Path, pin: str, url: str, point: str) -> None:
    """Run the revoked phone in a child process (the parent's side) killed at ``point``."""
    assert point in POINTS
    done = subprocess.run(
        [sys.executable, "-m", "tests.sync.revocation_child", str(store_path), pin, url, point],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
        check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
