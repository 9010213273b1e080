"""``StoreDevice`` over the real encrypted store (cheap KDF), and the screens over it."""

from pathlib import Path

import pytest

from field_app.services.device import (
    DeviceError,
    DeviceWiped,
    PinRefused,
    SignInFailed,
    SyncFailed,
)
from field_app.services.problem import Problem
from field_app.services.state import Phase
from field_app.services.store_device import SERVER_SECRET, StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF, LocalStore, LockoutPolicy
from tests.ui.conftest import PASSWORD, PIN, USER
from tests.ui.harness import run, start_app

URL = "https://poruch.zt.gov.ua"


class SignIn:
    """Sign-in double: accepts one password, records the server, sets the store's user."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, store: LocalStore, server_url: str, username: str, password: str) -> str:
        self.calls.append(server_url)
        if password != "пароль":
            raise SignInFailed(Problem("err.sign_in_failed"))
        store.set_user(username)
        return username


def _device(tmp_path: Path, lockout: LockoutPolicy | None = None) -> StoreDevice:
    return StoreDevice(tmp_path, sign_in=SignIn(), kdf=TEST_KDF, lockout=lockout)


def test_first_start_lock_unlock_restart(tmp_path: Path) -> None:
    device = _device(tmp_path)
    assert device.phase() is Phase.SETUP
    assert device.set_up(server_url=URL, username="olena", password="пароль",
                         pin="246810") == "olena"
    assert device.phase() is Phase.UNLOCKED
    assert device.server_url() == URL
    assert device.pending_changes() == 0
    device.lock()
    assert device.phase() is Phase.LOCKED
    assert device.server_url() is None
    assert device.unlock("246810") == "olena"
    device.lock()

    restarted = _device(tmp_path)                      # the app was killed and started again
    assert restarted.phase() is Phase.LOCKED
    with pytest.raises(PinRefused) as refused:
        restarted.unlock("135790")
    assert refused.value.refusal.wrong and refused.value.refusal.attempts_left == 9
    assert restarted.unlock("246810") == "olena"
    assert restarted.store is not None
    assert restarted.store.get_secret(SERVER_SECRET) == URL.encode()


def test_failed_sign_in_leaves_nothing_behind(tmp_path: Path) -> None:
    device = _device(tmp_path)
    with pytest.raises(SignInFailed):
        device.set_up(server_url=URL, username="olena", password="wrong", pin="246810")
    assert device.phase() is Phase.SETUP
    assert not device.path.exists()
    device.set_up(server_url=URL, username="olena", password="пароль", pin="246810")
    assert device.phase() is Phase.UNLOCKED


def test_weak_pin_is_refused_with_the_stores_rule(tmp_path: Path) -> None:
    with pytest.raises(DeviceError) as refused:
        _device(tmp_path).set_up(server_url=URL, username="o", password="пароль", pin="123456")
    assert refused.value.problem == Problem("err.pin_trivial")


def test_delays_warning_and_wipe(tmp_path: Path) -> None:
    lockout = LockoutPolicy(max_attempts=3, free_attempts=1, base_delay=0.0, warn_from=2)
    device = _device(tmp_path, lockout)
    device.set_up(server_url=URL, username="olena", password="пароль", pin="246810")
    device.lock()
    with pytest.raises(PinRefused) as first:
        device.unlock("135790")
    assert (first.value.refusal.attempts_left, first.value.refusal.wipe_warning) == (2, True)
    with pytest.raises(PinRefused):
        device.unlock("135791")
    with pytest.raises(DeviceWiped):
        device.unlock("135792")
    assert device.phase() is Phase.SETUP
    device.set_up(server_url=URL, username="olena", password="пароль", pin="246810")
    assert device.phase() is Phase.UNLOCKED


def test_too_soon_is_not_counted_as_wrong(tmp_path: Path) -> None:
    lockout = LockoutPolicy(max_attempts=10, free_attempts=0, base_delay=30.0)
    device = _device(tmp_path, lockout)
    device.set_up(server_url=URL, username="olena", password="пароль", pin="246810")
    device.lock()
    with pytest.raises(PinRefused) as first:
        device.unlock("135790")
    assert first.value.refusal.wait_seconds == 30
    with pytest.raises(PinRefused) as second:
        device.unlock("246810")
    assert not second.value.refusal.wrong and 0 < second.value.refusal.wait_seconds <= 30


def test_screens_over_the_real_store(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await start_app(tmp_path, device)
        assert h.page.route == "/setup"
        for key, value in [("server_url", URL), ("username", "olena"), ("password", "wrong"),
                           ("pin", "246810"), ("pin_repeat", "246810")]:
            await h.type(h.find(key=key), value)
        await h.click(h.find(key="setup-submit"))
        assert h.find(key="setup-message").value == (
            "Не вдалося увійти. Перевірте адресу сервера, логін і пароль.")
        await h.type(h.find(key="password"), "пароль")
        await h.click(h.find(key="setup-submit"))
        assert h.page.route == "/families"
        await h.follow("/more")
        await h.click(h.find(key="more-lock"))
        assert h.page.route == "/unlock" and device.phase() is Phase.LOCKED
        await h.type(h.find(key="unlock-pin"), "135790")
        await h.click(h.find(key="unlock-submit"))
        assert h.find(key="unlock-message").value == "Неправильний PIN-код.\nЗалишилось спроб: 9."
        await h.type(h.find(key="unlock-pin"), "246810")
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/more"               # back where the worker locked it
        assert "Ви увійшли як olena" in h.texts()
        await h.close()

    run(flow)


def test_real_sign_in_and_sync(tmp_path: Path, sync_server: str) -> None:
    """Against ``python -m sync_server`` on loopback (see conftest): sign in, sync, refuse."""
    device = StoreDevice(tmp_path, sign_in=sync_client_sign_in, kdf=TEST_KDF)
    with pytest.raises(SignInFailed) as refused:
        device.set_up(server_url=sync_server, username=USER, password="not-it", pin=PIN)
    assert refused.value.problem.key == "sync.err.credentials"  # the app's words, not the error's
    assert device.phase() is Phase.SETUP and not device.path.exists()
    assert device.set_up(server_url=sync_server, username=USER, password=PASSWORD,
                         pin=PIN) == USER
    fractions: list[float | None] = []
    result = device.sync(fractions.append)
    assert (result.pending, result.pushed) == (0, 0)
    assert fractions                                   # progress was reported
    device.lock()
    with pytest.raises(SyncFailed) as locked:
        device.sync(fractions.append)
    assert locked.value.problem == Problem("err.locked")
