"""First start: server address, login, a new PIN twice, the language.

The values live in ``app.setup_form`` (``FirstStartForm``), so a language switch re-renders
the screen without losing what was typed. Problems are shown in the chosen language next to
each field, and the first wrong field gets the focus. Setting up (sign-in and key derivation)
blocks, so it runs through ``app.blocking``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.services.device import DeviceError
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import (
    language_picker,
    message_text,
    problem_text,
    reveal_toggle,
)

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)

FIELDS = ("server_url", "username", "password", "pin", "pin_repeat")


def build(app: ViewContext, _route: Route) -> Screen:
    """The first-start screen."""
    return SetupView(app).screen()


class SetupView:
    """Widgets of the first-start form, bound to ``app.setup_form``."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        form = app.setup_form
        t = app.t
        secret = {"password": True}
        self.fields: dict[str, ft.TextField] = {
            "server_url": self._field("server_url", t("setup.server"),
                                      hint_text=t("setup.server_hint"),
                                      keyboard_type=ft.KeyboardType.URL),
            "username": self._field("username", t("setup.username")),
            "password": self._field("password", t("setup.password"), **secret),
            "pin": self._field("pin", t("setup.pin"), helper=t("setup.pin_help"),
                               keyboard_type=ft.KeyboardType.NUMBER, **secret),
            "pin_repeat": self._field("pin_repeat", t("setup.pin_repeat"),
                                      keyboard_type=ft.KeyboardType.NUMBER, **secret),
        }
        for name in ("password", "pin", "pin_repeat"):
            reveal_toggle(app, self.fields[name])
        self.language = language_picker(app, form.language, self._language,
                                        key="setup-language")
        self.message = message_text("setup-message")
        self.progress = ft.Row(
            [ft.ProgressRing(width=24, height=24, stroke_width=3),
             ft.Text(t("setup.working"), expand=True)],
            visible=False,
        )
        self.submit = ft.FilledButton(t("setup.submit"), height=theme.TOUCH,
                                      on_click=self._submit, key="setup-submit")
        self._show()

    def _field(self, name: str, label: str, **extra: Any) -> ft.TextField:
        return ft.TextField(
            label=label, key=name, data=name, value=getattr(self.app.setup_form, name),
            autocorrect=False, enable_suggestions=False, error_max_lines=3,
            on_change=self._changed, on_submit=self._submit, **extra,
        )

    def screen(self) -> Screen:
        """The screen with its heading and the form column."""
        t = self.app.t
        heading = ft.Column([
            ft.Text(t("app.title"), theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM,
                    weight=ft.FontWeight.BOLD),
            ft.Text(t("setup.title"), theme_style=ft.TextThemeStyle.TITLE_LARGE),
            ft.Text(t("setup.intro")),
        ], spacing=8, tight=True)
        body = form_column(self.app, [
            heading, self.language, *self.fields.values(), self.message, self.progress,
            self.submit,
        ])
        return Screen(title=t("setup.title"), body=body, bare=True)

    def _show(self) -> None:
        """Errors, message and busy state from the form model onto the widgets."""
        form = self.app.setup_form
        for name, tf in self.fields.items():
            problem = form.errors.get(name)
            tf.error = problem_text(self.app, problem) if problem else None
            tf.disabled = form.busy
        self.message.value = problem_text(self.app, form.message) if form.message else ""
        self.message.visible = form.message is not None
        self.progress.visible = form.busy
        self.submit.disabled = form.busy
        self.language.disabled = form.busy

    def _changed(self, e: ft.Event[ft.TextField]) -> None:
        name = e.control.data
        form = self.app.setup_form
        setattr(form, name, e.control.value or "")
        self.app.session.touch()
        if name in form.errors:
            del form.errors[name]
            e.control.error = None
            e.control.update()

    async def _language(self, e: ft.Event[ft.RadioGroup]) -> None:
        await self.app.set_language(str(e.control.value))

    async def _submit(self, _e: object) -> None:
        app, form = self.app, self.app.setup_form
        if form.busy:
            return
        form.errors = form.validate(pin_rule=app.services.device.new_pin_problem)
        if form.errors:
            form.message = Problem("setup.check_errors")
            self._show()
            app.update()
            first = next(n for n in FIELDS if n in form.errors)
            await self.fields[first].focus()
            return
        form.message, form.busy = None, True
        self._show()
        app.update()
        try:
            await app.keystore.prepare(first_start=True)
            username = await app.blocking(
                app.services.device.set_up, server_url=form.server_url.strip(),
                username=form.username.strip(), password=form.password, pin=form.pin)
        except DeviceError as exc:
            form.message = exc.problem
        except Exception as exc:
            log.exception("first start failed")
            form.message = Problem("err.unexpected", {"detail": type(exc).__name__})
        else:
            form.clear_secrets()
            form.busy = False
            await app.opened(username)
            return
        form.busy = False
        self._show()
        app.update()
