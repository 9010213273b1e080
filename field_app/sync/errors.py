"""What can stop a sync, as exceptions with a code the app turns into plain words and a next step.

    SyncError
    ├── Offline            the server could not be reached (after retries)
    ├── ServerTrouble      the server answered 5xx or garbage (after retries)
    │   └── WrongClock     the server refuses this phone's clock even after correcting it
    ├── NeedsLogin         no token, or the server no longer accepts it
    ├── BadCredentials     wrong username or password at login
    ├── TooManyAttempts    login refused for a while after failures (``retry_after``)
    ├── DeviceRevoked      an administrator revoked this device: the store has been wiped
    ├── UpdateRequired     the server speaks another protocol version: update the app
    ├── InsecureServer     a plain-http address that is not this machine
"""

from __future__ import annotations

from datetime import date

from shared_models.revocation import LostWorkReport


class SyncError(Exception):
    """A sync stopped. ``code`` names what happened (the app's words, with the next step, are
    ``sync.err.<code>`` in ``field_app/texts/sync.py``); ``params()`` is the data they take."""

    code = "failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail

    def params(self) -> dict[str, object]:
        """The data the message of ``code`` takes (none by default)."""
        return {}


class Offline(SyncError):
    code = "offline"


class ServerTrouble(SyncError):
    code = "server"

    def __init__(self, detail: str = "", *, status: int = 0,
                 retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after


class WrongClock(ServerTrouble):
    code = "clock"


class NeedsLogin(SyncError):
    code = "login"


class BadCredentials(SyncError):
    code = "credentials"


class TooManyAttempts(SyncError):
    code = "too_many"

    def __init__(self, detail: str = "", retry_after: float = 60.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def params(self) -> dict[str, object]:
        return {"minutes": max(1, round(self.retry_after / 60))}


class DeviceRevoked(SyncError):
    code = "revoked"

    def __init__(self, detail: str = "", *, lost: LostWorkReport | None = None,
                 reported: bool = False, on: date | None = None) -> None:
        super().__init__(detail)
        #: The day of the wipe (UTC), as kept in the revocation notice.
        self.on = on
        #: What the wipe erased unsent (``None``: it could not be counted).
        self.lost = lost
        #: Whether the server took the count (the administrator sees it).
        self.reported = reported


class UpdateRequired(SyncError):
    code = "update"


class InsecureServer(SyncError):
    code = "insecure"


class UntrustedServer(SyncError):
    code = "untrusted"
