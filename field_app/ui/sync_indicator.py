"""The app bar's sync indicator: an icon for the state, the pending count, tap for details.

Bound to the shared ``SyncStatus``; ``refresh()`` is called by the session when it changes.
Its tooltip and semantics label say the whole state in words, so screen readers and tests
find it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.state import Connectivity, SyncLevel, SyncStatus
from field_app.ui import theme
from field_app.ui.views.common import problem_text

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

ICONS = {
    SyncLevel.SYNCING: ft.Icons.SYNC,
    SyncLevel.ERROR: ft.Icons.SYNC_PROBLEM,
    SyncLevel.OFFLINE: ft.Icons.CLOUD_OFF,
    SyncLevel.PENDING: ft.Icons.CLOUD_UPLOAD_OUTLINED,
    SyncLevel.SYNCED: ft.Icons.CLOUD_DONE_OUTLINED,
    SyncLevel.UNKNOWN: ft.Icons.CLOUD_QUEUE,
}


def state_words(app: ViewContext, status: SyncStatus) -> str:
    """The connection state in words: syncing, error, offline/online/unknown."""
    if status.syncing:
        return app.t("sync.syncing")
    if status.error:
        return app.t("sync.error", message=problem_text(app, status.error))
    return app.t({Connectivity.ONLINE: "sync.online", Connectivity.OFFLINE: "sync.offline",
                  Connectivity.UNKNOWN: "sync.unknown"}[status.connectivity])


def pending_words(app: ViewContext, status: SyncStatus) -> str:
    """How many changes wait, in words."""
    if status.pending == 0:
        return app.t("sync.all_sent")
    return app.tr.plural("sync.pending", status.pending)


class SyncIndicator:
    """Builds and refreshes the indicator control of one view's app bar."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        self.icon = ft.Icon(ft.Icons.CLOUD_QUEUE, size=22)
        self.count = ft.Text("", weight=ft.FontWeight.BOLD)
        self.button = ft.TextButton(
            content=ft.Row([self.icon, self.count], spacing=4, tight=True),
            height=theme.TOUCH,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=12)),
            on_click=self._open,
            key="sync-indicator",
        )
        # One node for screen readers: named, a button, tappable (the TextButton's own
        # node would be a second, unnamed button).
        self.control = ft.Semantics(content=self.button, button=True, exclude_semantics=True,
                                    on_tap=self._open, key="sync-indicator-semantics")
        self._fill()

    def _fill(self) -> None:
        status = self.app.services.sync
        self.icon.icon = ICONS[status.level]
        self.count.value = str(status.pending) if status.pending else ""
        self.count.visible = status.pending > 0
        label = self.app.t("sync.indicator", state=state_words(self.app, status),
                           pending=pending_words(self.app, status))
        self.button.tooltip = label
        self.control.label = label

    def refresh(self) -> None:
        """Show the current status (if the control is still on the page)."""
        self._fill()
        with contextlib.suppress(RuntimeError):  # not mounted: the view was replaced
            self.control.update()

    async def _open(self, _e: object) -> None:
        await self.app.go("/sync")
