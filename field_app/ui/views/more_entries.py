"""The More place's entries of the supervision screens (dashboard, exports, foster care).

Foster care is for everyone; the dashboard and exports only for supervising roles. The role
is read from the store off the event loop, so the entries appear a moment after the screen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.supervision import SUPERVISING_ROLES

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext


def _go(app: ViewContext, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


def supervision_entries(app: ViewContext) -> ft.Control:
    """List tiles for ``/more/placements`` and, for supervisors up, dashboard and exports."""
    t = app.t
    placements = ft.ListTile(leading=ft.Icon(ft.Icons.CHILD_CARE),
                             title=ft.Text(t("placement.more")),
                             subtitle=ft.Text(t("placement.more_hint")),
                             on_click=_go(app, "/more/placements"), key="more-placements")
    column = ft.Column([placements], spacing=0, tight=True, key="more-supervision")

    async def load() -> None:
        account = await app.blocking(app.services.device.account)
        if account is None or account.role not in SUPERVISING_ROLES:
            return
        column.controls = [
            ft.ListTile(leading=ft.Icon(ft.Icons.INSIGHTS), title=ft.Text(t("dash.more")),
                        subtitle=ft.Text(t("dash.more_hint")),
                        on_click=_go(app, "/more/dashboard"), key="more-dashboard"),
            ft.ListTile(leading=ft.Icon(ft.Icons.TABLE_VIEW), title=ft.Text(t("export.more")),
                        subtitle=ft.Text(t("export.more_hint")),
                        on_click=_go(app, "/more/exports"), key="more-exports"),
            placements,
        ]
        with contextlib.suppress(RuntimeError):
            column.update()

    app.spawn(load())
    return column
