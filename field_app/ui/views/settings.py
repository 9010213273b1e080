"""Settings: interface language (re-renders everything at once), lock timeout, appearance,
and the account: change the PIN, sign out (their screens are in ``account``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.settings import THEMES
from field_app.services.state import LOCK_TIMEOUT_CHOICES
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import language_picker, radio_row

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route


def build(app: ViewContext, _route: Route) -> Screen:
    """The settings screen."""
    t = app.t

    async def on_language(e: ft.Event[ft.RadioGroup]) -> None:
        await app.set_language(str(e.control.value))

    async def on_timeout(e: ft.Event[ft.RadioGroup]) -> None:
        await app.set_lock_timeout(int(e.control.value or 0))

    async def on_theme(e: ft.Event[ft.RadioGroup]) -> None:
        await app.set_theme(str(e.control.value))

    def go(path: str) -> Callable[[object], Awaitable[None]]:
        async def handler(_e: object) -> None:
            await app.go(path)
        return handler

    # Radio rows rather than a dropdown: the dropdown's label does not reach the semantics
    # tree in Flet 1.0.5, and six 48 px rows fit a phone screen.
    timeout = radio_row([(str(n), t("settings.minutes", n=n)) for n in LOCK_TIMEOUT_CHOICES],
                        str(app.session.lock_timeout_minutes), on_timeout,
                        key="settings-lock-timeout", title=t("settings.lock_timeout"))
    body = form_column(app, [
        language_picker(app, app.tr.lang, on_language, key="settings-language"),
        ft.Divider(),
        timeout,
        ft.Divider(),
        radio_row([(m, t(f"settings.theme.{m}")) for m in THEMES], app.settings.theme, on_theme,
                  key="settings-theme", title=t("settings.theme")),
        ft.Divider(),
        ft.ListTile(leading=ft.Icon(ft.Icons.PASSWORD), title=ft.Text(t("settings.change_pin")),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), on_click=go("/more/settings/pin"),
                    key="settings-change-pin"),
        ft.ListTile(leading=ft.Icon(ft.Icons.LOGOUT, color=ft.Colors.ERROR),
                    title=ft.Text(t("settings.sign_out")),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                    on_click=go("/more/settings/sign-out"), key="settings-sign-out"),
    ])
    return Screen(title=t("settings.title"), body=body)
