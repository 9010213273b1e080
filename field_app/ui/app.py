"""One Flet session of the field app: state, routing, rendering and auto-lock.

``make_main(services)`` returns the ``main(page)`` that ``ft.run`` calls for each session.
``App`` holds the session's state (``SessionState``, the translator, form models) apart from
the widgets, and renders ``page.views`` from it on every route change, language switch or
resize, so views are plain functions of state. Blocking work goes through ``App.blocking``
(``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import flet as ft

from field_app.i18n import LANGUAGES, LOCALES, Translator
from field_app.services.app import AppServices, Trigger
from field_app.services.device import DeviceWiped, SyncFailed
from field_app.services.drafts import Drafts
from field_app.services.family_card import warm_up
from field_app.services.forms import FirstStartForm, UnlockForm
from field_app.services.settings import AppSettings
from field_app.services.state import Phase, SessionState, SyncStatus
from field_app.ui import routes, theme
from field_app.ui.shell import build_views
from field_app.ui.sync_indicator import SyncIndicator
from field_app.ui.views.common import problem_text

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How often the inactivity timer looks at the clock, in seconds.
IDLE_CHECK_SECONDS = 15.0


class App:
    """The state and the actions of one session; views read it and call its methods."""

    def __init__(self, page: ft.Page, services: AppServices) -> None:
        self.page = page
        self.services = services
        self.tr = Translator()
        self.session = SessionState()
        self.settings = AppSettings()
        self.setup_form = FirstStartForm()
        self.unlock_form = UnlockForm()
        #: Open record forms by route: rebuilt screens show what was typed (``Drafts``).
        self.drafts = Drafts()
        #: Where the worker was when the app locked; unlocking returns there.
        self.resume_path: str | None = None
        self.route = routes.parse(page.route or "/")
        self.indicators: list[SyncIndicator] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self._was_syncing = False
        self._idle_task: asyncio.Task[None] | None = None
        self._auto_task: asyncio.Task[None] | None = None
        self.auto_sync = services.auto_sync_policy()

    # ---- reading state -------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        """Translate ``key`` in the session's language."""
        return self.tr.t(key, **params)

    @property
    def wide(self) -> bool:
        """Whether the window is wide enough for the rail and two panes."""
        return (self.page.width or 0) >= theme.WIDE_FROM

    # ---- start and stop ------------------------------------------------------------------
    async def start(self) -> None:
        """Load settings and the device phase, hook page events, show the first screen."""
        page = self.page
        self.settings = await self.blocking(self.services.settings.load)
        self.session.language = self.settings.language
        self.session.lock_timeout_minutes = self.settings.lock_timeout_minutes
        self.setup_form.language = self.settings.language
        self.tr.lang = self.settings.language
        phase = await self.blocking(self.services.device.phase)
        # A new window (a browser tab in web mode) asks for the PIN even when another
        # window of this process has the store open.
        self.session.phase = Phase.LOCKED if phase is Phase.UNLOCKED else phase

        page.title = self.t("app.title")
        theme.apply(page, self.settings.theme)
        self._apply_locale()
        page.padding = 0
        page.on_route_change = self._on_route_change
        page.on_view_pop = self._on_view_pop
        page.on_resize = self._on_resize
        page.on_app_lifecycle_state_change = self._on_lifecycle
        page.on_close = self._on_close
        self._was_wide = self.wide
        self._unsubscribe.append(self.services.sync.subscribe(self._on_sync_change))
        self._idle_task = asyncio.create_task(self._idle_watch())
        if self.services.sync_on_open:
            self._auto_task = asyncio.create_task(self._auto_sync_watch())

        await self.show(page.route or "/")

    def _on_close(self, _e: object = None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._idle_task:
            self._idle_task.cancel()
        if self._auto_task:
            self._auto_task.cancel()

    # ---- navigation ----------------------------------------------------------------------
    async def go(self, path: str) -> None:
        """Navigate to ``path`` (pushes browser history; the route change renders)."""
        self.session.touch()
        if path == self.page.route:
            await self.show(path)
        else:
            await self.page.push_route(path)

    async def show(self, path: str) -> None:
        """Render ``path``, or redirect where the guard says."""
        route = routes.parse(path)
        target = routes.guard(route, self.session.phase)
        if target is not None and target != path:
            await self.page.push_route(target)
            return
        self.route = route
        self.render()

    async def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        self.session.touch()
        await self.show(e.route)

    async def _on_view_pop(self, _e: ft.ViewPopEvent) -> None:
        parent = self.route.parent
        await self.go(parent.path if parent else routes.HOME)

    async def back(self) -> None:
        """Go to the current route's parent."""
        await self._on_view_pop(None)  # type: ignore[arg-type]

    def render(self) -> None:
        """Build ``page.views`` for the current route from state, and send them."""
        self.indicators = []
        self.page.title = self.t("app.title")
        self.page.views.clear()
        self.page.views.extend(build_views(self, self.route))
        self.page.update()

    def new_indicator(self) -> SyncIndicator:
        """A sync indicator for a view being built (refreshed when the status changes)."""
        indicator = SyncIndicator(self)
        self.indicators.append(indicator)
        return indicator

    def _on_sync_change(self) -> None:
        for indicator in self.indicators:
            indicator.refresh()
        finished = self._was_syncing and not self.services.sync.syncing
        self._was_syncing = self.services.sync.syncing
        # The sync screen follows every step; lists and the card reload what a sync brought
        # (not a review detail or a form: what is being typed would be lost).
        if self.route.name == "sync" or (
                finished and self.route.name in ("families", "family", "review")):
            self.render()

    def _on_resize(self, _e: object) -> None:
        if self.wide != self._was_wide:
            self._was_wide = self.wide
            self.render()

    # ---- settings ------------------------------------------------------------------------
    def _apply_locale(self) -> None:
        self.page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale(*LOCALES[lang]) for lang in LANGUAGES],
            current_locale=ft.Locale(*self.tr.flet_locale()),
        )

    async def set_language(self, lang: str, persist: bool = True) -> None:
        """Switch every string of the session to ``lang`` and re-render."""
        self.tr.lang = lang
        self.session.set_language(lang)
        self.setup_form.language = lang
        self._apply_locale()
        if persist:
            await self._save_settings(language=lang)
        self.render()

    async def set_lock_timeout(self, minutes: int) -> None:
        """Choose the inactivity timeout."""
        self.session.set_lock_timeout(minutes)
        await self._save_settings(lock_timeout_minutes=minutes)

    async def set_theme(self, mode: str) -> None:
        """Choose system, light or dark appearance."""
        theme.apply(self.page, mode)
        await self._save_settings(theme=mode)
        self.page.update()

    async def _save_settings(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)
        await self.blocking(self.services.settings.save, self.settings)

    # ---- lock ----------------------------------------------------------------------------
    async def opened(self, username: str) -> None:
        """The store was created or unlocked: show the families, the pending count, sync."""
        try:
            account = await self.blocking(self.services.device.account)
        except Exception:
            log.exception("reading the signed-in account failed")
            account = None
        self.session.unlocked(username, role=account.role if account else None)
        await self.refresh_pending()
        resume, self.resume_path = self.resume_path, None
        await self.go(resume or routes.HOME)
        self.spawn(self._warm_up())
        if self.services.sync_on_open:
            self.spawn(self.sync_now(Trigger.START))

    async def _warm_up(self) -> None:
        """Decrypt what the family card reads, off the loop, so the first card opens fast."""
        try:
            await self.blocking(warm_up, await self.blocking(self.services.device.records))
        except Exception:  # locked again meanwhile, or a test double without a store
            log.debug("warm-up skipped", exc_info=True)

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
        ok = False
        try:
            ok = await self._sync_once(status)
        finally:
            self.auto_sync.finish(ok)

    async def _sync_once(self, status: SyncStatus) -> bool:
        loop = asyncio.get_running_loop()

        def progress(fraction: float | None) -> None:   # called in the worker thread
            loop.call_soon_threadsafe(status.set_progress, fraction)

        status.started()
        try:
            result = await self.blocking(self.services.device.sync, progress)
        except DeviceWiped as exc:
            status.failed(problem_text(self, exc.problem))
            self.session.wiped()
            self.drafts.clear()
            self.resume_path = None
            self.setup_form.message = exc.problem
            await self.go("/setup")
        except SyncFailed as exc:
            status.failed(problem_text(self, exc.problem), offline=exc.offline)
        except Exception as exc:
            log.exception("sync failed")
            status.failed(self.t("err.unexpected", detail=type(exc).__name__))
        else:
            status.succeeded(result.at, result.pending, result.pushed, result.pulled)
            return True
        return False

    async def refresh_pending(self) -> None:
        """Read the outbox size into the sync status."""
        try:
            count = await self.blocking(self.services.device.pending_changes)
        except Exception:
            log.exception("reading the pending count failed")
            return
        self.services.sync.set_pending(count)

    async def lock_now(self) -> None:
        """Lock the store and show the unlock screen."""
        if self.session.phase is not Phase.UNLOCKED:
            return
        await self.blocking(self.services.device.lock)
        self.session.locked()
        if self.route.name not in ("setup", "unlock"):
            self.resume_path = self.route.path
        self.unlock_form = UnlockForm()
        await self.go("/unlock")

    async def _on_lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE):
            await self.lock_now()

    async def _idle_watch(self) -> None:
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            if self.session.idle_expired():
                try:
                    await self.lock_now()
                except Exception:
                    log.exception("auto-lock failed")

    async def _auto_sync_watch(self) -> None:
        while True:
            await asyncio.sleep(self.services.sync_check_s)
            if self.session.phase is Phase.UNLOCKED and self.auto_sync.due():
                try:
                    await self.sync_now(Trigger.INTERVAL)
                except Exception:
                    log.exception("automatic sync failed")

    # ---- helpers -------------------------------------------------------------------------
    async def blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run ``coro`` as a task of this session (for sync callbacks)."""
        async def runner() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                await coro

        self.page.run_task(runner)


def make_main(services: AppServices) -> Callable[[ft.Page], Awaitable[None]]:
    """The ``main(page)`` of a Flet app over ``services``."""

    async def main(page: ft.Page) -> None:
        app = App(page, services)
        page.data = app
        await app.start()

    return main
