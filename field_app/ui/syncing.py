"""The session's syncing: runs a sync off the loop into ``SyncStatus``, reads the store's
overview for the sync screens, and starts syncs on its own (``AutoSyncPolicy``: unlock,
resume, network back, interval, and soon after a supervisor's decision). Mixed into ``App``
(``field_app.ui.app``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import flet as ft

from field_app.services.app import AppServices, AutoSyncPolicy, Trigger
from field_app.services.device import DeviceWiped, SyncFailed, SyncStep
from field_app.services.problem import Problem
from field_app.services.state import Phase, SessionState, SyncStatus
from field_app.services.sync_overview import sync_overview

log = logging.getLogger(__name__)
T = TypeVar("T")


class SyncActions:
    """Sync actions of one session (needs the ``App`` attributes declared below)."""

    services: AppServices
    session: SessionState
    auto_sync: AutoSyncPolicy
    connectivity: ft.Connectivity | None

    async def reset_to_setup(self, problem: Problem | None) -> None:
        """The device was wiped: back to first start (``App.reset_to_setup``)."""
        raise NotImplementedError

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run ``coro`` as a task of this session (``App.spawn``)."""
        raise NotImplementedError

    def account_changed(self) -> None:
        """Redraw what depends on the role (``App.account_changed``)."""
        raise NotImplementedError

    async def blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def sync_now(self, trigger: Trigger = Trigger.MANUAL) -> None:
        """Run one sync off the loop, reporting progress and the outcome in ``SyncStatus``.

        The auto-sync policy decides: never two at once, and automatic triggers wait a
        little after a recent attempt (longer after failures); the button always goes.
        """
        status = self.services.sync
        if status.syncing or self.session.phase is not Phase.UNLOCKED:
            return
        if not self.auto_sync.try_begin(trigger):
            return
        await self._run_claimed()

    async def _run_claimed(self) -> None:
        """Run the sync the policy just granted, and tell it how it ended."""
        ok = False
        try:
            ok = await self._sync_once(self.services.sync)
        finally:
            self.auto_sync.finish(ok)
        if self.auto_sync.requested:   # asked for while this one ran: it may not have it
            self.spawn(self._sync_if_requested())

    async def sync_soon(self) -> None:
        """A change someone waits for was saved (a supervisor's decision, which its author
        should get without waiting for the interval): ask the policy for a sync shortly.
        The short wait lets a run of decisions go in one sync."""
        if not self.services.sync_on_open:
            return
        self.auto_sync.request()
        await asyncio.sleep(self.services.sync_soon_s)
        await self._sync_if_requested()

    async def _sync_if_requested(self) -> None:
        if self.auto_sync.requested:
            await self.sync_now(Trigger.SOON)

    async def _sync_once(self, status: SyncStatus) -> bool:
        loop = asyncio.get_running_loop()

        def progress(step: SyncStep) -> None:   # called in the worker thread
            loop.call_soon_threadsafe(status.set_step, step.stage, step.done, step.total)

        status.started(datetime.now(UTC))
        try:
            result = await self.blocking(self.services.device.sync, progress)
        except DeviceWiped as exc:
            await self.reset_to_setup(exc.problem)
            return False
        except SyncFailed as exc:
            status.failed(exc.problem, offline=exc.offline, reached=exc.reached)
        except Exception as exc:
            log.exception("sync failed")
            status.failed(Problem("sync.err.unexpected", {"detail": type(exc).__name__}))
        else:
            status.succeeded(result.at, result.pending, result.pushed, result.pulled)
            await self.refresh_overview()
            return True
        await self.refresh_overview()
        return False

    async def refresh_pending(self) -> None:
        """Read the outbox size into the sync status (and the rest of the overview)."""
        try:
            count = await self.blocking(self.services.device.pending_changes)
        except Exception:
            log.exception("reading the pending count failed")
            return
        self.services.sync.set_pending(count)
        await self.refresh_overview()

    async def refresh_overview(self) -> None:
        """Read what the sync screens show from the store (refused changes, conflicts,
        the last successful sync) into ``SyncStatus``; nothing while locked."""
        if self.session.phase is not Phase.UNLOCKED:
            return
        device = self.services.device
        account = device.account()
        if account is not None and self.session.account_changed(
                account.role, tuple(account.communities)):
            # Promoted or demoted (the sync re-read what the new role sees): the menus and
            # queues follow now, not at the next unlock.
            log.info("the account's role or communities changed")
            self.account_changed()
        try:
            store = device.records()
        except Exception:   # locked, or a device without a store: the counts stay as they are
            return
        username = account.username if account else (self.session.username or "")
        role = account.role if account else "social_worker"
        try:
            overview = await self.blocking(sync_overview, store, username=username, role=role)
        except Exception:
            log.exception("reading the sync overview failed")
            return
        if self.session.phase is Phase.UNLOCKED:
            self.services.sync.set_overview(overview)

    def _watch_connectivity(self) -> None:
        """Sync when the phone's network comes back (Flet's ``Connectivity`` service).

        It reports the network type, not whether our server answers: a change only asks
        the auto-sync policy, whose attempt then finds out.
        """
        try:
            self.connectivity = ft.Connectivity(on_change=self._on_connectivity)
        except Exception:
            log.warning("the connectivity service is not available here", exc_info=True)

    async def _on_connectivity(self, e: ft.ConnectivityChangeEvent) -> None:
        types = [str(getattr(t, "value", t)) for t in (e.connectivity or [])]
        online = any(t != ft.ConnectivityType.NONE.value for t in types)
        log.info("network changed: %s", ",".join(types) or "none")
        if not self.auto_sync.set_online(online):
            return
        if self.session.phase is not Phase.UNLOCKED or self.services.sync.syncing:
            self.auto_sync.release()   # the unlock (or the running sync) takes care of it
            return
        await self._run_claimed()

    async def _auto_sync_watch(self) -> None:
        while True:
            await asyncio.sleep(self.services.sync_check_s)
            if self.session.phase is Phase.UNLOCKED and self.auto_sync.due():
                try:
                    await self.sync_now(Trigger.INTERVAL)
                except Exception:
                    log.exception("automatic sync failed")
