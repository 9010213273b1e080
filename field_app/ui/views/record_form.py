"""Widgets bound to a record form object (``services.family_forms``): fields, dates, flags.

``FormBinder`` makes each widget from the form's value and writes every change back to the
form at once, so a rebuilt screen (language switch, resize, lock and unlock) shows exactly
what was typed. Problems are shown next to their field in the session's language; the first
wrong field gets the focus. A date is typed (22.11.2026) or picked in Material's calendar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.dates import BadDate, date_text, parse_date
from field_app.ui import theme
from field_app.ui.views.common import message_text, problem_text, radio_row

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

#: The radio value of "not given" (a radio cannot carry an empty value).
NONE = "none"


class FormBinder:
    """The widgets of one form, keyed ``<prefix>-<field>``."""

    def __init__(self, app: ViewContext, form: Any, prefix: str, *,
                 on_change: Callable[[], object] | None = None) -> None:
        self.app = app
        self.form = form
        self.prefix = prefix
        #: Called after every change the worker makes (the form's draft is sealed soon).
        self.on_change = on_change
        self.fields: dict[str, ft.TextField] = {}
        self.others: list[ft.Control] = []
        self._choice_errors: dict[str, ft.Text] = {}
        self.message = message_text(f"{prefix}-message")
        self.save_button: ft.FilledButton | None = None
        self.top_button: ft.IconButton | None = None

    # ---- making widgets ----------------------------------------------------------------
    def text(self, name: str, label: str, **extra: Any) -> ft.TextField:
        """A one-line text field bound to ``form.<name>``."""
        tf = ft.TextField(label=label, value=getattr(self.form, name), key=f"{self.prefix}-{name}",
                          data=name, error_max_lines=3, helper_max_lines=3,
                          on_change=self._typed, **extra)
        self.fields[name] = tf
        return tf

    def date(self, name: str, label: str, *, first: date | None = None,
             last: date | None = None) -> ft.Control:
        """A date typed as 22.11.2026, with a calendar button beside it (offering the days
        from ``first`` to ``last``)."""
        t = self.app.t
        tf = self.text(name, label, hint_text=t("family.form.date_hint"),
                       keyboard_type=ft.KeyboardType.DATETIME, expand=True)

        def current() -> date | None:
            with contextlib.suppress(BadDate):
                return parse_date(getattr(self.form, name))
            return None

        async def picked(e: ft.Event[ft.DatePicker]) -> None:
            value = e.control.value
            if isinstance(value, datetime):
                chosen = value.date()
            elif isinstance(value, date):
                chosen = value
            else:
                return
            self.form.set(name, date_text(chosen))
            tf.value, tf.error = date_text(chosen), None
            self._changed()
            tf.update()

        async def open_picker(_e: object) -> None:
            now = date.today()
            shown = current()
            if shown is not None and first is not None and shown < first:
                shown = None   # the calendar cannot open on a day it does not offer
            picker = ft.DatePicker(
                value=datetime.combine(shown, datetime.min.time()) if shown else None,
                first_date=datetime.combine(first or date(1900, 1, 1), datetime.min.time()),
                last_date=datetime.combine(last or date(now.year + 5, 12, 31),
                                           datetime.min.time()),
                current_date=datetime.combine(now, datetime.min.time()),
                help_text=label, confirm_text=t("common.save"), cancel_text=t("common.cancel"),
                field_label_text=label, field_hint_text=t("family.form.date_hint"),
                on_change=picked, key=f"{self.prefix}-{name}-picker")
            self.app.show_dialog(picker)

        button = ft.IconButton(icon=ft.Icons.CALENDAR_MONTH_OUTLINED,
                               tooltip=t("family.form.pick_date", field=label),
                               width=theme.TOUCH, height=theme.TOUCH, on_click=open_picker,
                               key=f"{self.prefix}-{name}-pick")
        return ft.Row([tf, button], spacing=4, vertical_alignment=ft.CrossAxisAlignment.START)

    def flag(self, name: str, label: str) -> ft.Control:
        """A yes/no field as a checkbox row: the whole row (at least 48 px) is the target.

        Screen readers get one node, the row, named by the label and carrying the checked
        state (the box's own 40 px node, which Flutter gives on the web, is left out).
        """
        value = bool(getattr(self.form, name))
        box = ft.Checkbox(value=value, key=f"{self.prefix}-{name}")
        row = ft.Semantics(checked=value, label=label, container=True, content=ft.ListTile(
            leading=ft.Semantics(content=box, exclude_semantics=True),
            title=ft.Semantics(content=ft.Text(label), exclude_semantics=True),
            toggle_inputs=True, min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4)),
            key=f"{self.prefix}-{name}-row")

        async def changed(e: ft.Event[ft.Checkbox]) -> None:
            checked = bool(e.control.value)
            self.form.set(name, checked)
            self._changed()
            row.checked = checked
            row.update()

        box.on_change = changed
        self.others.append(box)
        return row

    def choice(self, name: str, title: str, options: list[tuple[str, str]]) -> ft.Control:
        """One of a few values, as radio rows; an option "" (not given) is sent as "none"."""
        async def changed(e: ft.Event[ft.RadioGroup]) -> None:
            value = str(e.control.value or "")
            self.form.set(name, "" if value == NONE else value)
            self._changed()
            self._show_error(name)

        group = radio_row([(v or NONE, label) for v, label in options],
                          str(getattr(self.form, name)) or NONE, changed,
                          key=f"{self.prefix}-{name}", title=title)
        error = ft.Text("", color=ft.Colors.ERROR, visible=False, key=f"{self.prefix}-{name}-error")
        self._choice_errors[name] = error
        self.others.append(group)
        return ft.Column([group, error], spacing=4, tight=True)

    def buttons(self, on_save: Callable[[object], Awaitable[None]],
                on_cancel: Callable[[object], Awaitable[None]]) -> ft.Control:
        """Save (filled) and cancel, side by side; they wrap on a narrow screen."""
        t = self.app.t
        self.save_button = ft.FilledButton(t("family.form.save"), icon=ft.Icons.SAVE_OUTLINED,
                                           height=theme.TOUCH, on_click=on_save,
                                           key=f"{self.prefix}-save")
        cancel = ft.TextButton(t("family.form.cancel"), height=theme.TOUCH, on_click=on_cancel,
                               key=f"{self.prefix}-cancel")
        return ft.Row([self.save_button, cancel], wrap=True, spacing=8, run_spacing=8)

    def top_save(self, on_save: Callable[[object], Awaitable[None]]) -> ft.Control:
        """A save button for the app bar, so saving never needs a scroll to the end."""
        self.top_button = ft.IconButton(icon=ft.Icons.CHECK, tooltip=self.app.t("family.form.save"),
                                        width=theme.TOUCH, height=theme.TOUCH, on_click=on_save,
                                        key=f"{self.prefix}-save-top")
        return self.top_button

    def _changed(self) -> None:
        self.app.session.touch()
        if self.on_change is not None:
            self.on_change()

    # ---- showing state -----------------------------------------------------------------
    def show(self) -> None:
        """Errors, the message and the busy state from the form onto the widgets."""
        form = self.form
        for name in self.fields:
            self._show_error(name)
        for name in self._choice_errors:
            self._show_error(name)
        for tf in self.fields.values():
            tf.disabled = form.busy
        for other in self.others:
            other.disabled = form.busy
        self.message.value = problem_text(self.app, form.message) if form.message else ""
        self.message.visible = form.message is not None
        for button in (self.save_button, self.top_button):
            if button is not None:
                button.disabled = form.busy

    def _show_error(self, name: str) -> None:
        problem = self.form.errors.get(name)
        words = problem_text(self.app, problem) if problem else None
        if name in self.fields:
            self.fields[name].error = words
        elif name in self._choice_errors:
            label = self._choice_errors[name]
            label.value, label.visible = words or "", words is not None

    async def focus_first_error(self) -> None:
        """Put the cursor in the first wrong field (screen readers read its error)."""
        first = self.form.first_error()
        if first in self.fields:
            await self.fields[first].focus()

    def _typed(self, e: ft.Event[ft.TextField]) -> None:
        name = e.control.data
        had_error = name in self.form.errors or self.form.message is not None
        self.form.set(name, e.control.value or "")
        self._changed()
        if had_error:
            self.show()
            with contextlib.suppress(RuntimeError):
                self.app.update()
