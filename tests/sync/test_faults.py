"""Fault injection between device and server: the same final state as a clean link.

One seeded script runs twice, each time on a fresh server: once over a clean link, once over
a link that drops requests, loses answers after the server committed, delivers requests
twice, cuts bodies short, answers 500/503 and times out. The devices must end identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.enums import Role
from tests.sync.conftest import PASSWORD, PIN, Device
from tests.sync.faults import FAULTS, FaultyTransport
from tests.sync.scenario import information, run_scenario, snapshot
from tools.live_server import LiveServer


@pytest.fixture
def second_server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(f"sqlite:///{tmp_path / 'second.db'}", log_path=tmp_path / "second.log")
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    yield live
    live.stop()


@pytest.mark.parametrize("seed", [11, 29])
def test_a_broken_link_ends_in_the_same_state_as_a_clean_one(
        make_device: Callable[..., Device], second_server: LiveServer, tmp_path: Path,
        seed: int) -> None:
    clean = [("olena", *make_device("olena", name="clean-o")),
             ("petro", *make_device("petro", name="clean-p"))]
    run_scenario(seed, clean)
    expected = snapshot(clean[0][1])
    assert expected == snapshot(clean[1][1])
    assert sum(k.startswith("visit/") for k in expected) >= 3

    links = [FaultyTransport(httpx.HTTPTransport(), rate=0.35, seed=seed + i) for i in range(2)]
    broken = []
    for name, link in zip(("olena", "petro"), links, strict=True):
        store = LocalStore.create(tmp_path / f"faulty-{name}.db", PIN, kdf=TEST_KDF)
        client = SyncClient(store, second_server.base_url, transport=link,
                            backoff=Backoff(attempts=8, base=0.01, cap=0.05), timeout=10)
        link.enabled = False
        client.login(name, PASSWORD)
        link.enabled = True
        broken.append((name, store, client))
    try:
        run_scenario(seed, broken)
        injected = links[0].injected + links[1].injected
        assert set(injected) == set(FAULTS), injected  # every kind of fault happened
        # The two devices on the broken link agree exactly with each other, and hold the
        # same information as the clean run (every value, current or kept in a conflict).
        got = snapshot(broken[0][1])
        assert snapshot(broken[1][1]) == got
        assert information(got) == information(expected)
        assert all(k.startswith("conflict/") for k in got.keys() ^ expected.keys())
    finally:
        for _, store, client in broken:
            client.close()
            store.close()
