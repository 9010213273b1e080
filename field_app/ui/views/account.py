"""Account screens of the settings: change the PIN, sign out.

Changing the PIN derives keys (Argon2id, about a second each for the old and the new PIN), so
it runs through ``app.blocking``; a wrong old PIN is answered like a wrong PIN at unlock (the
delay, the tries left, the wipe warning). Signing out erases this phone's data: the screen
says how many changes would be lost, offers to sync first, and with changes waiting asks the
worker to confirm the loss before the button works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.account import PIN_FIELDS, SignOutPlan
from field_app.services.device import DeviceError, DeviceWiped, PinRefused
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import message_text, problem_text, reveal_toggle

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def change_pin(app: ViewContext, _route: Route) -> Screen:
    """The change-PIN screen."""
    return ChangePinView(app).screen()


class ChangePinView:
    """Widgets of the change-PIN form, bound to ``app.pin_form``."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        t = app.t
        labels = {"old_pin": t("account.old_pin"), "new_pin": t("account.new_pin"),
                  "new_pin_repeat": t("account.new_pin_repeat")}
        self.fields: dict[str, ft.TextField] = {}
        for name in PIN_FIELDS:
            field = ft.TextField(
                label=labels[name], key=name, data=name, value=getattr(app.pin_form, name),
                keyboard_type=ft.KeyboardType.NUMBER, autocorrect=False,
                enable_suggestions=False, error_max_lines=4, on_change=self._changed,
                on_submit=self._submit,
                helper=t("account.new_pin_help") if name == "new_pin" else None,
                helper_max_lines=3)
            self.fields[name] = reveal_toggle(app, field)
        self.message = message_text("change-pin-message")
        self.done = ft.Text(t("account.pin_changed"), color=ft.Colors.PRIMARY,
                            weight=ft.FontWeight.W_500, visible=False, key="pin-changed")
        self.progress = ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                                ft.Text(t("account.changing"), expand=True)], visible=False)
        self.submit = ft.FilledButton(t("account.change_submit"), icon=ft.Icons.PASSWORD,
                                      height=theme.TOUCH, on_click=self._submit,
                                      key="change-pin-submit")
        self._show()

    def screen(self) -> Screen:
        """The screen."""
        t = self.app.t
        body = form_column(self.app, [
            ft.Text(t("account.change_pin_hint")), *self.fields.values(), self.message,
            self.done, self.progress, self.submit,
        ])
        return Screen(title=t("account.change_pin"), body=body)

    def _show(self) -> None:
        form = self.app.pin_form
        for name, tf in self.fields.items():
            problem = form.errors.get(name)
            lines = [problem] if problem else []
            if name == "old_pin":
                lines += form.refusal
            tf.error = "\n".join(problem_text(self.app, p) for p in lines) or None
            tf.disabled = form.busy
            tf.value = getattr(form, name)
        self.progress.visible = form.busy
        self.done.visible = form.done
        self.submit.disabled = form.busy or form.wait_left(time.monotonic()) > 0

    def _changed(self, e: ft.Event[ft.TextField]) -> None:
        form = self.app.pin_form
        setattr(form, e.control.data, e.control.value or "")
        self.app.session.touch()
        form.done = False
        if e.control.data in form.errors:
            del form.errors[e.control.data]
            e.control.error = None
            e.control.update()

    async def _submit(self, _e: object) -> None:
        app, form = self.app, self.app.pin_form
        if form.busy or form.wait_left(time.monotonic()) > 0:
            return
        form.errors = form.validate(pin_rule=app.services.device.new_pin_problem)
        form.refusal, form.done = [], False
        self.message.visible = False
        if form.errors:
            self._say(Problem("account.fix_fields"))
            first = next(n for n in PIN_FIELDS if n in form.errors)
            await self.fields[first].focus()
            return
        form.busy = True
        self._show()
        app.update()
        try:
            await app.blocking(app.services.device.change_pin, form.old_pin, form.new_pin)
        except PinRefused as exc:
            form.refused(exc.refusal, time.monotonic())
            if exc.refusal.wait_seconds > 0:
                app.spawn(self._enable_after(exc.refusal.wait_seconds))
        except DeviceWiped:
            await app.reset_to_setup(Problem("unlock.wiped"))
            return
        except DeviceError as exc:
            form.errors = {"new_pin": exc.problem}
        except Exception as exc:
            log.exception("changing the PIN failed")
            self._say(Problem("err.unexpected", {"detail": type(exc).__name__}))
        else:
            form.clear_secrets()
            form.done = True
        form.busy = False
        self._show()
        app.update()

    def _say(self, problem: Problem) -> None:
        self.message.value = problem_text(self.app, problem)
        self.message.visible = True
        self._show()
        self.app.update()

    async def _enable_after(self, seconds: int) -> None:
        await asyncio.sleep(seconds)
        self._show()
        with contextlib.suppress(RuntimeError):  # the screen is gone
            self.submit.update()


def sign_out(app: ViewContext, _route: Route) -> Screen:
    """The sign-out screen (re-rendered as a sync offered here goes on: what the worker
    ticked and whether the sign-out runs live in ``app.sign_out_form``, not in the widgets)."""
    t, status, form = app.t, app.services.sync, app.sign_out_form
    plan = SignOutPlan(pending=status.pending)
    progress = ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                       ft.Text(t("account.signing_out"), expand=True)], visible=form.busy)
    submit = ft.FilledButton(
        t("account.sign_out_submit"), icon=ft.Icons.LOGOUT, height=theme.TOUCH,
        style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR),
        disabled=not form.may_submit(plan, syncing=status.syncing), key="sign-out-submit")

    async def go(_e: object) -> None:
        if form.busy or not plan.may_sign_out(form.confirmed):
            return
        form.busy = True
        submit.disabled, progress.visible = True, True
        app.update()
        try:
            await app.sign_out()
        except Exception:
            log.exception("signing out failed")
            form.busy = False
            submit.disabled, progress.visible = False, False
            app.update()

    def confirm(e: ft.Event[ft.Checkbox]) -> None:
        form.confirmed = bool(e.control.value)
        submit.disabled = not form.may_submit(plan, syncing=status.syncing)
        submit.update()

    async def sync_first(_e: object) -> None:
        await app.sync_now()

    submit.on_click = go
    rows: list[ft.Control] = [ft.Text(t("account.sign_out_hint"))]
    if app.session.username:
        rows.append(ft.Text(t("account.sign_out_signed_in", username=app.session.username)))
    if plan.loses_changes:
        rows += [
            ft.Container(
                content=ft.Row([
                    ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.ON_ERROR_CONTAINER),
                    ft.Text(app.tr.plural("account.sign_out_loss", plan.pending),
                            color=ft.Colors.ON_ERROR_CONTAINER, expand=True,
                            key="sign-out-loss"),
                ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
                bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=12, padding=ft.Padding.all(16)),
            ft.FilledButton(t("account.sign_out_sync_first"), icon=ft.Icons.SYNC,
                            height=theme.TOUCH, disabled=status.syncing, on_click=sync_first,
                            key="sign-out-sync"),
        ]
        if status.syncing:
            rows.append(ft.ProgressBar(value=status.progress, semantics_label=t("sync.syncing")))
        elif status.error is not None:
            rows.append(ft.Text(problem_text(app, status.error), color=ft.Colors.ERROR,
                                key="sign-out-sync-error"))
        # A row that wraps its words (a checkbox label would be cut off on a phone); the
        # whole row toggles the box.
        rows.append(ft.ListTile(
            leading=ft.Checkbox(value=form.confirmed, on_change=confirm, key="sign-out-confirm",
                                semantics_label=t("account.sign_out_confirm")),
            title=ft.Text(t("account.sign_out_confirm")), toggle_inputs=True,
            min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4)))
    else:
        rows.append(ft.Text(t("account.sign_out_all_sent"), key="sign-out-safe"))
    rows += [progress, submit]
    return Screen(title=t("account.sign_out_title"), body=form_column(app, rows))
