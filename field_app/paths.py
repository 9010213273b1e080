"""Where the field app keeps its files on this device, and whether a desktop window can open.

The data folder is chosen in this order:

1. ``FIELD_APP_DATA_DIR`` — set by tests, by ``make run`` and by anyone who wants the data
   somewhere particular;
2. ``FLET_APP_STORAGE_DATA`` — the app's private folder that Flet provides on Android and iOS
   (and in packaged desktop builds);
3. the platform's per-user application-data folder (XDG on Linux, ``~/Library/Application
   Support`` on macOS, ``%APPDATA%`` on Windows), with a ``poruch`` folder inside.

Pure functions over an environment mapping, so they are tested without touching the real one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path

APP_FOLDER = "poruch"


def platform_data_dir(
    env: Mapping[str, str], platform: str, home: Path
) -> Path:
    """The per-user application-data folder of ``platform`` (``sys.platform`` values)."""
    if platform.startswith("win"):
        base = env.get("APPDATA") or env.get("LOCALAPPDATA")
        return Path(base) / APP_FOLDER if base else home / "AppData" / "Roaming" / APP_FOLDER
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_FOLDER
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / APP_FOLDER
    return home / ".local" / "share" / APP_FOLDER


def resolve_data_dir(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
) -> Path:
    """The folder for this device's data, by the order in the module docstring (not created)."""
    env = os.environ if env is None else env
    for name in ("FIELD_APP_DATA_DIR", "FLET_APP_STORAGE_DATA"):
        value = env.get(name, "").strip()
        if value:
            return Path(value).expanduser()
    return platform_data_dir(
        env, sys.platform if platform is None else platform, Path.home() if home is None else home
    )


def desktop_can_start(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    has_desktop_client: bool | None = None,
) -> bool:
    """Whether ``python -m field_app`` may show its own window rather than serve a browser.

    Always inside a ``flet build`` app (Flet sets ``FLET_PLATFORM``: the phone's Flutter
    host is the window); otherwise when the ``flet_desktop`` client package is installed
    and, on Linux and other Unix systems, a display is there (``DISPLAY``/``WAYLAND_DISPLAY``).
    """
    env = os.environ if env is None else env
    if env.get("FLET_PLATFORM"):
        return True
    platform = sys.platform if platform is None else platform
    if has_desktop_client is None:
        has_desktop_client = find_spec("flet_desktop") is not None
    if not has_desktop_client:
        return False
    if platform.startswith("win") or platform == "darwin":
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
