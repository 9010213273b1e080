"""The app-state objects, settings file, PIN rule, form models and routes — without a screen."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from field_app.services.device import Refusal
from field_app.services.forms import FirstStartForm, UnlockForm, server_url_problem
from field_app.services.pin_policy import pin_problem
from field_app.services.problem import Problem
from field_app.services.settings import AppSettings, SettingsFile
from field_app.services.state import (
    Connectivity,
    Phase,
    SessionState,
    SyncLevel,
    SyncStatus,
)
from field_app.ui import routes


def _counter(obj: SessionState | SyncStatus) -> list[int]:
    calls: list[int] = []
    obj.subscribe(lambda: calls.append(1))
    return calls


# ---- SessionState ---------------------------------------------------------------------------
def test_session_phases_and_notifications() -> None:
    s = SessionState()
    calls = _counter(s)
    assert s.phase is Phase.SETUP
    s.unlocked("olena", now=100.0)
    assert (s.phase, s.username) == (Phase.UNLOCKED, "olena")
    s.locked()
    assert s.phase is Phase.LOCKED
    s.locked()                      # no change, no notification
    s.wiped()
    assert (s.phase, s.username) == (Phase.SETUP, None)
    assert len(calls) == 3


def test_language_and_timeout_are_checked() -> None:
    s = SessionState()
    calls = _counter(s)
    s.set_language("en")
    s.set_language("en")
    s.set_lock_timeout(10)
    assert (s.language, s.lock_timeout_minutes, len(calls)) == ("en", 10, 2)
    with pytest.raises(ValueError, match="language"):
        s.set_language("de")
    with pytest.raises(ValueError, match="timeout"):
        s.set_lock_timeout(7)


def test_idle_expiry_only_when_unlocked() -> None:
    s = SessionState(lock_timeout_minutes=5)
    s.touch(0.0)
    assert not s.idle_expired(now=10_000.0)      # not unlocked
    s.unlocked("olena", now=0.0)
    assert not s.idle_expired(now=299.0)
    assert s.idle_expired(now=300.0)
    s.touch(300.0)
    assert not s.idle_expired(now=301.0)


def test_a_broken_listener_does_not_break_the_others() -> None:
    s = SessionState()
    s.subscribe(lambda: 1 / 0)
    calls = _counter(s)
    s.unlocked("olena")
    assert calls == [1]


def test_unsubscribe() -> None:
    s = SyncStatus()
    calls: list[int] = []
    unsubscribe = s.subscribe(lambda: calls.append(1))
    s.set_pending(1)
    unsubscribe()
    unsubscribe()
    s.set_pending(2)
    assert calls == [1]


# ---- SyncStatus -------------------------------------------------------------------------------
def test_sync_levels_most_urgent_first() -> None:
    s = SyncStatus()
    assert s.level is SyncLevel.UNKNOWN
    s.set_pending(3)
    assert s.level is SyncLevel.PENDING
    s.set_connectivity(Connectivity.OFFLINE)
    assert s.level is SyncLevel.OFFLINE
    s.started()
    assert (s.level, s.progress) == (SyncLevel.SYNCING, 0.0)
    s.set_progress(1.7)
    assert s.progress == 1.0
    s.failed("Немає зв'язку", offline=True)
    assert (s.level, s.error, s.connectivity) == (
        SyncLevel.ERROR, Problem.literal("Немає зв'язку", "Немає зв'язку"), Connectivity.OFFLINE)
    at = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    s.succeeded(at, pending=0)
    assert (s.level, s.last_success, s.connectivity, s.error) == (
        SyncLevel.SYNCED, at, Connectivity.ONLINE, None)
    with pytest.raises(ValueError, match="negative"):
        s.set_pending(-1)


# ---- settings file ----------------------------------------------------------------------------
def test_settings_round_trip(tmp_path: Path) -> None:
    f = SettingsFile(tmp_path / "new")
    assert f.load() == AppSettings()
    f.save(AppSettings(language="en", lock_timeout_minutes=15, theme="dark"))
    assert SettingsFile(tmp_path / "new").load() == AppSettings("en", 15, "dark")


@pytest.mark.parametrize("content", ["{not json", "[]", json.dumps({"language": "ru",
                                                                    "lock_timeout_minutes": 7,
                                                                    "theme": "pink"})])
def test_broken_settings_fall_back(tmp_path: Path, content: str) -> None:
    (tmp_path / "settings.json").write_text(content, encoding="utf-8")
    assert SettingsFile(tmp_path).load() == AppSettings()


# ---- PIN rule (the store's) ------------------------------------------------------------------
@pytest.mark.parametrize(("pin", "key"), [
    ("", "err.required"),
    ("12345", "err.pin_short"),
    ("123456", "err.pin_trivial"),
    ("111111", "err.pin_trivial"),
    ("121212", "err.pin_trivial"),
    ("абв", "err.pin_digits"),
    (" 2468101", "err.edge_whitespace"),
    ("aaaaaaaaaaaa", "err.passphrase_trivial"),
    ("246810", None),
    ("ясний ранок над Тетеревом", None),
])
def test_pin_rule(pin: str, key: str | None) -> None:
    problem = pin_problem(pin)
    assert (problem.key if problem else None) == key


# ---- forms ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "key"), [
    ("", "err.required"),
    ("poruch.zt.gov.ua", "err.server_scheme"),
    ("ftp://poruch.zt.gov.ua", "err.server_scheme"),
    ("https://", "err.server_url"),
    ("https://poruch.zt.gov.ua:99999", "err.server_url"),
    ("https://poruch zt.gov.ua", "err.server_url"),
    ("https://poruch.zt.gov.ua", None),
    ("http://127.0.0.1:8000", None),
])
def test_server_address(url: str, key: str | None) -> None:
    problem = server_url_problem(url)
    assert (problem.key if problem else None) == key


def test_first_start_form_validation() -> None:
    form = FirstStartForm()
    assert {k: p.key for k, p in form.validate().items()} == {
        "server_url": "err.required", "username": "err.required", "password": "err.required",
        "pin": "err.required", "pin_repeat": "err.required"}
    form = FirstStartForm("https://poruch.zt.gov.ua", "olena", "secret", "246810", "246811")
    assert {k: p.key for k, p in form.validate().items()} == {"pin_repeat": "err.pin_mismatch"}
    form.pin_repeat = "246810"
    assert form.validate() == {}
    form.username = "x" * 65
    assert form.validate()["username"] == Problem("err.too_long", {"max": 64})


def test_first_start_uses_the_given_pin_rule() -> None:
    form = FirstStartForm("https://a.ua", "olena", "secret", "246810", "246810")
    errors = form.validate(pin_rule=lambda _pin: Problem("err.pin_other"))
    assert errors == {"pin": Problem("err.pin_other")}


def test_first_start_forgets_secrets() -> None:
    form = FirstStartForm("https://a.ua", "olena", "secret", "246810", "246810")
    form.clear_secrets()
    assert (form.password, form.pin, form.pin_repeat, form.username) == ("", "", "", "olena")


def test_unlock_refusal_lines() -> None:
    form = UnlockForm(pin="000000")
    form.refused(Refusal(wait_seconds=4, attempts_left=5), now=100.0)
    assert [p.key for p in form.messages] == ["unlock.wrong", "unlock.wait",
                                              "unlock.attempts_left"]
    assert form.pin == ""
    assert (form.wait_left(100.0), form.wait_left(103.2), form.wait_left(104.0)) == (4, 1, 0)
    form.refused(Refusal(attempts_left=2, wipe_warning=True, pending_changes=7), now=200.0)
    assert form.messages == [Problem("unlock.wrong"),
                             Problem("unlock.wipe_warning", {"left": 2, "pending": 7})]
    form.refused(Refusal(wrong=False, wait_seconds=30), now=300.0)
    assert form.messages == [Problem("unlock.wait", {"seconds": 30})]


# ---- routes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "name", "params"), [
    ("/setup", "setup", {}),
    ("/unlock/", "unlock", {}),
    ("/families", "families", {}),
    ("/families/new", "family_new", {}),
    ("/families/3f2a-11", "family", {"family_id": "3f2a-11"}),
    ("/families/3f2a/visits/new", "visit_new", {"family_id": "3f2a"}),
    ("/families/3f2a/notes/new?x=1", "note_new", {"family_id": "3f2a"}),
    ("/visits", "visits", {}),
    ("/sync", "sync", {}),
    ("/more", "more", {}),
    ("/more/settings", "settings", {}),
    ("/more/review", "review", {}),
    ("/more/review/visit/3f2a-11", "review_item", {"kind": "visit", "target_id": "3f2a-11"}),
    ("/more/settings/pin", "change_pin", {}),
    ("/more/settings/sign-out", "sign_out", {}),
    ("/more/conflicts", "conflicts", {}),
    ("/more/conflicts/6f1c2d3e-aaaa-4bbb-8ccc-000011112222", "conflict",
     {"conflict_id": "6f1c2d3e-aaaa-4bbb-8ccc-000011112222"}),
    ("/", "not_found", {}),
    ("/families/../etc", "not_found", {}),
])
def test_route_table(path: str, name: str, params: dict[str, str]) -> None:
    route = routes.parse(path)
    assert (route.name, route.params) == (name, params)


def test_places_and_parents() -> None:
    visit = routes.parse("/families/abc/visits/new")
    assert visit.place is routes.Place.FAMILIES
    assert visit.parent is not None and visit.parent.path == "/families/abc"
    assert visit.parent.parent is not None and visit.parent.parent.path == "/families"
    assert visit.parent.parent.parent is None
    assert routes.parse("/more/settings").place is routes.Place.MORE
    conflict = routes.parse("/more/conflicts/c1")
    assert conflict.parent is not None and conflict.parent.path == "/more/conflicts"
    assert routes.parse("/more/settings/pin").parent.path == "/more/settings"  # type: ignore[union-attr]
    assert routes.parse("/unlock").place is None
    assert routes.path_for("family", family_id="x1") == "/families/x1"
    assert [routes.parse(p).place for p in routes.PLACE_PATHS.values()] == list(routes.Place)


@pytest.mark.parametrize(("phase", "path", "target"), [
    (Phase.SETUP, "/families", "/setup"),
    (Phase.SETUP, "/setup", None),
    (Phase.LOCKED, "/families/abc", "/unlock"),
    (Phase.LOCKED, "/setup", "/unlock"),
    (Phase.LOCKED, "/unlock", None),
    (Phase.UNLOCKED, "/", "/families"),
    (Phase.UNLOCKED, "/unlock", "/families"),
    (Phase.UNLOCKED, "/setup", "/families"),
    (Phase.UNLOCKED, "/more/settings", None),
    (Phase.UNLOCKED, "/nowhere", None),
])
def test_guard(phase: Phase, path: str, target: str | None) -> None:
    assert routes.guard(routes.parse(path), phase) == target
