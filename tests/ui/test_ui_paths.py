"""Data folder resolution, desktop-or-web choice and the command line of ``python -m field_app``."""

from pathlib import Path

import pytest

from field_app.__main__ import parse_args, use_web
from field_app.paths import desktop_can_start, platform_data_dir, resolve_data_dir

HOME = Path("/home/olena")


def test_field_app_data_dir_wins() -> None:
    env = {"FIELD_APP_DATA_DIR": "/srv/poruch", "FLET_APP_STORAGE_DATA": "/data/flet"}
    assert resolve_data_dir(env, "linux", HOME) == Path("/srv/poruch")


def test_flet_storage_is_next() -> None:
    env = {"FIELD_APP_DATA_DIR": "  ", "FLET_APP_STORAGE_DATA": "/data/user/0/ua/files"}
    assert resolve_data_dir(env, "linux", HOME) == Path("/data/user/0/ua/files")


def test_tilde_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/test")
    assert resolve_data_dir({"FIELD_APP_DATA_DIR": "~/poruch"}, "linux", HOME) == Path(
        "/home/test/poruch")


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {}, HOME / ".local/share/poruch"),
    ("linux", {"XDG_DATA_HOME": "/xdg"}, Path("/xdg/poruch")),
    ("linux", {"XDG_DATA_HOME": "relative/ignored"}, HOME / ".local/share/poruch"),
    ("darwin", {}, HOME / "Library/Application Support/poruch"),
    ("win32", {"APPDATA": r"C:\Users\o\AppData\Roaming"},
     Path(r"C:\Users\o\AppData\Roaming") / "poruch"),
    ("win32", {}, HOME / "AppData/Roaming/poruch"),
])
def test_platform_folders(platform: str, env: dict[str, str], expected: Path) -> None:
    assert platform_data_dir(env, platform, HOME) == expected
    assert resolve_data_dir(env, platform, HOME) == expected


def test_real_environment_gives_a_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIELD_APP_DATA_DIR", str(tmp_path))
    assert resolve_data_dir() == tmp_path


@pytest.mark.parametrize(("platform", "env", "client", "expected"), [
    ("linux", {}, True, False),                       # no display
    ("linux", {"DISPLAY": ":0"}, True, True),
    ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, True, True),
    ("linux", {"DISPLAY": ":0"}, False, False),       # no desktop client installed
    ("darwin", {}, True, True),
    ("win32", {}, True, True),
    ("linux", {"FLET_PLATFORM": "android"}, False, True),   # inside a flet build app
])
def test_desktop_can_start(platform: str, env: dict[str, str], client: bool,
                           expected: bool) -> None:
    assert desktop_can_start(env, platform, client) is expected


def test_web_when_asked_or_when_no_desktop() -> None:
    assert use_web(web_flag=True, desktop_possible=True)
    assert use_web(web_flag=False, desktop_possible=False)
    assert not use_web(web_flag=False, desktop_possible=True)


def test_command_line() -> None:
    args = parse_args(["--web", "--host", "0.0.0.0", "--port", "9001"])  # noqa: S104
    assert (args.web, args.host, args.port) == (True, "0.0.0.0", 9001)  # noqa: S104
    default = parse_args([])
    assert (default.web, default.host, default.port, default.data_dir) == (
        False, "127.0.0.1", 8550, None)
