"""The revocation notice: what a revoked phone tells its worker, kept across a restart.

A revoked device wipes its store; the worker learns why on the first-start screen. If the app
is killed between the wipe and that screen (or before the wipe finished), the message would be
lost with the process, so it is written to ``revocation-notice.json`` in the app's data folder,
beside the store but not part of it (the wipe shreds the store's files only), *before* the wipe:

    {"version": 1, "on": "2026-12-07", "reported": true,
     "lost": {"outbox": {"visit": 2}, "drafts": 1} | null}

Counts only (``shared_models.revocation.LostWorkReport``), whether the administrator was told,
and the day: no ids, names, values or token — it is readable without the PIN, by design.
Written crash-safe (temporary file, fsync, rename, fsync of the folder). First start shows it
until a new store is created or the worker dismisses it (``clear``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import ValidationError

from field_app.store.files import fsync_dir
from shared_models.revocation import LostWorkReport

log = logging.getLogger(__name__)

NOTICE_FILE = "revocation-notice.json"
_VERSION = 1
#: A notice is a few hundred bytes; anything bigger is not ours and is not parsed.
_MAX_BYTES = 16_384


@dataclass(frozen=True, slots=True)
class LostNotice:
    """What the wipe erased unsent (``None``: it could not be counted), whether the server
    took the report, and the day of the revocation (UTC)."""

    lost: LostWorkReport | None
    reported: bool
    on: date

    @classmethod
    def today(cls, lost: LostWorkReport | None, reported: bool) -> LostNotice:
        """A notice dated today (UTC)."""
        return cls(lost, reported, datetime.now(UTC).date())


def notice_path(data_dir: Path) -> Path:
    """Where the notice lives in the app's data folder."""
    return data_dir / NOTICE_FILE


def write(data_dir: Path, notice: LostNotice) -> None:
    """Replace the notice atomically: a crash leaves the old one or the new one, whole."""
    body = json.dumps({
        "version": _VERSION, "on": notice.on.isoformat(), "reported": notice.reported,
        "lost": None if notice.lost is None else notice.lost.model_dump(mode="json"),
    }, sort_keys=True).encode()
    target = notice_path(data_dir)
    temp = target.with_name(target.name + ".tmp")
    with temp.open("wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    temp.replace(target)
    fsync_dir(data_dir)


def read(data_dir: Path) -> LostNotice | None:
    """The notice left by a revocation, or ``None`` (none, or unreadable: logged)."""
    path = notice_path(data_dir)
    try:
        with path.open("rb") as f:
            raw = f.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("the revocation notice could not be read: %s", type(exc).__name__)
        return None
    try:
        if len(raw) > _MAX_BYTES:
            raise ValueError("too big")
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ValueError("unknown shape")
        lost = data.get("lost")
        return LostNotice(
            lost=None if lost is None else LostWorkReport.model_validate(lost),
            reported=data.get("reported") is True,
            on=date.fromisoformat(str(data.get("on"))))
    except (ValueError, ValidationError) as exc:
        # Not something to show: a worker is better told nothing than something wrong.
        log.warning("the revocation notice is damaged and is ignored: %s", type(exc).__name__)
        return None


def clear(data_dir: Path) -> None:
    """Forget the notice (dismissed, or a new store was created)."""
    for path in (notice_path(data_dir), notice_path(data_dir).with_suffix(".json.tmp")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    fsync_dir(data_dir)
