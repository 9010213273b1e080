"""Flow tests of the views in a headless Flet session (``harness.py``), no browser."""

import asyncio
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from field_app.services.device import DeviceWiped, Refusal, SignInFailed, SyncFailed
from field_app.services.problem import Problem
from field_app.services.settings import AppSettings, SettingsFile
from field_app.services.state import Phase
from tests.ui.harness import FakeDevice, Harness, run, start_app, start_unlocked

FIELDS = ("server_url", "username", "password", "pin", "pin_repeat")


async def _started(tmp_path: Path, device: Any, **kw: Any) -> Harness:
    return await start_app(tmp_path, device, **kw)


def _errors(h: Harness) -> dict[str, Any]:
    return {name: h.find(key=name).error for name in FIELDS}


async def _fill_setup(h: Harness, pin: str = "246810", repeat: str | None = None) -> None:
    await h.type(h.find(key="server_url"), "https://poruch.zt.gov.ua")
    await h.type(h.find(key="username"), "olena")
    await h.type(h.find(key="password"), "пароль")
    await h.type(h.find(key="pin"), pin)
    await h.type(h.find(key="pin_repeat"), pin if repeat is None else repeat)


def test_first_start_shows_ukrainian_errors_next_to_the_fields(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await _started(tmp_path, FakeDevice())
        assert h.page.route == "/setup"
        assert "Перший запуск" in h.texts()
        await h.click(h.find(key="setup-submit"))
        assert _errors(h) == dict.fromkeys(FIELDS, "Обов'язкове поле")
        assert h.find(key="setup-message").value == "Виправте позначені поля."
        assert ("focus", {}) in h.conn.method_calls       # the first wrong field got the focus
        await h.type(h.find(key="server_url"), "poruch.zt.gov.ua")
        assert h.find(key="server_url").error is None     # cleared as the worker types
        await h.type(h.find(key="pin"), "123456")
        await h.type(h.find(key="pin_repeat"), "123456")
        await h.submit(h.find(key="pin_repeat"))
        errors = _errors(h)
        assert errors["server_url"].startswith("Адреса має починатися з https://")
        assert errors["pin"] == "Занадто простий PIN-код: уникайте повторів і послідовностей"
        assert errors["pin_repeat"] is None
        await h.close()

    run(flow)


def test_first_start_mismatched_pins(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await _started(tmp_path, FakeDevice())
        await _fill_setup(h, "246810", "246811")
        await h.click(h.find(key="setup-submit"))
        assert _errors(h)["pin_repeat"] == "PIN-коди не збігаються"
        assert h.page.route == "/setup"
        await h.close()

    run(flow)


def test_language_switch_keeps_what_was_typed(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await _started(tmp_path, FakeDevice())
        await h.type(h.find(key="username"), "olena")
        await h.click(h.find(key="setup-submit"))
        await h.choose(h.find(key="setup-language"), "en")
        assert h.find(key="username").value == "olena"
        assert h.find(key="username").label == "Username"
        assert h.find(key="server_url").error == "This field is required"
        assert h.find(key="setup-submit").content == "Connect"
        assert h.page.locale_configuration.current_locale.language_code == "en"
        assert SettingsFile(tmp_path).load().language == "en"
        await h.choose(h.find(key="setup-language"), "uk")
        assert h.find(key="setup-submit").content == "Підключити"
        await h.close()

    run(flow)


def test_first_start_success_opens_the_families(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice()
        h = await _started(tmp_path, device)
        await _fill_setup(h)
        await h.click(h.find(key="setup-submit"))
        assert device.calls == ["set_up https://poruch.zt.gov.ua olena"]
        assert h.page.route == "/families"
        assert h.find(key="navigation-bar").selected_index == 0
        assert "На цьому телефоні ще немає сімей." in h.texts()
        app = h.page.data
        assert (app.setup_form.pin, app.setup_form.password) == ("", "")
        await h.close()

    run(flow)


def test_first_start_shows_the_refusal(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice()
        device.set_up_error = SignInFailed(Problem("err.unexpected", {"detail": "401"}))
        h = await _started(tmp_path, device)
        await _fill_setup(h)
        await h.click(h.find(key="setup-submit"))
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value == "Сталася помилка: 401"
        assert not h.find(key="setup-submit").disabled
        await h.close()

    run(flow)


def test_navigation_between_the_four_places_on_a_phone(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/families")
        assert h.find_all(type_=ft.NavigationRail) == []
        labels = [d.label for d in h.find(type_=ft.NavigationBar).destinations]
        assert labels == ["Сім'ї", "Візити", "Синхронізація", "Більше"]
        for index, (route, title) in enumerate([
            ("/families", "Сім'ї громади"), ("/visits", "Заплановані візити"),
            ("/sync", "Синхронізація"), ("/more", "Більше"),
        ]):
            await h.tap_place(index)
            assert h.page.route == route
            assert h.view.appbar.title.value == title
            assert h.find(key="navigation-bar").selected_index == index
        await h.close()

    run(flow)


def test_detail_screens_stack_with_back(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/more")
        await h.click(h.find(key="more-settings"))
        assert [v.route for v in h.page.views] == ["/more", "/more/settings"]
        assert h.view.navigation_bar is None                  # forms get the whole screen
        await h.pop_view()
        assert h.page.route == "/more"
        assert [v.route for v in h.page.views] == ["/more"]
        await h.follow("/families/abc/visits/new")
        assert [v.route for v in h.page.views] == [
            "/families", "/families/abc", "/families/abc/visits/new"]
        await h.close()

    run(flow)


def test_wide_screen_uses_a_rail_and_two_panes(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/families",
                           width=1280, height=800)
        rail = h.find(type_=ft.NavigationRail)
        assert [d.label for d in rail.destinations] == [
            "Сім'ї", "Візити", "Синхронізація", "Більше"]
        assert h.find_all(type_=ft.NavigationBar) == []
        # No families on the device yet: the detail pane says so and what to do.
        assert "Сімей ще немає" in h.texts()
        assert "Оберіть сім'ю зі списку, щоб побачити її картку." not in h.texts()
        await h.follow("/families/abc")
        assert len(h.page.views) == 1                       # list and card side by side
        assert h.find(key="families-search")
        await h.tap_place(2)
        assert h.page.route == "/sync"
        await h.resize(360, 640)                            # a phone again
        assert h.find(type_=ft.NavigationBar).selected_index == 2
        assert h.find_all(type_=ft.NavigationRail) == []
        await h.close()

    run(flow)


def test_settings_language_switch_rerenders_everything(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/more/settings")
        assert h.view.appbar.title.value == "Налаштування"
        await h.choose(h.find(key="settings-language"), "en")
        assert h.view.appbar.title.value == "Settings"
        assert h.page.views[0].navigation_bar.destinations[3].label == "More"
        assert "Lock after inactivity" in h.texts()
        indicator = h.find(key="sync-indicator")
        assert indicator.tooltip.startswith("Sync status.")
        await h.choose(h.find(key="settings-lock-timeout"), "15")
        await h.click(h.find(key="back"))
        assert h.page.route == "/more"
        await h.click(h.find(key="more-settings"))
        await h.choose(h.find(key="settings-theme"), "dark")
        assert h.page.theme_mode == ft.ThemeMode.DARK
        assert SettingsFile(tmp_path).load() == AppSettings("en", 15, "dark")
        assert h.page.data.session.lock_timeout_minutes == 15
        await h.close()

    run(flow)


def test_saved_settings_apply_at_start(tmp_path: Path) -> None:
    async def flow() -> None:
        SettingsFile(tmp_path).save(AppSettings("en", 2, "light"))
        h = await _started(tmp_path, FakeDevice(Phase.LOCKED))
        assert h.page.route == "/unlock"
        assert h.find(key="unlock-submit").content == "Unlock"
        assert h.page.theme_mode == ft.ThemeMode.LIGHT
        assert h.page.data.session.lock_timeout_minutes == 2
        await h.close()

    run(flow)


def test_sync_indicator_follows_the_status(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/families")
        status = h.page.data.services.sync
        status.set_pending(3)
        indicator = h.find(key="sync-indicator")
        assert indicator.content.controls[1].value == "3"
        assert "3 зміни чекають надсилання" in indicator.tooltip
        assert indicator.content.controls[0].icon == ft.Icons.CLOUD_UPLOAD_OUTLINED
        status.failed(Problem("sync.err.offline"), offline=True)
        assert indicator.content.controls[0].icon == ft.Icons.SYNC_PROBLEM
        assert indicator.tooltip.startswith("Стан синхронізації. Синхронізація не вдалася: "
                                            "Немає зв'язку з сервером.")
        await h.click(indicator)                               # tap for details
        assert h.page.route == "/sync"
        assert h.find(key="sync-error").value.startswith("Немає зв'язку з сервером.")
        assert "Збережено на телефоні: 3 зміни" in h.texts()
        await h.close()

    run(flow)


def test_a_new_window_asks_for_the_pin(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await _started(tmp_path, FakeDevice(Phase.UNLOCKED), route="/families")
        assert h.page.route == "/unlock"
        await h.close()

    run(flow)


def test_guard_keeps_locked_data_out_of_view(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await _started(tmp_path, FakeDevice(Phase.LOCKED), route="/families/abc")
        assert h.page.route == "/unlock"
        await h.follow("/more/settings")
        assert h.page.route == "/unlock"
        await h.close()

    run(flow)


def test_unlock_wrong_pin_then_right(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED, refusals=[Refusal(attempts_left=4)])
        h = await _started(tmp_path, device)
        pin = h.find(key="unlock-pin")
        assert pin.keyboard_type == ft.KeyboardType.NUMBER and pin.password
        await h.click(h.find(key="unlock-submit"))
        assert h.find(key="unlock-message").value == "Введіть PIN-код"
        await h.type(h.find(key="unlock-pin"), "000000")
        await h.submit(h.find(key="unlock-pin"))
        assert h.find(key="unlock-message").value == "Неправильний PIN-код.\nЗалишилось спроб: 4."
        assert h.find(key="unlock-pin").value == ""
        await h.type(h.find(key="unlock-pin"), "246810")
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/families"
        await h.close()

    run(flow)


def test_unlock_delay_and_wipe_warning(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED, refusals=[
            Refusal(wait_seconds=1, attempts_left=2, wipe_warning=True, pending_changes=5)])
        h = await _started(tmp_path, device)
        await h.type(h.find(key="unlock-pin"), "000000")
        await h.click(h.find(key="unlock-submit"))
        message = h.find(key="unlock-message").value
        assert "Зачекайте 1 с перед наступною спробою." in message
        assert "після ще 2 неправильних спроб усі дані на цьому телефоні буде стерто" in message
        assert "Ненадісланих змін: 5" in message
        assert h.find(key="unlock-submit").disabled
        await asyncio.sleep(1.1)
        await h.settle()
        assert not h.find(key="unlock-submit").disabled
        await h.close()

    run(flow)


def test_unlock_wipe_leads_to_first_start(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED, refusals=[Refusal(attempts_left=1)],
                            wipe_after_refusals=True)
        h = await _started(tmp_path, device)
        for _ in range(2):
            await h.type(h.find(key="unlock-pin"), "000000")
            await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value.startswith(
            "Після забагатьох неправильних спроб дані на цьому телефоні стерто.")
        await h.close()

    run(flow)


def test_lock_now_and_background(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        h = await start_unlocked(tmp_path, device, route="/more")
        await h.click(h.find(key="more-lock"))
        assert h.page.route == "/unlock" and device.calls == ["unlock", "lock"]
        await h.type(h.find(key="unlock-pin"), "246810")
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/more"      # unlocking returns to where the worker was
        await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
        assert h.page.route == "/unlock"
        await h.close()

    run(flow)


@pytest.mark.parametrize("width", [360, 1280])
def test_every_route_renders_in_both_languages(tmp_path: Path, width: int) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/families", width=width)
        for lang in ("uk", "en"):
            await h.page.data.set_language(lang)
            for path in ("/families", "/families/new", "/families/a1", "/families/a1/visits/new",
                         "/families/a1/notes/new", "/visits", "/sync", "/more",
                         "/more/settings", "/more/review", "/more/review/visit/a1",
                         "/more/settings/pin", "/more/settings/sign-out", "/more/conflicts",
                         "/more/conflicts/c1",
                         "/nowhere"):
                await h.follow(path)
                assert h.page.route == path
                assert h.view.appbar is not None and h.view.appbar.title.value
                assert h.find(key="sync-indicator")
        await h.close()

    run(flow)


def test_auto_lock_after_inactivity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("field_app.ui.app.IDLE_CHECK_SECONDS", 0.05)

    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        h = await start_unlocked(tmp_path, device, route="/visits")
        app = h.page.data
        await asyncio.sleep(0.2)
        assert h.page.route == "/visits"                     # 5 minutes have not passed
        app.session.last_activity -= app.session.lock_timeout_minutes * 60
        await asyncio.sleep(0.2)
        await h.settle()
        assert h.page.route == "/unlock"
        assert device.calls[-1] == "lock"
        await h.close()

    run(flow)


def test_sync_now_shows_progress_and_outcome(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        h = await start_unlocked(tmp_path, device, route="/sync")
        status = h.page.data.services.sync
        seen: list[tuple[float | None, str | None]] = []
        status.subscribe(lambda: seen.append((status.progress, status.stage)))
        await h.click(h.find(key="sync-now"))
        assert device.calls[-1] == "sync"
        assert (0.5, "push") in seen and (None, "pull") in seen
        assert "Надіслано змін: 2, отримано: 5." in h.texts()
        assert h.find(key="sync-last-when").value.startswith("22.11.2026 ")
        assert h.find(key="sync-indicator").content.controls[0].icon == (
            ft.Icons.CLOUD_DONE_OUTLINED)
        device.sync_error = SyncFailed(Problem("sync.err.offline"), offline=True)
        await h.click(h.find(key="sync-now"))
        assert h.find(key="sync-error").value.startswith("Немає зв'язку з сервером.")
        await h.page.data.set_language("en")              # worded again in the new language
        assert h.find(key="sync-error").value.startswith("No connection to the server.")
        await h.close()

    run(flow)


def test_sync_on_open_and_revoked_device(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        device.sync_error = DeviceWiped(Problem.literal("Пристрій відключено.", "Revoked."))
        h = await start_app(tmp_path, device, sync_on_open=True)
        await h.type(h.find(key="unlock-pin"), device.pin)
        await h.click(h.find(key="unlock-submit"))
        assert device.calls == ["unlock", "sync"]
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value == "Пристрій відключено."
        await h.close()

    run(flow)
