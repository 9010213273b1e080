"""The sync place in the headless harness over a real store: every state and error in words,
the refused changes, and what starts a sync on its own (network back, app resumed)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flet as ft
import pytest

from field_app.i18n import UK, format_datetime
from field_app.services.app import AppServices
from field_app.services.device import DeviceWiped
from field_app.services.problem import Problem
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.services.sync_problems import sync_failure
from field_app.sync import (
    Attention,
    InsecureServer,
    NeedsLogin,
    Offline,
    ServerTrouble,
    SyncError,
    UntrustedServer,
    UpdateRequired,
    WrongClock,
)
from field_app.sync.outcome import held, hold, success_entry
from field_app.ui.app import make_main
from shared_models.records import Family
from tests.ui.conflict_data import pull_conflict, pull_family
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked
from tests.ui.stores import real_store


def _device(tmp_path: Path) -> FakeDevice:
    device = FakeDevice(Phase.LOCKED)
    device.store = real_store(tmp_path / "device")
    return device


def _family(device: FakeDevice, name: str = "Коваленко") -> Family:
    assert device.store is not None
    fam = Family(community="zhytomyrska", family_name=name, settlement="Малин")
    device.store.save(fam)
    return fam


@pytest.mark.parametrize(("error", "online"), [
    (Offline(), "Немає зв'язку з сервером"),
    (ServerTrouble(status=503), "Сервер доступний"),
    (WrongClock(), "Сервер доступний"),
    (UpdateRequired(), "Сервер доступний"),
    (NeedsLogin(), "Сервер доступний"),
    (UntrustedServer(), "Зв'язок із сервером ще не перевірено"),
    (InsecureServer(), "Зв'язок із сервером ще не перевірено"),
    (SyncError(), "Зв'язок із сервером ще не перевірено"),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else "")
def test_every_error_is_shown_with_what_to_do(tmp_path: Path, error: SyncError,
                                              online: str) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        _family(device)
        device.sync_error = sync_failure(error)
        h = await start_unlocked(tmp_path, device, route="/sync")
        await h.click(h.find(key="sync-now"))
        failure = sync_failure(error)
        words = UK[failure.problem.key].format(**failure.problem.params)
        assert h.find(key="sync-error").value == words
        assert "Що сталося і що робити" in h.texts()
        assert h.find(key="sync-state").title.value == online
        assert h.find(key="sync-pending").title.value == "Збережено на телефоні: 1 зміна"
        assert not h.find(key="sync-now").disabled            # the button always goes
        await h.close()

    run(flow)


def test_the_wordings_say_what_to_do() -> None:
    assert UK["sync.err.offline"] == ("Немає зв'язку з сервером. Зміни збережено на телефоні; "
                                      "синхронізуйте, коли з'явиться інтернет.")
    for kind in ("server", "update", "clock", "login", "untrusted", "insecure"):
        assert "Зміни збережено на телефоні" in UK[f"sync.err.{kind}"], kind
    assert "Оновіть" in UK["sync.err.update"]
    assert "дату й час" in UK["sync.err.clock"]
    assert "координатора" in UK["sync.err.revoked"]


def test_a_revoked_device_lands_on_first_start_with_the_reason(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        device.sync_error = DeviceWiped(Problem("sync.err.revoked"))
        h = await start_unlocked(tmp_path, device, route="/sync")
        await h.click(h.find(key="sync-now"))
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value == UK["sync.err.revoked"]
        assert h.page.data.services.sync.error is None          # a clean start
        await h.close()

    run(flow)


def test_counts_last_sync_and_the_stages_of_a_sync(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        for i in range(12):
            _family(device, f"Родина{i}")
        assert device.store is not None
        three_days = datetime.now(UTC) - timedelta(days=3, minutes=5)
        for name, value in success_entry(int(three_days.timestamp() * 1000)).items():
            device.store.set_secret(name, value)
        h = await start_unlocked(tmp_path, device, route="/sync")
        assert h.find(key="sync-pending").title.value == "Збережено на телефоні: 12 змін"
        assert h.find(key="sync-last").title.value == "Остання успішна синхронізація"
        assert h.find(key="sync-last-when").value == f"{format_datetime(three_days)} · 3 дні тому"
        assert h.find(key="sync-state").title.value == "Зв'язок із сервером ще не перевірено"
        stages: list[str] = []
        bars: list[float | None] = []
        status = h.page.data.services.sync

        def look() -> None:     # after the app re-rendered the screen for this change
            for c in h.find_all(key="sync-stage"):
                stages.append(c.value)
            for c in h.find_all(key="sync-progress"):
                bars.append(c.value)
        status.subscribe(look)
        await h.click(h.find(key="sync-now"))
        assert stages[:3] == ["Підключення до сервера…", "Надсилання змін…",
                              "Надсилання змін: 1 з 2"]
        assert "Отримання змін: отримано 5" in stages
        assert 0.5 in bars and None in bars                  # known total, then unknown
        assert h.find_all(key="sync-progress") == []
        assert h.find(key="sync-state").title.value == "Сервер доступний"
        assert h.find(key="sync-state").subtitle.value.startswith("Остання спроба: ")
        assert h.find(key="sync-counts").title.value == "Надіслано змін: 2, отримано: 5."
        await h.close()

    run(flow)


def test_refused_changes_can_be_opened_and_sent_again(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        store = device.store
        assert store is not None
        fam = _family(device)
        entry = store.pending_changes()[0]
        hold(store, Attention(str(entry.mutation_id), str(fam.id), "family", "forbidden", ""))
        h = await start_unlocked(tmp_path, device, route="/sync")
        mid = entry.mutation_id
        assert h.find(key="attention-title").value == "Потребують уваги: 1"
        card = h.find(key=f"attention-{mid}")
        assert card is not None
        assert "Сім'я · Коваленко, Малин" in h.texts()
        assert h.find(key=f"attention-reason-{mid}").value == UK["sync.refused.forbidden"]
        await h.click(h.find(key=f"attention-open-{mid}"))
        assert h.page.route == f"/families/{fam.id}"
        await h.follow("/sync")
        store.save(store.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 3"}))
        await h.click(h.find(key=f"attention-retry-{mid}"))
        assert device.calls[-1] == "sync"                    # sent at once
        assert held(store) == []
        assert h.find_all(key="attention-title") == []
        [folded] = store.pending_changes()                   # refused change + correction
        assert folded.writes["address"].value == "вул. Садова, 3"
        assert folded.writes["family_name"].value == "Коваленко"
        await h.close()

    run(flow)


def test_the_conflict_counter_leads_to_the_conflicts(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        assert device.store is not None
        fid = uuid.uuid4()
        pull_family(device.store, fid)
        pull_conflict(device.store, record_id=fid)
        h = await start_unlocked(tmp_path, device, route="/sync")
        assert h.find(key="sync-conflicts").title.value == "1 конфлікт змін чекає рішення"
        await h.click(h.find(key="sync-conflicts"))
        assert h.page.route == "/more/conflicts"
        await h.follow("/more")
        assert h.find(key="more-conflicts").subtitle.value == "1 конфлікт змін чекає рішення"
        await h.click(h.find(key="more-conflicts"))
        assert h.page.route == "/more/conflicts"
        await h.close()

    run(flow)


async def _auto_app(tmp_path: Path, device: FakeDevice) -> Harness:
    services = AppServices(data_dir=tmp_path, device=device, settings=SettingsFile(tmp_path),
                           sync_on_open=True, sync_interval_s=0.2, sync_check_s=3600)
    h = await Harness.start(make_main(services))
    await h.type(h.find(key="unlock-pin"), device.pin)
    await h.click(h.find(key="unlock-submit"))
    assert device.calls == ["unlock", "sync"]               # the unlock syncs
    return h


def test_network_back_starts_a_sync(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _auto_app(tmp_path, device)
        service = h.page.data.connectivity
        assert isinstance(service, ft.Connectivity)
        await asyncio.sleep(0.15)                            # past the policy's minimum gap
        await h.fire(service, "change", {"connectivity": ["none"]})
        assert device.calls.count("sync") == 1               # going offline starts nothing
        await h.fire(service, "change", {"connectivity": ["wifi"]})
        assert device.calls.count("sync") == 2               # the network is back: sync
        await h.fire(service, "change", {"connectivity": ["mobile"]})
        assert device.calls.count("sync") == 2               # still online: nothing new
        await h.close()

    run(flow)


def test_network_back_while_locked_waits_for_the_unlock(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _auto_app(tmp_path, device)
        await h.follow("/more")
        await h.click(h.find(key="more-lock"))
        await asyncio.sleep(0.15)
        service = h.page.data.connectivity
        await h.fire(service, "change", {"connectivity": ["none"]})
        await h.fire(service, "change", {"connectivity": ["wifi"]})
        assert device.calls.count("sync") == 1
        await h.type(h.find(key="unlock-pin"), device.pin)
        await h.click(h.find(key="unlock-submit"))
        assert device.calls.count("sync") == 2               # not held back by the claim
        await h.close()

    run(flow)


def test_resume_starts_a_sync(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _auto_app(tmp_path, device)
        await asyncio.sleep(0.15)
        await h.fire(h.page, "app_lifecycle_state_change", {"state": "resume"})
        assert device.calls.count("sync") == 2
        await h.fire(h.page, "app_lifecycle_state_change", {"state": "resume"})
        assert device.calls.count("sync") == 2               # too soon after the last one
        await h.close()

    run(flow)


def test_sign_in_again_when_the_server_forgot_the_device(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        _family(device)
        device.sync_error = sync_failure(NeedsLogin())
        h = await start_unlocked(tmp_path, device, route="/sync")
        assert h.find_all(key="relogin-password") == []       # only for this error
        await h.click(h.find(key="sync-now"))
        assert h.find(key="sync-error").value == UK["sync.err.login"]
        password = h.find(key="relogin-password")
        assert password.password
        await h.click(h.find(key="relogin-submit"))
        assert h.find(key="relogin-password").error == "Обов'язкове поле"
        await h.type(h.find(key="relogin-password"), "не той")
        await h.click(h.find(key="relogin-submit"))
        assert h.find(key="relogin-password").error == (
            "Не вдалося увійти. Перевірте адресу сервера, логін і пароль.")
        await h.type(h.find(key="relogin-password"), "пароль")
        await h.submit(h.find(key="relogin-password"))
        assert device.calls[-2:] == ["sign_in_again", "sync"]  # signed in, then synced
        assert h.find_all(key="sync-error") == []
        assert h.find_all(key="relogin-password") == []
        assert device.store is not None and device.store.pending_count() == 1   # kept
        await h.close()

    run(flow)
