"""Fixtures for sync tests: a live server on loopback and devices with real encrypted stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.enums import Role
from tools.live_server import LiveServer

PIN = "482915"
PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A migrated SQLite server with workers and a supervisor in Malyn, running."""
    live = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "server.log")
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("iryna", PASSWORD, Role.SUPERVISOR, ["malynska"])
    live.add_user("ivan", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("taras", PASSWORD, Role.SOCIAL_WORKER, ["pulynska"])
    live.start()
    yield live
    live.stop()


Device = tuple[LocalStore, SyncClient]


@pytest.fixture
def make_device(tmp_path: Path, server: LiveServer) -> Iterator[Callable[..., Device]]:
    """Factory: a logged-in device (fresh encrypted store + sync client) for a user."""
    made: list[Device] = []

    def make(username: str, *, transport: httpx.BaseTransport | None = None,
             name: str | None = None, page_limit: int = 500) -> Device:
        path = tmp_path / f"{name or username}-{len(made)}.db"
        store = LocalStore.create(path, PIN, kdf=TEST_KDF)
        client = SyncClient(store, server.base_url, transport=transport, page_limit=page_limit,
                            backoff=Backoff(attempts=8, base=0.01, cap=0.05), timeout=10)
        client.login(username, PASSWORD)
        made.append((store, client))
        return store, client

    yield make
    for store, client in made:
        client.close()
        if not store.locked:
            store.close()
