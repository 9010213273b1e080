"""All a view may use of its session: ``ViewContext``.

Views (``field_app.ui.views``) are functions of state: they read the session through this
Protocol and call its actions, and never see the Flet page or the ``App`` class that
implements it (``field_app.ui.app``); ``tests/shared/test_layers.py`` fails when one does.
What is here, by need: translation, the layout width, navigation, short notices and dialogs,
blocking work off the event loop, the services and the session's state, and the forms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import flet as ft

    from field_app.i18n import Translator
    from field_app.services.account import ChangePinForm, SignOutForm
    from field_app.services.app import AppServices, Trigger
    from field_app.services.forms import FirstStartForm, UnlockForm
    from field_app.services.open_forms import OpenForms
    from field_app.services.problem import Problem
    from field_app.services.settings import AppSettings
    from field_app.services.state import SessionState
    from field_app.ui.keystore import DeviceKeystore
    from field_app.ui.routes import Route
    from field_app.ui.sync_indicator import SyncIndicator

T = TypeVar("T")


class Refreshes(Protocol):
    """Something on screen that redraws itself from ``SyncStatus``."""

    def refresh(self) -> None:
        """Show the current status."""


class ViewContext(Protocol):
    """The session as a view sees it (``App`` implements it)."""

    # ---- translation ---------------------------------------------------------------------
    tr: Translator

    def t(self, key: str, **params: object) -> str:
        """``key`` in the session's language."""
        ...

    # ---- layout --------------------------------------------------------------------------
    @property
    def wide(self) -> bool:
        """Wide enough for the rail and two panes."""
        ...

    @property
    def width(self) -> float:
        """The window's width in logical pixels (0 before the first layout)."""
        ...

    @property
    def dark(self) -> bool:
        """Whether the dark appearance is chosen (colours that must contrast follow it)."""
        ...

    # ---- navigation ----------------------------------------------------------------------
    route: Route

    async def go(self, path: str, *, notice: str | None = None) -> None:
        """Navigate to ``path``; ``notice`` is shown on the screen navigated to."""
        ...

    async def back(self) -> None:
        """Go to the current route's parent."""
        ...

    def render(self) -> None:
        """Draw the current route again from state."""
        ...

    # ---- notices, dialogs, sending changes -----------------------------------------------
    def notice(self, text: str) -> None:
        """A short message at the bottom of the current screen."""
        ...

    def show_dialog(self, dialog: ft.DialogControl) -> None:
        """Open a dialog (a picker, a confirmation) over the screen."""
        ...

    def pop_dialog(self) -> None:
        """Close the dialog on top."""
        ...

    def update(self) -> None:
        """Send every changed control of the screen to the client."""
        ...

    # ---- work off the loop ---------------------------------------------------------------
    async def blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` on a worker thread."""
        ...

    def spawn(self, coro: Awaitable[None]) -> None:
        """Run ``coro`` as a task of this session."""
        ...

    # ---- services and session ------------------------------------------------------------
    services: AppServices
    session: SessionState
    settings: AppSettings
    keystore: DeviceKeystore

    async def opened(self, username: str) -> None:
        """The store was created or unlocked: go on to the families."""
        ...

    async def lock_now(self) -> None:
        """Lock the store and show the unlock screen."""
        ...

    async def sign_out(self) -> None:
        """Tell the server, erase this phone's data, go back to first start."""
        ...

    async def reset_to_setup(self, problem: Problem | None) -> None:
        """The device was wiped: forget the session's forms and go back to first start,
        saying ``problem`` there."""
        ...

    async def set_language(self, lang: str, persist: bool = True) -> None:
        """Switch the session's language."""
        ...

    async def set_theme(self, mode: str) -> None:
        """Choose system, light or dark appearance."""
        ...

    async def set_lock_timeout(self, minutes: int) -> None:
        """Choose the inactivity timeout."""
        ...

    async def sync_now(self, trigger: Trigger = ...) -> None:
        """Sync now (the button)."""
        ...

    async def sync_soon(self) -> None:
        """Ask for a sync shortly (a decision someone waits for)."""
        ...

    async def refresh_pending(self) -> None:
        """Read the outbox size (and the sync overview) again."""
        ...

    async def refresh_overview(self) -> None:
        """Read what the sync screens show from the store again."""
        ...

    def follow_status(self, watcher: Refreshes) -> None:
        """Refresh ``watcher`` on every sync status change (in place, no re-render)."""
        ...

    def new_indicator(self) -> SyncIndicator:
        """A sync indicator for the app bar of a view being built."""
        ...

    # ---- forms ---------------------------------------------------------------------------
    setup_form: FirstStartForm
    unlock_form: UnlockForm
    pin_form: ChangePinForm
    sign_out_form: SignOutForm
    #: The record forms open in this session, by route path.
    forms: OpenForms
