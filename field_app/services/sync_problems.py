"""What stopped a sync, in the app's words: each sync-client error -> a problem to show.

Every problem says what happened *and what to do* (texts ``sync.err.*``), and whether the
server answered, which is what the sync screen's online/offline line is built from.
"""

from __future__ import annotations

from field_app.services.device import DeviceWiped, SyncFailed
from field_app.services.pin_policy import Problem
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
)

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
KINDS: tuple[str, ...] = (*(k for _, k, _ in _KINDS), "revoked", "unexpected")


def sync_problem(exc: SyncError) -> Problem:
    """The app's words for a sync-client error as it is (``sync.err.<code>``, its data)."""
    return Problem(f"sync.err.{exc.code}", exc.params())


def sync_failure(exc: SyncError) -> SyncFailed | DeviceWiped:
    """The device-level error for a sync-client error (``DeviceWiped`` when revoked)."""
    if isinstance(exc, DeviceRevoked):
        return DeviceWiped(Problem("sync.err.revoked"))
    for cls, kind, reached in _KINDS:
        if isinstance(exc, cls):
            return SyncFailed(Problem(f"sync.err.{kind}"), offline=reached is False,
                              reached=reached)
    return SyncFailed(Problem("sync.err.unexpected", {"detail": type(exc).__name__}))
