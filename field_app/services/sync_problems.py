"""What stopped a sync, in the app's words: each sync-client error -> a problem to show.

Every problem says what happened *and what to do* (texts ``sync.err.*``), and whether the
server answered, which is what the sync screen's online/offline line is built from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from field_app.services.device import DeviceWiped, SyncFailed
from field_app.services.problem import Problem
from field_app.sync import (
    DeviceRevoked,
    InsecureServer,
    NeedsLogin,
    Offline,
    ServerTrouble,
    SyncError,
    UntrustedServer,
    UpdateRequired,
    WrongClock,
    lost_notice,
)
from field_app.sync.lost_notice import LostNotice

#: The error kinds the sync screen explains, most specific class first.
_KINDS: tuple[tuple[type[SyncError], str, bool | None], ...] = (
    (Offline, "offline", False),
    (WrongClock, "clock", True),
    (ServerTrouble, "server", True),
    (UpdateRequired, "update", True),
    (NeedsLogin, "login", True),
    (UntrustedServer, "untrusted", None),
    (InsecureServer, "insecure", None),
)

#: Every kind, for tests that check each has words in both languages.
KINDS: tuple[str, ...] = (*(k for _, k, _ in _KINDS), "revoked", "revoked_lost",
                          "revoked_lost_unreported", "unexpected")


def revoked_problem(exc: DeviceRevoked) -> Problem:
    """What the first-start screen says after a revocation wiped the phone: with the counts
    of unsent work lost, and whether the administrator was told, when anything was lost."""
    return notice_problem(LostNotice(exc.lost, exc.reported, exc.on or date.today()))


def notice_problem(notice: LostNotice) -> Problem:
    """The first-start message of a revocation notice (the same words as right after the
    wipe, so a restart in between changes nothing the worker reads)."""
    lost = notice.lost
    if lost is None or lost.empty:
        return Problem("sync.err.revoked")
    key = "sync.err.revoked_lost" if notice.reported else "sync.err.revoked_lost_unreported"
    return Problem(key, {"changes": lost.changes, "drafts": lost.drafts,
                         "date": notice.on.strftime("%d.%m.%Y")})


def stored_revocation_problem(data_dir: Path) -> Problem | None:
    """The message of the revocation notice a wipe left in ``data_dir``, if any: first
    start shows it until a new store is created (``StoreDevice.set_up`` clears it)."""
    notice = lost_notice.read(data_dir)
    return None if notice is None else notice_problem(notice)


def sync_problem(exc: SyncError) -> Problem:
    """The app's words for a sync-client error as it is (``sync.err.<code>``, its data)."""
    return Problem(f"sync.err.{exc.code}", exc.params())


def sync_failure(exc: SyncError) -> SyncFailed | DeviceWiped:
    """The device-level error for a sync-client error (``DeviceWiped`` when revoked)."""
    if isinstance(exc, DeviceRevoked):
        return DeviceWiped(revoked_problem(exc))
    for cls, kind, reached in _KINDS:
        if isinstance(exc, cls):
            return SyncFailed(Problem(f"sync.err.{kind}"), offline=reached is False,
                              reached=reached)
    return SyncFailed(Problem("sync.err.unexpected", {"detail": type(exc).__name__}))
