"""End to end against a real server (uvicorn on loopback): two workers edit the same field of a
family offline, both sync and both hold the conflict; the supervisor resolves it in the app
(headless harness over a real ``StoreDevice``) with a merged value; after syncing, the conflict
is resolved on all three devices and the field holds the merged value everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from field_app.services.conflicts import list_conflicts
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF
from shared_models.enums import ConflictStatus
from shared_models.records import Conflict, Family
from tests.sync.conftest import PASSWORD, Device
from tests.sync.records import family
from tests.ui.harness import Harness, run, start_app
from tools.live_server import LiveServer

SUPERVISOR_PIN = "719305"
MERGED = "вул. Садова, 3, кв. 5"


def test_two_offline_edits_resolved_by_the_supervisor_everywhere(
        tmp_path: Path, server: LiveServer, make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family(address="вул. Садова, 1")
    olena.save(fam)
    olena_sync.sync()
    petro_sync.sync()
    # Both change the address while offline, then sync.
    olena.save(olena.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 3"}))
    petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 5"}))
    olena_sync.sync()
    petro_sync.sync()
    olena_sync.sync()
    for store in (olena, petro):
        [conflict] = store.all(Conflict)
        assert conflict.status is ConflictStatus.OPEN
        assert {conflict.winner_value, conflict.loser_value} == {"вул. Садова, 3",
                                                                 "вул. Садова, 5"}
    for name, store in (("olena", olena), ("petro", petro)):   # each author sees it
        assert len(list_conflicts(store, username=name, role="social_worker")) == 1

    device = StoreDevice(tmp_path / "iryna", sign_in=sync_client_sign_in, kdf=TEST_KDF)
    device.set_up(server_url=server.base_url, username="iryna", password=PASSWORD,
                  pin=SUPERVISOR_PIN)
    device.lock()

    async def supervisor() -> None:
        h = await start_app(tmp_path / "iryna", device)
        await h.type(h.find(key="unlock-pin"), SUPERVISOR_PIN)
        await h.click(h.find(key="unlock-submit"))
        await h.follow("/sync")
        await h.click(h.find(key="sync-now"))
        await _settle_sync(h)
        assert h.find(key="sync-state").title.value == "Сервер доступний"
        assert h.find(key="sync-conflicts").title.value == "1 конфлікт змін чекає рішення"
        await h.click(h.find(key="sync-conflicts"))
        [tile] = [c for c in h.find_all() if str(getattr(c, "key", "")).startswith("conflict-")
                  and getattr(c, "on_click", None)]
        assert tile.title.value == "Сім'я · Коваленко, Малин"
        assert "olena" in tile.subtitle.value and "petro" in tile.subtitle.value
        await h.click(tile)
        assert {h.find(key="conflict-keep-0").content,
                h.find(key="conflict-keep-1").content} == {"Залишити «olena»",
                                                           "Залишити «petro»"}
        await h.type(h.find(key="conflict-merged"), MERGED)
        await h.click(h.find(key="conflict-save-merged"))
        assert h.find(key="conflict-settled")
        await h.follow("/sync")
        assert h.find(key="sync-pending").title.value == "Збережено на телефоні: 1 зміна"
        await h.click(h.find(key="sync-now"))
        await _settle_sync(h)
        assert h.find(key="sync-pending").title.value == "Усі зміни надіслано на сервер"
        assert h.find(key="sync-conflicts").title.value == "Конфліктів змін немає"
        await h.close()

    run(supervisor)
    store = device.records()
    for s in (olena_sync, petro_sync):
        s.sync()
    for name, s in (("iryna", store), ("olena", olena), ("petro", petro)):
        assert s.get(Family, fam.id).address == MERGED, name
        [conflict] = s.all(Conflict)
        assert (conflict.status, conflict.resolved_by) == (ConflictStatus.RESOLVED, "iryna"), name
    assert list_conflicts(olena, username="olena", role="social_worker") == []
    device.lock()


async def _settle_sync(h: Harness) -> None:
    """Wait for the sync started by the button (it runs in a worker thread)."""
    status = h.page.data.services.sync
    for _ in range(200):
        if not status.syncing:
            break
        await h.settle()
    assert not status.syncing and status.error is None, status.error
    await h.settle()
