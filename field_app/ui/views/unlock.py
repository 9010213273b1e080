"""Unlock: the PIN (numeric keyboard), and the store's answer in plain words.

A wrong PIN shows the delay before the next try, the tries left and, near the end, the
warning that the data (with its unsent changes) will be erased. Unlocking derives the key
(about a second of Argon2id), so it runs through ``app.blocking``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.device import DeviceError, DeviceWiped, PinRefused
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import message_text, problem_text, reveal_toggle

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def build(app: ViewContext, _route: Route) -> Screen:
    """The unlock screen."""
    return UnlockView(app).screen()


class UnlockView:
    """Widgets of the unlock screen, bound to ``app.unlock_form``."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        t = app.t
        self.pin = ft.TextField(
            label=t("unlock.pin"), key="unlock-pin", password=True,
            keyboard_type=ft.KeyboardType.NUMBER, autocorrect=False,
            enable_suggestions=False, on_change=self._changed, on_submit=self._submit,
            value=app.unlock_form.pin,
        )
        reveal_toggle(app, self.pin)
        self.message = message_text("unlock-message")
        self.progress = ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                                ft.Text(t("unlock.working"), expand=True)], visible=False)
        self.submit = ft.FilledButton(t("unlock.submit"), icon=ft.Icons.LOCK_OPEN,
                                      height=theme.TOUCH, on_click=self._submit,
                                      key="unlock-submit")
        self._show()

    def screen(self) -> Screen:
        """The screen."""
        t = self.app.t
        body = form_column(self.app, [
            ft.Icon(ft.Icons.LOCK_OUTLINE, size=48, color=ft.Colors.PRIMARY),
            ft.Text(t("unlock.title"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
            ft.Text(t("unlock.intro")),
            self.pin, self.message, self.progress, self.submit,
        ])
        return Screen(title=t("unlock.title"), body=body, bare=True)

    def _show(self) -> None:
        form = self.app.unlock_form
        lines = [problem_text(self.app, p) for p in form.messages]
        self.message.value = "\n".join(lines)
        self.message.visible = bool(lines)
        self.progress.visible = form.busy
        wait = form.wait_left(time.monotonic())
        self.submit.disabled = form.busy or wait > 0
        self.pin.disabled = form.busy

    def _changed(self, e: ft.Event[ft.TextField]) -> None:
        self.app.unlock_form.pin = e.control.value or ""

    async def _submit(self, _e: object) -> None:
        app, form = self.app, self.app.unlock_form
        if form.busy or form.wait_left(time.monotonic()) > 0:
            return
        if not form.pin:
            form.messages = [Problem("unlock.empty")]
            self._show()
            app.update()
            return
        form.busy, form.messages = True, []
        self._show()
        app.update()
        try:
            await app.keystore.prepare(first_start=False)
            username = await app.blocking(app.services.device.unlock, form.pin)
        except PinRefused as exc:
            form.refused(exc.refusal, time.monotonic())
            self.pin.value = ""
            if exc.refusal.wait_seconds > 0:
                app.spawn(self._enable_after(exc.refusal.wait_seconds))
        except DeviceWiped:
            await app.reset_to_setup(Problem("unlock.wiped"))
            return
        except DeviceError as exc:  # e.g. the keystore did not give the device secret back
            form.messages = [exc.problem]
        except Exception as exc:
            log.exception("unlock failed")
            form.messages = [Problem("err.unexpected", {"detail": type(exc).__name__})]
        else:
            form.pin, form.busy, form.messages = "", False, []
            await app.opened(username)
            return
        form.busy = False
        self._show()
        app.update()

    async def _enable_after(self, seconds: int) -> None:
        await asyncio.sleep(seconds)
        self._show()
        with contextlib.suppress(RuntimeError):  # the screen is gone
            self.submit.update()
