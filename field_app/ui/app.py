"""One Flet session of the field app: state, routing, rendering and auto-lock.

``make_main(services)`` returns the ``main(page)`` that ``ft.run`` calls for each session.
``App`` holds the session's state (``SessionState``, the translator, form models) apart from
the widgets, and renders ``page.views`` from it on every route change, language switch or
resize, so views are plain functions of state. Views see it only as a ``ViewContext``
(``field_app.ui.context``): only ``App`` touches the Flet page. Blocking work goes through
``App.blocking`` (``asyncio.to_thread``).
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
from field_app.services.account import ChangePinForm, SignOutForm
from field_app.services.app import AppServices, Trigger
from field_app.services.family_card import warm_up
from field_app.services.forms import FirstStartForm, UnlockForm
from field_app.services.open_forms import OpenForms
from field_app.services.problem import Problem
from field_app.services.settings import AppSettings
from field_app.services.state import Phase, SessionState
from field_app.services.sync_problems import stored_revocation_problem
from field_app.ui import routes, theme
from field_app.ui.context import Refreshes
from field_app.ui.keystore import DeviceKeystore
from field_app.ui.shell import build_views
from field_app.ui.sync_indicator import SyncIndicator
from field_app.ui.syncing import SyncActions

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Routes that show the store's sync overview (read again when one is shown).
_OVERVIEW_ROUTES = frozenset({"sync", "more", "sign_out"})
#: Routes re-rendered on every sync status change (the sync screen follows in place).
_FOLLOW_SYNC = frozenset({"sign_out"})
#: Screens drawn from the account's role and communities, redrawn when a sync changes them
#: (lists and menus; never a form or a detail being read).
_FOLLOW_ACCOUNT = frozenset({"more", "review", "families", "visits"})


#: How often the inactivity timer looks at the clock, in seconds.
IDLE_CHECK_SECONDS = 15.0


class App(SyncActions):
    """The state and the actions of one session: the ``ViewContext`` views are given."""

    def __init__(self, page: ft.Page, services: AppServices) -> None:
        self.page = page
        self.services = services
        self.tr = Translator()
        self.session = SessionState()
        self.settings = AppSettings()
        self.setup_form = FirstStartForm()
        self.unlock_form = UnlockForm()
        self.pin_form = ChangePinForm()
        self.sign_out_form = SignOutForm()
        #: Open record forms by route: rebuilt screens show what was typed. Before the store
        #: locks they write their drafts while the key is still in memory, then are
        #: forgotten; when the route changes they write pending drafts at once, not 0.7 s
        #: later (and before the next screen reads them: the families list offers a
        #: half-typed new family).
        self.forms = OpenForms()
        #: Where the worker was when the app locked; unlocking returns there.
        self.resume_path: str | None = None
        self.route = routes.parse(page.route or "/")
        #: Controls on screen that follow ``SyncStatus`` in place (the app bar's indicator,
        #: the sync screen): refreshed on every change instead of re-rendering the page,
        #: so a tap in progress is not lost to a rebuilt widget.
        self.status_watchers: list[Refreshes] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self._was_syncing = False
        self._idle_task: asyncio.Task[None] | None = None
        self._auto_task: asyncio.Task[None] | None = None
        self.auto_sync = services.auto_sync_policy()
        #: Flet's connectivity service (kept referenced: Flet drops unreferenced services).
        self.connectivity: ft.Connectivity | None = None
        #: Messages at the bottom of the screen (``notice``), closed when the route changes;
        #: ``_carried`` is one asked for by ``go(..., notice=)``, shown on the screen it opens.
        self._notices: list[ft.SnackBar] = []
        self._carried: str | None = None
        #: The phone's keystore for the device secret (inert on desktop and in the browser).
        self.keystore = DeviceKeystore(None, None)

    # ---- reading state -------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        """Translate ``key`` in the session's language."""
        return self.tr.t(key, **params)

    @property
    def wide(self) -> bool:
        """Whether the window is wide enough for the rail and two panes."""
        return self.width >= theme.WIDE_FROM

    @property
    def width(self) -> float:
        """The window's width in logical pixels (0 before the first layout)."""
        return float(self.page.width or 0)

    @property
    def dark(self) -> bool:
        """Whether the dark appearance is chosen."""
        return self.page.theme_mode == ft.ThemeMode.DARK

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
        self.keystore = DeviceKeystore.for_page(page.platform, web=bool(page.web),
                                                hand_over=self.services.use_device_secret)
        # A new window (a browser tab in web mode) asks for the PIN even when another
        # window of this process has the store open.
        self.session.phase = Phase.LOCKED if phase is Phase.UNLOCKED else phase
        if phase is Phase.SETUP:   # a revocation wiped the phone: say so, even after a restart
            self.setup_form.message = await self.blocking(stored_revocation_problem,
                                                          self.services.data_dir)

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
            self._watch_connectivity()

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
    async def go(self, path: str, *, notice: str | None = None) -> None:
        """Navigate to ``path`` (pushes browser history; the route change renders).

        ``notice`` is a message about what was just done ("Збережено") shown on the screen
        navigated to: messages shown before the navigation are closed by it.
        """
        self.session.touch()
        if notice is not None:
            self._carried = notice
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
        if route.path != self.route.path:
            self._close_notices()   # a message belongs to the screen it was shown on
        self.route = route
        self.render()
        if self._carried is not None:
            text, self._carried = self._carried, None
            self.notice(text)
        if route.name in _OVERVIEW_ROUTES:
            # The screen shows what the store holds (refused changes, conflicts): read it
            # fresh; the status change re-renders the screen when it arrives.
            self.spawn(self.refresh_overview())

    async def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        self.session.touch()
        await self.forms.flush()
        await self.show(e.route)

    async def _on_view_pop(self, _e: ft.ViewPopEvent) -> None:
        parent = self.route.parent
        await self.go(parent.path if parent else routes.HOME)

    async def back(self) -> None:
        """Go to the current route's parent."""
        await self._on_view_pop(None)  # type: ignore[arg-type]

    def account_changed(self) -> None:
        """The role or communities changed (a sync brought it): redraw the screen when it is
        one drawn from them."""
        if self.route.name in _FOLLOW_ACCOUNT:
            self.render()

    def render(self) -> None:
        """Build ``page.views`` for the current route from state, and send them."""
        self.status_watchers = []
        self.page.title = self.t("app.title")
        self.page.views.clear()
        self.page.views.extend(build_views(self, self.route))
        self.page.update()

    def notice(self, text: str) -> None:
        """A short message at the bottom of the current screen; the next route change
        closes it (Flutter's snack bars outlive the views they were shown over)."""
        # No key: dialogs stay in the page's list, and a new one matched by key to an old
        # one would be diffed as "frozen" (Flet then refuses to update it when dismissed).
        snack = ft.SnackBar(ft.Text(text))
        self._notices = [s for s in self._notices if s.open]
        self._notices.append(snack)
        self.page.show_dialog(snack)

    def show_dialog(self, dialog: ft.DialogControl) -> None:
        """Open a dialog (a picker, a confirmation) over the screen."""
        self.page.show_dialog(dialog)

    def pop_dialog(self) -> None:
        """Close the dialog on top."""
        self.page.pop_dialog()

    def update(self) -> None:
        """Send every changed control of the screen to the client."""
        self.page.update()

    def _close_notices(self) -> None:
        for snack in self._notices:
            if snack.open:
                snack.open = False
                with contextlib.suppress(RuntimeError):   # already taken off the page
                    snack.update()
        self._notices = []

    def new_indicator(self) -> SyncIndicator:
        """A sync indicator for a view being built (refreshed when the status changes)."""
        indicator = SyncIndicator(self)
        self.status_watchers.append(indicator)
        return indicator

    def follow_status(self, watcher: Refreshes) -> None:
        """Refresh ``watcher`` (a screen being built) on every sync status change."""
        self.status_watchers.append(watcher)

    def _on_sync_change(self) -> None:
        for watcher in self.status_watchers:
            watcher.refresh()
        finished = self._was_syncing and not self.services.sync.syncing
        self._was_syncing = self.services.sync.syncing
        # The sync screen, the families list and the due visits follow in place
        # (``follow_status``: a re-render could swallow a tap); the card and the review list
        # reload what a sync brought (not a review detail or a form: what is being typed
        # would be lost); the sign-out screen is drawn again.
        if self.route.name in _FOLLOW_SYNC or (
                finished and self.route.name in ("family", "review")):
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
        self.session.unlocked(username, role=account.role if account else None,
                              communities=tuple(account.communities) if account else ())
        await self.refresh_pending()
        resume, self.resume_path = self.resume_path, None
        await self.go(resume or routes.HOME)
        self.spawn(self._warm_up())
        if self.services.sync_on_open:
            self.spawn(self.sync_now(Trigger.START))

    async def sign_out(self) -> None:
        """Tell the server, erase this phone's data, and go back to first start."""
        told = await self.blocking(self.services.device.sign_out)
        await self.reset_to_setup(Problem(
            "account.signed_out" if told else "account.signed_out_unreported"))

    async def reset_to_setup(self, problem: Problem | None) -> None:
        """The device's data is gone (signed out, wiped after wrong PINs, revoked): forget
        everything of the session that belonged to it and show first start, saying
        ``problem`` there."""
        self.services.sync.reset()
        self.auto_sync = self.services.auto_sync_policy()
        self.unlock_form = UnlockForm()
        self.pin_form = ChangePinForm()
        self.sign_out_form = SignOutForm()
        self.forms.clear()
        self.resume_path = None
        self.session.wiped()
        self.setup_form = FirstStartForm(language=self.session.language)
        self.setup_form.message = problem
        await self.go("/setup")

    async def _warm_up(self) -> None:
        """Decrypt what the family card reads, off the loop, so the first card opens fast."""
        try:
            await self.blocking(warm_up, await self.blocking(self.services.device.records))
        except Exception:  # locked again meanwhile, or a test double without a store
            log.debug("warm-up skipped", exc_info=True)

    async def lock_now(self) -> None:
        """Lock the store and show the unlock screen."""
        if self.session.phase is not Phase.UNLOCKED:
            return
        await self.forms.put_away()
        await self.blocking(self.services.device.lock)
        self.session.locked()
        if self.route.name not in ("setup", "unlock"):
            # With its query: a note's correction (``?corrects=``) comes back as one.
            self.resume_path = self.page.route or self.route.path
        self.unlock_form = UnlockForm()
        self.pin_form = ChangePinForm()
        self.sign_out_form = SignOutForm()
        self.services.sync.set_overview(None)
        await self.go("/unlock")

    async def _on_lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE):
            await self.lock_now()
        elif e.state is ft.AppLifecycleState.RESUME and self.services.sync_on_open:
            # Back in the foreground without having been hidden long enough to lock (a
            # system dialog, a split screen): sync. After a lock, the unlock syncs instead.
            await self.sync_now(Trigger.RESUME)

    async def _idle_watch(self) -> None:
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            if self.session.idle_expired():
                try:
                    await self.lock_now()
                except Exception:
                    log.exception("auto-lock failed")

    # ---- helpers -------------------------------------------------------------------------
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
