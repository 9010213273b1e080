"""The device secret in the phone's keystore: made at first start, needed to open the store.

No Android Keystore runs on these machines, so the keystore is an in-memory ``KeyVault``;
everything else is real: the encrypted store, ``StoreDevice`` and the screens (headless).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from field_app.services.app import AppServices
from field_app.services.device import DeviceError
from field_app.services.device_secret import (
    SECRET_KEY,
    KeystoreUnavailable,
    existing_secret,
    new_secret,
    uses_keystore,
)
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.services.store_device import StoreDevice
from field_app.store import TEST_KDF, LocalStore, SecretMissing, WrongPin
from field_app.ui import keystore as keystore_module
from field_app.ui.app import make_main
from field_app.ui.keystore import DeviceKeystore
from tests.ui.harness import Harness, run
from tests.ui.test_ui_store_device import URL, SignIn

PIN = "246810"


class MemoryVault:
    """The keystore as the app sees it: string values by key. ``keeps=False``: a keystore
    that accepts writes and loses them."""

    def __init__(self, *, keeps: bool = True) -> None:
        self.values: dict[str, str] = {}
        self.keeps = keeps

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        if self.keeps:
            self.values[key] = value


def _device(folder: Path) -> StoreDevice:
    return StoreDevice(folder, sign_in=SignIn(), kdf=TEST_KDF)


def test_only_the_phone_apps_use_the_keystore() -> None:
    assert uses_keystore("android", web=False) and uses_keystore("ios", web=False)
    # The browser view runs its Python on the serving machine: no phone keystore there.
    assert not uses_keystore("android", web=True)
    for desktop in ("linux", "windows", "macos", None):
        assert not uses_keystore(desktop, web=False)
    assert not DeviceKeystore.for_page("android", web=True, hand_over=print).active
    assert not DeviceKeystore.for_page("linux", web=False, hand_over=print).active
    assert DeviceKeystore.for_page("android", web=False, hand_over=print).active


def test_secret_is_made_once_kept_and_read_back() -> None:
    async def flow() -> None:
        vault = MemoryVault()
        assert await existing_secret(vault) is None
        secret = await new_secret(vault)
        assert len(secret) == 32 and await existing_secret(vault) == secret
        assert await new_secret(vault) != secret          # a new first start: a new secret
        with pytest.raises(KeystoreUnavailable):
            await new_secret(MemoryVault(keeps=False))
        stranger = MemoryVault()
        stranger.values[SECRET_KEY] = "not base64 at all"
        assert await existing_secret(stranger) is None
        assert stranger.values[SECRET_KEY] == "not base64 at all"  # never overwritten

    run(flow)


def test_phone_store_needs_the_keystore_and_a_lost_secret_costs_no_attempt(
        tmp_path: Path) -> None:
    async def flow() -> None:
        vault = MemoryVault()
        device = _device(tmp_path)
        keystore = DeviceKeystore(vault, device.use_device_secret)
        await keystore.prepare(first_start=True)
        device.set_up(server_url=URL, username="olena", password="пароль", pin=PIN)
        device.lock()
        secret = await existing_secret(vault)
        assert secret is not None

        # The store file copied off the phone: the PIN alone opens nothing.
        with pytest.raises(SecretMissing):
            LocalStore.open(tmp_path / "poruch-store.db", PIN)
        with pytest.raises(WrongPin):
            LocalStore.open(tmp_path / "poruch-store.db", PIN, device_secret=bytes(32))

        # The app restarted while the keystore gives nothing back: refused with a message
        # that says what to do, and no try is counted — so it can never lead to a wipe.
        lost = _device(tmp_path)
        await DeviceKeystore(MemoryVault(), lost.use_device_secret).prepare(first_start=False)
        for _ in range(12):
            with pytest.raises(DeviceError) as refused:
                lost.unlock(PIN)
            assert refused.value.problem.key == "unlock.secret_missing"
        assert lost.phase() is Phase.LOCKED

        # The keystore is back: the right PIN opens at once (no delay from the refusals).
        back = _device(tmp_path)
        await DeviceKeystore(vault, back.use_device_secret).prepare(first_start=False)
        assert back.unlock(PIN) == "olena"
        back.lock()

    run(flow)


def test_store_made_before_the_keystore_still_opens(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)              # an install from before the device secret
        device.set_up(server_url=URL, username="olena", password="пароль", pin=PIN)
        device.lock()
        updated = _device(tmp_path)
        await DeviceKeystore(MemoryVault(), updated.use_device_secret).prepare(
            first_start=False)
        assert updated.unlock(PIN) == "olena"
        updated.lock()

    run(flow)


def test_phone_screens_first_start_then_keystore_lost_then_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = MemoryVault()
    monkeypatch.setattr(keystore_module, "FletKeyVault", lambda: vault)

    async def flow() -> None:
        device = _device(tmp_path)
        services = AppServices(data_dir=tmp_path, device=device,
                               settings=SettingsFile(tmp_path), sync_on_open=False,
                               use_device_secret=device.use_device_secret)
        h = await Harness.start(make_main(services), web=False)   # the Android app
        assert h.page.route == "/setup"
        for key, value in [("server_url", URL), ("username", "olena"), ("password", "пароль"),
                           ("pin", PIN), ("pin_repeat", PIN)]:
            await h.type(h.find(key=key), value)
        await h.click(h.find(key="setup-submit"))
        assert h.page.route == "/families"
        assert SECRET_KEY in vault.values         # the store was sealed with the kept secret
        await h.follow("/more")
        await h.click(h.find(key="more-lock"))
        await h.close()

        # The app is started again while the keystore fails to give the secret back.
        kept = vault.values.pop(SECRET_KEY)
        restarted = _device(tmp_path)
        services = AppServices(data_dir=tmp_path, device=restarted,
                               settings=SettingsFile(tmp_path), sync_on_open=False,
                               use_device_secret=restarted.use_device_secret)
        h = await Harness.start(make_main(services), web=False)
        assert h.page.route == "/unlock"
        await h.type(h.find(key="unlock-pin"), PIN)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/unlock"
        assert h.find(key="unlock-message").value.startswith(
            "Ключ захисту цього телефону зараз недоступний")
        vault.values[SECRET_KEY] = kept           # back: the same PIN opens, nothing counted
        await h.type(h.find(key="unlock-pin"), PIN)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/families"
        await h.close()

    run(flow)


def test_keystore_that_loses_the_secret_stops_first_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore_module, "FletKeyVault", lambda: MemoryVault(keeps=False))

    async def flow() -> None:
        device = _device(tmp_path)
        services = AppServices(data_dir=tmp_path, device=device,
                               settings=SettingsFile(tmp_path), sync_on_open=False,
                               use_device_secret=device.use_device_secret)
        h = await Harness.start(make_main(services), web=False)
        for key, value in [("server_url", URL), ("username", "olena"), ("password", "пароль"),
                           ("pin", PIN), ("pin_repeat", PIN)]:
            await h.type(h.find(key=key), value)
        await h.click(h.find(key="setup-submit"))
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value == (
            "Телефон не зберіг ключ захисту даних. Перезапустіть телефон і спробуйте ще раз.")
        assert device.phase() is Phase.SETUP      # no store sealed with a lost secret
        await h.close()

    run(flow)
