"""Change the PIN and sign out: the form rules, ``StoreDevice`` over a real store, the screens.

The screens run in the headless harness over a real ``StoreDevice`` (real encrypted store,
real lockout counter); only sign-in is a double. The server address points at a closed port
on this machine, so telling the server about a sign-out fails as it does offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from field_app.services.account import ChangePinForm, SignOutPlan
from field_app.services.device import (
    DeviceError,
    DeviceWiped,
    PinRefused,
    Refusal,
    SignInFailed,
    SyncFailed,
)
from field_app.services.problem import Problem
from field_app.services.state import Phase
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF, LocalStore, LockoutPolicy
from field_app.sync.client import TOKEN_SECRET
from shared_models.records import Family
from tests.ui.conftest import PASSWORD, USER
from tests.ui.harness import Harness, run, start_app
from tests.ui.test_ui_store_device import SignIn

PIN, NEW_PIN = "246810", "719305"
#: Nothing listens here: the sign-out cannot reach a server.
UNREACHABLE = "http://127.0.0.1:9"


def _device(tmp_path: Path, lockout: LockoutPolicy | None = None) -> StoreDevice:
    device = StoreDevice(tmp_path, sign_in=SignIn(), kdf=TEST_KDF, lockout=lockout)
    device.set_up(server_url=UNREACHABLE, username="olena", password="пароль", pin=PIN)
    return device


def _save_families(device: StoreDevice, n: int) -> None:
    assert device.store is not None
    for i in range(n):
        device.store.save(Family(community="zhytomyrska", family_name=f"Родина{i}",
                                 settlement="Малин"))


# ---- the form ---------------------------------------------------------------------------------
def test_change_pin_form_rules() -> None:
    form = ChangePinForm()
    assert form.validate() == {"old_pin": Problem("err.required"),
                               "new_pin": Problem("err.required"),
                               "new_pin_repeat": Problem("err.required")}
    form.old_pin, form.new_pin, form.new_pin_repeat = PIN, "123456", "123456"
    assert form.validate() == {"new_pin": Problem("err.pin_trivial")}
    form.new_pin = form.new_pin_repeat = PIN
    assert form.validate() == {"new_pin": Problem("err.same_pin")}
    form.new_pin, form.new_pin_repeat = NEW_PIN, "719306"
    assert form.validate() == {"new_pin_repeat": Problem("err.pin_mismatch")}
    form.new_pin_repeat = NEW_PIN
    assert form.validate() == {}
    form.refused(Refusal(wait_seconds=4, attempts_left=2, wipe_warning=True,
                         pending_changes=7), now=100.0)
    assert form.refusal == [Problem("unlock.wrong"), Problem("unlock.wait", {"seconds": 4}),
                            Problem("unlock.wipe_warning", {"left": 2, "pending": 7})]
    assert form.old_pin == "" and form.wait_left(101.5) == 3
    form.clear_secrets()
    assert (form.new_pin, form.new_pin_repeat) == ("", "")


def test_sign_out_plan() -> None:
    assert SignOutPlan(0).may_sign_out(False)
    assert not SignOutPlan(3).may_sign_out(False)
    assert SignOutPlan(3).loses_changes and SignOutPlan(3).may_sign_out(True)


# ---- the device -------------------------------------------------------------------------------
def test_change_pin_rewraps_the_key(tmp_path: Path) -> None:
    device = _device(tmp_path)
    _save_families(device, 1)
    device.change_pin(PIN, NEW_PIN)
    device.lock()
    with pytest.raises(PinRefused):
        device.unlock(PIN)
    assert device.unlock(NEW_PIN) == "olena"
    assert device.store is not None and len(device.store.all(Family)) == 1


def test_a_wrong_old_pin_counts_under_the_lockout_rules(tmp_path: Path) -> None:
    lockout = LockoutPolicy(max_attempts=3, free_attempts=1, base_delay=0.0, warn_from=2)
    device = _device(tmp_path, lockout)
    _save_families(device, 2)
    with pytest.raises(DeviceError) as weak:
        device.change_pin(PIN, "111111")                # the policy: not a wrong PIN
    assert weak.value.problem == Problem("err.pin_trivial")
    with pytest.raises(PinRefused) as first:
        device.change_pin("135790", NEW_PIN)
    assert (first.value.refusal.attempts_left, first.value.refusal.wipe_warning,
            first.value.refusal.pending_changes) == (2, True, 2)
    with pytest.raises(PinRefused):
        device.change_pin("135791", NEW_PIN)
    with pytest.raises(DeviceWiped):
        device.change_pin("135792", NEW_PIN)
    assert device.phase() is Phase.SETUP and not device.path.exists()


def test_a_right_pin_resets_the_count(tmp_path: Path) -> None:
    lockout = LockoutPolicy(max_attempts=3, free_attempts=3, base_delay=0.0, warn_from=1)
    device = _device(tmp_path, lockout)
    for _ in range(2):
        with pytest.raises(PinRefused):
            device.change_pin("135790", NEW_PIN)
    device.change_pin(PIN, NEW_PIN)                     # the count starts again
    with pytest.raises(PinRefused) as again:
        device.change_pin("135790", "802468")
    assert again.value.refusal.attempts_left == 2


def test_sign_out_erases_the_store_even_offline(tmp_path: Path) -> None:
    device = _device(tmp_path)
    _save_families(device, 2)
    path = device.path
    assert device.sign_out() is False                  # the server could not be told
    assert device.phase() is Phase.SETUP
    assert not path.exists() and list(tmp_path.glob("poruch-store.db*")) == []
    with pytest.raises(Exception):  # noqa: B017  (any error: there is nothing to open)
        LocalStore.open(path, PIN)


# ---- the screens ------------------------------------------------------------------------------
async def _unlocked(tmp_path: Path, device: StoreDevice, route: str) -> Harness:
    device.lock()
    h = await start_app(tmp_path, device)
    await h.type(h.find(key="unlock-pin"), PIN)
    await h.click(h.find(key="unlock-submit"))
    assert h.page.route == "/families"
    await h.follow(route)
    return h


async def _change(h: Harness, old: str, new: str, repeat: str | None = None) -> None:
    await h.type(h.find(key="old_pin"), old)
    await h.type(h.find(key="new_pin"), new)
    await h.type(h.find(key="new_pin_repeat"), new if repeat is None else repeat)
    await h.click(h.find(key="change-pin-submit"))


def test_change_pin_screen_right_pin(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _unlocked(tmp_path, device, "/more/settings")
        await h.click(h.find(key="settings-change-pin"))
        assert h.page.route == "/more/settings/pin"
        assert h.find(key="old_pin").keyboard_type.value == "number"
        assert h.find(key="old_pin").password
        await _change(h, PIN, NEW_PIN)
        assert h.find(key="pin-changed").value.startswith("PIN-код змінено.")
        assert [h.find(key=k).value for k in ("old_pin", "new_pin", "new_pin_repeat")] == [
            "", "", ""]
        await h.follow("/more")
        await h.click(h.find(key="more-lock"))
        await h.type(h.find(key="unlock-pin"), NEW_PIN)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == "/more"                  # back where it was locked
        await h.close()

    run(flow)


def test_change_pin_screen_policy_and_mismatch(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _unlocked(tmp_path, device, "/more/settings/pin")
        await h.click(h.find(key="change-pin-submit"))
        assert h.find(key="old_pin").error == "Обов'язкове поле"
        assert h.find(key="change-pin-message").value == "Виправте позначені поля."
        await _change(h, PIN, "123456")
        assert h.find(key="new_pin").error == (
            "Занадто простий PIN-код: уникайте повторів і послідовностей")
        await _change(h, PIN, NEW_PIN, "719306")
        assert h.find(key="new_pin_repeat").error == "PIN-коди не збігаються"
        await _change(h, PIN, PIN)
        assert h.find(key="new_pin").error == "Новий PIN-код має відрізнятися від старого"
        await h.page.data.set_language("en")                    # the errors follow the language
        assert h.find(key="new_pin").error == "The new PIN must differ from the old one"
        await h.close()
        device.lock()
        with pytest.raises(PinRefused) as refused:              # none of it was a wrong PIN
            device.unlock("135790")
        assert refused.value.refusal.attempts_left == 9

    run(flow)


def test_change_pin_screen_wrong_pins_warn_then_wipe(tmp_path: Path) -> None:
    async def flow() -> None:
        lockout = LockoutPolicy(max_attempts=3, free_attempts=1, base_delay=30.0, warn_from=2)
        device = _device(tmp_path, lockout)
        _save_families(device, 4)
        h = await _unlocked(tmp_path, device, "/more/settings/pin")
        await _change(h, "135790", NEW_PIN)
        assert h.find(key="old_pin").error == (
            "Неправильний PIN-код.\nУвага: після ще 2 неправильних спроб усі дані на цьому "
            "телефоні буде стерто. Ненадісланих змін: 4 — їх буде втрачено.")
        assert h.find(key="old_pin").value == ""
        await _change(h, "135791", NEW_PIN)
        error = h.find(key="old_pin").error
        assert "Зачекайте 30 с перед наступною спробою." in error
        assert "після ще 1 неправильних спроб" in error
        assert h.find(key="change-pin-submit").disabled          # the delay holds the button
        await h.close()

    run(flow)


def test_change_pin_screen_last_wrong_pin_wipes(tmp_path: Path) -> None:
    async def flow() -> None:
        lockout = LockoutPolicy(max_attempts=2, free_attempts=2, base_delay=0.0, warn_from=1)
        device = _device(tmp_path, lockout)
        h = await _unlocked(tmp_path, device, "/more/settings/pin")
        await _change(h, "135790", NEW_PIN)
        assert "Увага: після ще 1 неправильних спроб" in h.find(key="old_pin").error
        await _change(h, "135791", NEW_PIN)
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value.startswith(
            "Після забагатьох неправильних спроб дані на цьому телефоні стерто.")
        assert device.phase() is Phase.SETUP
        await h.close()

    run(flow)


def test_sign_out_warns_about_unsent_changes_and_offers_to_sync(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        _save_families(device, 3)
        h = await _unlocked(tmp_path, device, "/more/settings")
        await h.click(h.find(key="settings-sign-out"))
        assert h.page.route == "/more/settings/sign-out"
        assert h.find(key="sign-out-loss").value == (
            "На телефоні 3 зміни, які ще не надіслано на сервер. Якщо вийти зараз, їх буде "
            "втрачено назавжди.")
        assert h.find(key="sign-out-submit").disabled
        await h.click(h.find(key="sign-out-sync"))  # sync first (the double kept no token)
        assert h.find(key="sign-out-sync-error").value.startswith(
            "Сервер більше не приймає вхід із цього телефону. Зміни збережено на телефоні.")
        assert "3 зміни" in h.find(key="sign-out-loss").value
        assert h.find(key="sign-out-submit").disabled
        confirm = h.find(key="sign-out-confirm")
        h.session.apply_patch(confirm._i, {"value": True})   # the worker ticks the box
        await h.fire(confirm, "change", "true")
        assert not h.find(key="sign-out-submit").disabled
        await h.click(h.find(key="sign-out-submit"))
        assert h.page.route == "/setup"
        assert h.find(key="setup-message").value == (
            "Ви вийшли з облікового запису; дані з цього телефону стерто. Сервер не вдалося "
            "повідомити (немає зв'язку): попросіть координатора відключити цей пристрій.")
        assert device.phase() is Phase.SETUP and not device.path.exists()
        assert h.page.data.services.sync.pending == 0
        await h.close()

    run(flow)


def test_a_wipe_while_changing_the_pin_forgets_the_open_forms(tmp_path: Path) -> None:
    """The change-PIN screen's wipe goes back to first start like every other wipe: no form
    of the erased device stays in memory (it used to keep them, and the resume path)."""
    async def flow() -> None:
        lockout = LockoutPolicy(max_attempts=1, free_attempts=1, base_delay=0.0, warn_from=1)
        device = _device(tmp_path, lockout)
        h = await _unlocked(tmp_path, device, "/families/new")
        await h.settle()
        await h.type(h.find(key="family-family_name"), "Мельник")
        app = h.page.data
        assert "/families/new" in app.forms
        await h.follow("/more/settings/pin")
        await _change(h, "135790", NEW_PIN)
        assert h.page.route == "/setup" and device.phase() is Phase.SETUP
        assert len(app.forms) == 0 and app.resume_path is None
        assert "Мельник" not in h.texts()
        await h.close()

    run(flow)


def test_the_sign_out_screen_keeps_the_ticked_box_when_drawn_again(tmp_path: Path) -> None:
    """A sync's status change draws the sign-out screen again: what the worker ticked stays
    ticked and the button stays usable (it lived in the old widgets' closures)."""
    async def flow() -> None:
        device = _device(tmp_path)
        _save_families(device, 2)
        h = await _unlocked(tmp_path, device, "/more/settings/sign-out")
        confirm = h.find(key="sign-out-confirm")
        h.session.apply_patch(confirm._i, {"value": True})   # the worker ticks the box
        await h.fire(confirm, "change", "true")
        assert not h.find(key="sign-out-submit").disabled
        h.page.data.services.sync.set_pending(3)   # a status change: the screen is redrawn
        await h.settle()
        assert h.find(key="sign-out-confirm") is not confirm
        assert h.find(key="sign-out-confirm").value is True
        assert not h.find(key="sign-out-submit").disabled
        await h.click(h.find(key="sign-out-submit"))
        assert h.page.route == "/setup" and device.phase() is Phase.SETUP
        assert h.page.data.sign_out_form.confirmed is False        # a fresh start
        await h.close()

    run(flow)


def test_sign_out_with_everything_sent_needs_no_confirmation(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        h = await _unlocked(tmp_path, device, "/more/settings/sign-out")
        assert h.find(key="sign-out-safe").value == (
            "Усі зміни надіслано на сервер: нічого не буде втрачено.")
        assert h.find_all(key="sign-out-confirm") == []
        await h.click(h.find(key="sign-out-submit"))
        assert h.page.route == "/setup" and device.phase() is Phase.SETUP
        await h.close()

    run(flow)


def test_sign_in_again_keeps_the_unsent_changes(tmp_path: Path, sync_server: str) -> None:
    """Against ``python -m sync_server``: the server no longer knows the device's token."""
    device = StoreDevice(tmp_path, sign_in=sync_client_sign_in, kdf=TEST_KDF)
    device.set_up(server_url=sync_server, username=USER, password=PASSWORD, pin=PIN)
    _save_families(device, 2)
    assert device.store is not None
    device.store.set_secret(TOKEN_SECRET, b"a-token-the-server-never-issued")
    with pytest.raises(SyncFailed) as refused:
        device.sync(lambda _step: None)
    assert refused.value.problem == Problem("sync.err.login") and refused.value.reached
    with pytest.raises(SignInFailed):
        device.sign_in_again("не той пароль")
    device.sign_in_again(PASSWORD)
    assert device.pending_changes() == 2                  # nothing was lost meanwhile
    result = device.sync(lambda _step: None)
    assert (result.pushed, result.pending) == (2, 0)
