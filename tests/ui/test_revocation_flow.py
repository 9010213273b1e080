"""A revoked phone with unsent work: the first-start screen says how much was lost.

Headless harness over the real app services (``StoreDevice``, the sync client) and a real
sync server on loopback: the worker syncs, the administrator has revoked the phone, and the
app lands on first start with the counts of unsent changes and drafts the wipe erased, in
Ukrainian, and in English when the worker switches language.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from field_app.i18n import EN, UK
from field_app.services.draft_store import save_draft, visit_key
from field_app.services.state import Phase
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF
from field_app.sync import lost_notice, stored_account
from shared_models.enums import Role
from shared_models.records import Family
from tests.sync.records import visit
from tests.sync.revocation_child import crash_during_revocation
from tests.ui.harness import run, start_app
from tools.live_server import LiveServer

PIN = "482915"
PASSWORD = "correct horse battery"


def today() -> str:
    return datetime.now(UTC).strftime("%d.%m.%Y")


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
        assert said == UK["sync.err.revoked_lost"].format(changes=2, drafts=1, date=today())
        assert "Втрачено ненадісланих змін: 2" in said and "повідомлено" in said
        await h.choose(h.find(key="setup-language"), "en")
        assert h.find(key="setup-message").value == EN["sync.err.revoked_lost"].format(
            changes=2, drafts=1, date=today())
        await h.close()

    run(flow)
    assert device.phase() is Phase.SETUP and not device.path.exists()


def test_a_phone_killed_right_after_the_wipe_still_says_what_was_lost(
        tmp_path: Path, server: LiveServer) -> None:
    """The app is killed between the wipe and the first-start screen (a child process
    SIGKILLed right after wiping): every later start shows the message, from the notice kept
    beside the store, until the worker signs in again on a new store."""
    phone = tmp_path / "phone"
    phone.mkdir()
    device = StoreDevice(phone, sign_in=sync_client_sign_in, kdf=TEST_KDF)
    device.set_up(server_url=server.base_url, username="olena", password=PASSWORD, pin=PIN)
    store = device.store
    assert store is not None
    fam = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    store.save(fam)
    store.save(visit(fam.id, "olena"))
    save_draft(store, visit_key(str(fam.id)), {"notes": "ще пишу"})
    account = stored_account(store)
    assert account is not None
    store.close()
    server.revoke(account.device_id)

    crash_during_revocation(device.path, PIN, server.base_url, "after_wipe")
    assert not device.path.exists()
    text = lost_notice.notice_path(phone).read_text()
    assert "Коваленко" not in text and "olena" not in text and account.device_id not in text

    expected = UK["sync.err.revoked_lost"].format(changes=2, drafts=1, date=today())
    for _start in range(2):                     # not a one-time message: until a new store
        restarted = StoreDevice(phone, sign_in=sync_client_sign_in, kdf=TEST_KDF)

        async def flow(device: StoreDevice = restarted) -> None:
            h = await start_app(phone, device)
            assert h.page.route == "/setup"
            assert h.find(key="setup-message").value == expected
            await h.close()

        run(flow)
    # Signing in again makes a new store: the notice has been shown for the last time.
    restarted.set_up(server_url=server.base_url, username="olena", password=PASSWORD, pin=PIN)
    assert lost_notice.read(phone) is None
    assert not lost_notice.notice_path(phone).exists()
    restarted.lock()
