"""A real sync server on loopback for tests and benchmarks: uvicorn in a child process.

The database is migrated and the accounts created before the server starts, through the
server's own functions; the server is then reached only over HTTP, as a phone reaches it.
A child process (not a thread) so tests can kill it with SIGKILL mid-push and start it again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from sync_server.accounts import create_user, revoke_device, set_role, user_id_of
from sync_server.db import make_engine, write_tx
from sync_server.migrate import upgrade
from sync_server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """One server process over one database."""

    database_url: str
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    tls: tuple[Path, Path] | None = None  # (certificate, key) to serve https
    extra_env: dict[str, str] = field(default_factory=dict)  # more PORUCH_* settings
    workers: int = 1

    def __post_init__(self) -> None:
        self.settings = Settings(database_url=self.database_url)
        self._engine: Engine | None = None

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = "localhost" if self.tls else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def migrate(self) -> None:
        upgrade(self.database_url)

    def add_user(self, username: str, password: str, role: Role,
                 communities: Iterable[CommunityCode | str] = ()) -> None:
        with write_tx(self.engine) as conn:
            create_user(conn, username=username, role=role, password=password,
                        communities=[CommunityCode(c) for c in communities],
                        settings=self.settings)

    def set_role(self, username: str, role: Role) -> None:
        with write_tx(self.engine) as conn:
            set_role(conn, user_id=user_id_of(conn, username), role=role)

    def revoke(self, device_id: str) -> None:
        with write_tx(self.engine) as conn:
            if not revoke_device(conn, device_id=uuid.UUID(device_id)):
                raise LookupError(f"no device {device_id}")

    def start(self) -> None:
        env = {**os.environ, "PORUCH_DATABASE_URL": self.database_url,
               "PORUCH_ENV": "development", "PORUCH_LOG_LEVEL": "warning",
               "PYTHONPATH": str(ROOT), **self.extra_env}
        cmd = [sys.executable, "-m", "uvicorn", "sync_server.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
               "--workers", str(self.workers)]
        if self.tls:
            cmd += ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]
        if self.log_path:
            with open(self.log_path, "ab") as out:  # the child keeps its own descriptor
                self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out, cwd=ROOT)
        else:
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                probe = f"http://127.0.0.1:{self.port}/health"
                if self.tls:  # our own test certificate: checking it is the tests' job
                    ok = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                    ok.close()
                    return
                if httpx.get(probe, timeout=1).status_code == 200:
                    return
            except (httpx.TransportError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy in 30 s")

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as a power cut would do."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
