"""A revoked phone with unsent work: the first-start screen says how much was lost.

Headless harness over the real app services (``StoreDevice``, the sync client) and a real
sync server on loopback: the worker syncs, the administrator has revoked the phone, and the
app lands on first start with the counts of unsent changes and drafts the wipe erased, in
Ukrainian, and in English when the worker switches language.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.i18n import EN, UK
from field_app.services.draft_store import save_draft, visit_key
from field_app.services.state import Phase
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF
from field_app.sync import stored_account
from shared_models.enums import Role
from shared_models.records import Family
from tests.sync.records import visit
from tests.ui.harness import run, start_app
from tools.live_server import LiveServer

PIN = "482915"
PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "server.log")
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    yield live
    live.stop()


def test_the_first_start_screen_says_what_the_revocation_erased(tmp_path: Path,
                                                                server: LiveServer) -> None:
    device = StoreDevice(tmp_path / "phone", sign_in=sync_client_sign_in, kdf=TEST_KDF)
    (tmp_path / "phone").mkdir()
    device.set_up(server_url=server.base_url, username="olena", password=PASSWORD, pin=PIN)
    store = device.store
    assert store is not None
    fam = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    store.save(fam)                                        # never sent: two changes
    store.save(visit(fam.id, "olena"))
    save_draft(store, visit_key(str(fam.id)), {"notes": "ще пишу"})   # and a draft
    account = stored_account(store)
    assert account is not None
    server.revoke(account.device_id)
    device.lock()

    async def flow() -> None:
        h = await start_app(tmp_path / "phone", device)
        await h.type(h.find(key="unlock-pin"), PIN)
        await h.click(h.find(key="unlock-submit"))
        await h.follow("/sync")
        await h.click(h.find(key="sync-now"))
        for _ in range(200):              # the sync runs on a worker thread over the network
            if h.page.route == "/setup":
                break
            await h.settle(10.0)
        assert h.page.route == "/setup"
        said = h.find(key="setup-message").value
        assert said == UK["sync.err.revoked_lost"].format(changes=2, drafts=1)
        assert "Втрачено ненадісланих змін: 2" in said and "повідомлено" in said
        await h.choose(h.find(key="setup-language"), "en")
        assert h.find(key="setup-message").value == EN["sync.err.revoked_lost"].format(
            changes=2, drafts=1)
        await h.close()

    run(flow)
    assert device.phase() is Phase.SETUP and not device.path.exists()
