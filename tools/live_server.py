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


#: Ports handed out below the kernel's ephemeral range (Linux: 32768-60999), so that no
#: outgoing connection can take a port between ``free_port`` and the server's bind.
_PORTS_LOW, _PORTS_HIGH = 20000, 32768


def _port_slice() -> range:
    """This process's ports: under pytest-xdist each worker gets its own slice, so two
    workers never hand out the same port; otherwise the whole band."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    width = (_PORTS_HIGH - _PORTS_LOW) // max(count, 1)
    start = _PORTS_LOW + (index % max(count, 1)) * width
    return range(start, start + width)


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


_next_port: list[int] = []  # where this process's walk through its slice has got to


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Walks this process's slice of 20000-32767 (never the same port twice in a row, and never
    another xdist worker's); where the kernel's ephemeral range reaches into that band, the
    kernel picks (bind to port 0) as before.
    """
    ports = _port_slice()
    if _ephemeral_low() >= _PORTS_HIGH:
        if not _next_port:
            _next_port.append(ports.start + (os.getpid() * 7919) % len(ports))
        for _ in range(len(ports)):
            port = _next_port[0]
            _next_port[0] = ports.start + (port + 1 - ports.start) % len(ports)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
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
