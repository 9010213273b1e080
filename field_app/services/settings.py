"""Preferences that are not secret (language, lock timeout, theme), kept in a JSON file.

They are needed before the store is unlocked (the unlock screen is shown in the chosen
language), so they live outside the encrypted store, in ``settings.json`` in the data folder.
Nothing personal goes here. Reading and writing block: call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from field_app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from field_app.services.state import DEFAULT_LOCK_TIMEOUT, LOCK_TIMEOUT_CHOICES

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")
FILE_NAME = "settings.json"


@dataclass(frozen=True, slots=True)
class AppSettings:
    """The preferences; unknown or broken values fall back to the defaults."""

    language: str = DEFAULT_LANGUAGE
    lock_timeout_minutes: int = DEFAULT_LOCK_TIMEOUT
    theme: str = "system"

    @classmethod
    def from_dict(cls, data: object) -> AppSettings:
        """Settings from parsed JSON, keeping only valid values."""
        out = cls()
        if not isinstance(data, dict):
            return out
        if data.get("language") in LANGUAGES:
            out = replace(out, language=data["language"])
        if data.get("lock_timeout_minutes") in LOCK_TIMEOUT_CHOICES:
            out = replace(out, lock_timeout_minutes=int(data["lock_timeout_minutes"]))
        if data.get("theme") in THEMES:
            out = replace(out, theme=data["theme"])
        return out


class SettingsFile:
    """``settings.json`` in the data folder (blocking I/O)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def load(self) -> AppSettings:
        """The saved settings, or the defaults when there is no readable file."""
        try:
            return AppSettings.from_dict(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return AppSettings()
        except (OSError, ValueError):
            log.warning("unreadable settings file %s; using defaults", self.path)
            return AppSettings()

    def save(self, settings: AppSettings) -> None:
        """Write atomically (temp file, fsync, rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(asdict(settings), fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.path)
