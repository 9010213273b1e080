"""``StoreDevice``: the ``Device`` over the real encrypted store (``field_app.store``).

First start creates the store with the chosen PIN (Argon2id, about a second), signs in
through ``sign_in`` (the sync client's login, which keeps the token inside the store) and
remembers the server address inside the store. If sign-in fails the new store is wiped at
once, so the worker can simply try again. Unlock maps the store's refusals (``WrongPin``,
``TryLater``, ``StoreWiped``) to ``PinRefused`` / ``DeviceWiped`` with the numbers the
unlock screen shows.

Every method blocks; the views call them through ``asyncio.to_thread``. Thread-safe: one
lock serialises create/open/unlock/lock.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from field_app.services.cases import closed_family_ids
from field_app.services.device import (
    DeviceError,
    DeviceWiped,
    PinRefused,
    ProgressCallback,
    Refusal,
    SignInFailed,
    SyncFailed,
    SyncResult,
    SyncStep,
)
from field_app.services.draft_store import prune_drafts
from field_app.services.families import PAGE_SIZE, FamiliesPage, FamilyFilter, list_families
from field_app.services.pin_policy import pin_problem, policy_problem
from field_app.services.problem import Problem
from field_app.services.state import Phase
from field_app.store import (
    KdfParams,
    LocalStore,
    Locked,
    LockoutPolicy,
    PinPolicyError,
    SecretMissing,
    StoreNotFound,
    StoreWiped,
    TryLater,
    WrongPin,
)
from field_app.store.files import wipe_files
from field_app.store.kdf import KdfUnavailable
from field_app.store.selfcheck import SqliteUnsafe, check_platform
from field_app.sync import lost_notice
from field_app.sync.client import Account, stored_account
from shared_models.records import Family

log = logging.getLogger(__name__)

STORE_FILE = "poruch-store.db"
#: Name of the sealed entry that keeps the server address (inside the encrypted store).
SERVER_SECRET = "device.server_url"  # noqa: S105  (a name, not a secret)

#: ``sign_in(store, server_url, username, password) -> username`` — raises ``SignInFailed``.
SignIn = Callable[[LocalStore, str, str, str], str]


class StoreDevice:
    """The device's encrypted store, opened and locked on the worker's behalf."""

    def __init__(self, data_dir: Path, *, sign_in: SignIn,
                 kdf: KdfParams | None = None, lockout: LockoutPolicy | None = None,
                 device_secret: bytes | None = None) -> None:
        self.path = data_dir / STORE_FILE
        self._sign_in = sign_in
        self._kdf = kdf
        self._lockout = lockout or LockoutPolicy()
        self._device_secret = device_secret
        self._mutex = threading.RLock()
        self._platform_ok = False
        self.store: LocalStore | None = None

    def use_device_secret(self, secret: bytes | None) -> None:
        """The phone's device secret (``services.device_secret``) for the next create or
        open; ``None`` where the platform has no keystore. A store made without one ignores
        it; a store made with one cannot be opened without it."""
        with self._mutex:
            self._device_secret = secret

    def phase(self) -> Phase:
        """UNLOCKED with the key in memory, LOCKED when a store file exists, else SETUP."""
        with self._mutex:
            if self.store is not None and not self.store.locked:
                return Phase.UNLOCKED
            return Phase.LOCKED if self.path.is_file() else Phase.SETUP

    def platform_problem(self) -> Problem | None:
        """The start-up self-check (``store.selfcheck``): ``None`` when Argon2id and SQLite's
        WAL/secure_delete work here, else what the first-start screen says instead of going
        on. Passed once, it is not run again in this process."""
        with self._mutex:
            if self._platform_ok:
                return None
            try:
                report = check_platform(self.path.parent)
            except KdfUnavailable:
                log.error("start-up self-check: no working Argon2id implementation")
                return Problem("store.err.kdf_unavailable")
            except SqliteUnsafe:
                log.error("start-up self-check: SQLite refused WAL or secure_delete")
                return Problem("store.err.sqlite_unsafe")
            log.info("start-up self-check passed (Argon2id through %s)", report.kdf_backend)
            self._platform_ok = True
            return None

    def _require_platform(self) -> None:
        problem = self.platform_problem()
        if problem is not None:
            raise DeviceError(problem)

    def new_pin_problem(self, pin: str) -> Problem | None:
        """The store's PIN policy."""
        return pin_problem(pin)

    def set_up(self, *, server_url: str, username: str, password: str, pin: str) -> str:
        """Create the store, sign in, remember the server; wipe the new store on failure."""
        with self._mutex:
            self._require_platform()  # before anything on disk changes
            if self.path.exists():
                # A store left behind by a wipe after too many wrong PINs (its key is gone),
                # or by an interrupted first start: nothing in it can be read any more.
                self._remove_files()
            try:
                store = LocalStore.create(self.path, pin, kdf=self._kdf, policy=self._lockout,
                                          device_secret=self._device_secret)
            except PinPolicyError as exc:
                raise DeviceError(policy_problem(exc)) from None
            try:
                name = self._sign_in(store, server_url, username, password)
                store.set_secret(SERVER_SECRET, server_url.encode())
            except BaseException:
                store.wipe()
                raise
            self.store = store
            # A new store: the notice of an earlier revocation has been shown for the last time.
            lost_notice.clear(self.path.parent)
            return name

    def unlock(self, pin: str) -> str:
        """Open or unlock the store; returns the signed-in user's name."""
        with self._mutex:
            self._require_platform()
            try:
                if self.store is None:
                    self.store = LocalStore.open(self.path, pin,
                                                 device_secret=self._device_secret)
                else:
                    self.store.unlock(pin)
            except WrongPin as exc:
                raise PinRefused(self._refusal(exc)) from None
            except TryLater as exc:
                raise PinRefused(Refusal(wrong=False,
                                         wait_seconds=math.ceil(exc.retry_after))) from None
            except SecretMissing:
                # The keystore did not give the secret back: not the PIN's fault, no attempt
                # counted, and nothing is wiped (it may be back at the next start).
                raise DeviceError(Problem("unlock.secret_missing")) from None
            except (StoreWiped, StoreNotFound):
                self._forget()
                raise DeviceWiped() from None
            return self.store.user

    def lock(self) -> None:
        """Drop the key from memory."""
        with self._mutex:
            if self.store is not None:
                self.store.lock()

    def pending_changes(self) -> int:
        """Changes not yet acknowledged by the server (0 while locked)."""
        with self._mutex:
            if self.store is None or self.store.locked:
                return 0
            return self.store.pending_count()

    def records(self) -> LocalStore:
        """The unlocked store (raises ``Locked`` when there is none or it is locked)."""
        with self._mutex:
            store = self.store
            if store is None or store.locked:
                raise Locked()
            return store

    def account(self) -> Account | None:
        """The signed-in account, kept sealed in the store (``None`` while locked)."""
        with self._mutex:
            if self.store is None or self.store.locked:
                return None
            return stored_account(self.store)

    def families(self, *, text: str = "", chosen: FamilyFilter = FamilyFilter.ALL,
                 offset: int = 0, limit: int = PAGE_SIZE) -> FamiliesPage:
        """A page of the families list from the store's decrypted models."""
        with self._mutex:
            store = self.store
            if store is None or store.locked:
                return FamiliesPage([], 0)
            return list_families(store.all(Family), me=store.user, today=date.today(),
                                 unsynced=store.unsynced_ids(),
                                 closed_ids=closed_family_ids(store), text=text, chosen=chosen,
                                 offset=offset, limit=limit)

    def sync(self, progress: ProgressCallback) -> SyncResult:
        """One sync through the sync client (``field_app.sync``) with the stored server."""
        from field_app.services.sync_problems import sync_failure  # noqa: PLC0415
        from field_app.sync import SyncClient, SyncError  # noqa: PLC0415

        with self._mutex:
            store = self.store
            url = self.server_url()
        if store is None or url is None:
            raise SyncFailed(Problem("err.locked"))
        client = SyncClient(store, url)
        try:
            report = client.sync(
                progress=lambda p: progress(SyncStep(p.stage.value, p.done, p.total)))
        except SyncError as exc:
            failure = sync_failure(exc)
            if isinstance(failure, DeviceWiped):
                with self._mutex:
                    self.store = None     # the client wiped it
            raise failure from None
        except Locked:
            # Locked mid-sync (inactivity, the app went to the background): what was
            # acknowledged is kept; the rest goes at the next sync.
            raise SyncFailed(Problem("sync.err.locked")) from None
        finally:
            client.close()
        try:   # a purge took records away: their drafts go too (data the worker may not hold)
            account = stored_account(store)
            prune_drafts(store, account.communities if account is not None else None)
        except Exception:
            log.exception("pruning drafts after a sync failed")
        return SyncResult(at=datetime.now(UTC), pushed=report.pushed, pulled=report.received,
                          pending=self.pending_changes(),
                          needs_attention=len(report.attention))

    def sign_in_again(self, password: str) -> None:
        """Sign in again as the stored user with the stored server; nothing local changes
        but the token (the unsynced changes go at the next sync)."""
        with self._mutex:
            store = self.store
            url = self.server_url()
            account = self.account()
            if store is None or url is None:
                raise SignInFailed(Problem("err.locked"))
            username = account.username if account is not None else store.user
        self._sign_in(store, url, username, password)

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new``; a wrong ``old`` counts as a wrong PIN."""
        with self._mutex:
            store = self.store
            if store is None or store.locked:
                raise DeviceError(Problem("err.locked"))
            try:
                store.change_pin(old, new)
            except PinPolicyError as exc:
                raise DeviceError(policy_problem(exc)) from None
            except WrongPin as exc:
                raise PinRefused(self._refusal(exc)) from None
            except TryLater as exc:
                raise PinRefused(Refusal(wrong=False,
                                         wait_seconds=math.ceil(exc.retry_after))) from None
            except StoreWiped:
                self._forget()
                raise DeviceWiped() from None

    def sign_out(self) -> bool:
        """Tell the server (best effort), then erase the store; back to first start."""
        from field_app.sync import SyncClient  # noqa: PLC0415

        with self._mutex:
            store = self.store
            url = self.server_url()
            if store is None or store.locked:
                raise DeviceError(Problem("err.locked"))
            told = False
            if url is not None:
                try:
                    with SyncClient(store, url, timeout=10.0) as client:
                        told = client.logout()
                except Exception as exc:     # an address the client refuses, a broken link
                    log.warning("telling the server about the sign-out failed: %s",
                                type(exc).__name__)
            store.wipe()
            self.store = None
            self._remove_files()
            log.info("signed out (server told: %s)", told)
            return told

    def _refusal(self, exc: WrongPin) -> Refusal:
        return Refusal(wait_seconds=math.ceil(exc.retry_after), attempts_left=exc.attempts_left,
                       wipe_warning=exc.attempts_left <= self._lockout.warn_from,
                       pending_changes=exc.unsynced_changes)

    def server_url(self) -> str | None:
        """The server address chosen at first start (needs the store unlocked)."""
        with self._mutex:
            if self.store is None or self.store.locked:
                return None
            raw = self.store.get_secret(SERVER_SECRET)
            return raw.decode() if raw else None

    def _forget(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except Exception:
                log.exception("closing a wiped store failed")
            self.store = None
        self._remove_files()

    def _remove_files(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        wipe_files(self.path)


def sync_client_sign_in(store: LocalStore, server_url: str, username: str,
                        password: str) -> str:
    """Sign in with the sync client (``field_app.sync``), which keeps the token sealed."""
    try:
        from field_app.services.sync_problems import sync_problem  # noqa: PLC0415
        from field_app.sync import SyncClient, SyncError  # noqa: PLC0415  (issue 5's package)
    except ImportError:
        raise SignInFailed(Problem("err.sign_in_missing")) from None
    client: Any = None
    try:
        client = SyncClient(store, server_url)
        account = client.login(username, password)
    except SyncError as exc:
        raise SignInFailed(sync_problem(exc)) from None
    except Exception as exc:
        log.warning("sign-in failed: %s", type(exc).__name__)
        raise SignInFailed(Problem("err.sign_in_failed")) from None
    finally:
        if client is not None:
            client.close()
    return str(account.username)
