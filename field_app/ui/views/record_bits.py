"""Pieces the record screens share: date and time fields with pickers, the draft banner,
section titles, error lines, the risk badge, confirmations and short notices."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.dates import format_clock, parse_time, read_date
from field_app.i18n import format_date, format_datetime
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.views.common import empty_state, problem_text
from shared_models.enums import RiskLevel

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

OnText = Callable[[str], Awaitable[None] | None]
#: Form columns stretch their fields to the full width (a loose column would shrink them).
STRETCH = ft.CrossAxisAlignment.STRETCH


async def _call(fn: Callable[..., Any], *args: Any) -> None:
    result = fn(*args)
    if inspect.isawaitable(result):
        await result


def section(text: str, key: str | None = None) -> ft.Text:
    """A section heading inside a form."""
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                   weight=ft.FontWeight.W_600, key=key)


def error_line(key: str) -> ft.Text:
    """A problem shown under a group of choices (text fields show their own)."""
    return ft.Text("", color=ft.Colors.ERROR, visible=False, key=key)


def show_problem(app: ViewContext, control: ft.Control, problem: Problem | None) -> None:
    """Put a problem on a text field (``error``) or an error line (its text)."""
    words = problem_text(app, problem) if problem else None
    if isinstance(control, ft.TextField):
        control.error = words
    elif isinstance(control, ft.Text):
        control.value = words or ""
        control.visible = words is not None


def capitalised(text: str) -> str:
    """First letter upper case (enum labels are written in lower case for use mid-line)."""
    return text[:1].upper() + text[1:]


def date_field(app: ViewContext, *, key: str, label: str, value: str, on_change: OnText,
               first: date, last: date, expand: int | None = None) -> ft.TextField:
    """A date typed as 22.11.2026, with a calendar button that fills it in."""
    field = ft.TextField(label=label, hint_text=app.t("visit.date_hint"), value=value, key=key,
                         keyboard_type=ft.KeyboardType.DATETIME, autocorrect=False,
                         enable_suggestions=False, error_max_lines=3, expand=expand)

    async def typed(e: ft.Event[ft.TextField]) -> None:
        await _call(on_change, e.control.value or "")

    async def picked(e: ft.Event[ft.DatePicker]) -> None:
        chosen = e.control.value
        if chosen is None:
            return
        field.value = format_date(chosen.date() if isinstance(chosen, datetime) else chosen)
        await _call(on_change, field.value)
        field.update()

    def open_picker(_e: object) -> None:
        current = read_date(field.value or "") or date.today()
        current = min(max(current, first), last)
        app.show_dialog(ft.DatePicker(
            value=datetime.combine(current, time(12)), first_date=datetime.combine(first, time()),
            last_date=datetime.combine(last, time(23, 59)), on_change=picked,
            help_text=label, confirm_text=app.t("common.save"),
            cancel_text=app.t("common.cancel")))

    field.on_change = typed
    field.suffix_icon = ft.IconButton(icon=ft.Icons.CALENDAR_MONTH_OUTLINED,
                                      tooltip=app.t("visit.pick_date"), on_click=open_picker,
                                      key=f"{key}-pick")
    return field


def time_field(app: ViewContext, *, key: str, label: str, value: str, on_change: OnText,
               expand: int | None = None) -> ft.TextField:
    """A 24-hour time typed as 14:05, with a clock button that fills it in."""
    field = ft.TextField(label=label, hint_text=app.t("visit.time_hint"), value=value, key=key,
                         keyboard_type=ft.KeyboardType.DATETIME, autocorrect=False,
                         enable_suggestions=False, error_max_lines=3, expand=expand)

    async def typed(e: ft.Event[ft.TextField]) -> None:
        await _call(on_change, e.control.value or "")

    async def picked(e: ft.Event[ft.TimePicker]) -> None:
        chosen = e.control.value
        if isinstance(chosen, str):   # a client that sends the time as text
            chosen = parse_time(chosen)
        if chosen is None:
            return
        field.value = format_clock(chosen)
        await _call(on_change, field.value)
        field.update()

    def open_picker(_e: object) -> None:
        app.show_dialog(ft.TimePicker(
            value=parse_time(field.value or "") or datetime.now().time(), on_change=picked,
            hour_format=ft.TimePickerHourFormat.H24, help_text=label,
            confirm_text=app.t("common.save"), cancel_text=app.t("common.cancel")))

    field.on_change = typed
    field.suffix_icon = ft.IconButton(icon=ft.Icons.SCHEDULE, tooltip=app.t("visit.pick_time"),
                                      on_click=open_picker, key=f"{key}-pick")
    return field


def next_date_buttons(app: ViewContext, base: Callable[[], date], set_to: Callable[[date], Any],
                      *, key: str) -> ft.Row:
    """One-tap "in a week / 2 weeks / a month" after ``base()`` (the visit's date)."""
    choices = [("visit.in_week", 7), ("visit.in_two_weeks", 14), ("visit.in_month", 30)]

    def handler(days: int) -> Callable[[object], Awaitable[None]]:
        async def click(_e: object) -> None:
            await _call(set_to, base() + timedelta(days=days))
        return click

    return ft.Row([ft.OutlinedButton(app.t(label), height=theme.TOUCH, on_click=handler(days),
                                     key=f"{key}-{days}")
                   for label, days in choices], wrap=True, spacing=8, run_spacing=8)


def draft_banner(app: ViewContext, saved_at: datetime, on_discard: Callable[[], Awaitable[None]],
                 *, key: str = "draft-restored") -> ft.Control:
    """"Відновлено чернетку від 22.11.2026 14:05" with a way to discard it (after asking)."""
    async def ask(_e: object) -> None:
        await confirm(app, title=app.t("draft.discard_title"), body=app.t("draft.discard_body"),
                      yes=app.t("draft.discard_confirm"), on_yes=on_discard)

    return ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.RESTORE, color=ft.Colors.ON_SECONDARY_CONTAINER),
                    ft.Text(app.t("draft.restored", when=format_datetime(saved_at)),
                            weight=ft.FontWeight.W_500, expand=True,
                            color=ft.Colors.ON_SECONDARY_CONTAINER)], spacing=12),
            ft.Row([ft.TextButton(app.t("draft.discard"), icon=ft.Icons.DELETE_OUTLINE,
                                  height=theme.TOUCH, on_click=ask, key="draft-discard")],
                   alignment=ft.MainAxisAlignment.END),
        ], spacing=0, tight=True),
        bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=12,
        padding=ft.Padding(16, 12, 8, 0), key=key)


async def confirm(app: ViewContext, *, title: str, body: str, yes: str,
                  on_yes: Callable[[], Awaitable[None]]) -> None:
    """Ask before something that cannot be undone.

    The action runs once the dialog has gone (its dismiss event): re-rendering the screen
    while Flutter is still closing the dialog could leave the dialog standing.
    """
    chosen = False

    def do(_e: object) -> None:
        nonlocal chosen
        chosen = True
        app.pop_dialog()

    def cancel(_e: object) -> None:
        app.pop_dialog()

    async def dismissed(_e: object) -> None:
        if chosen:
            await on_yes()

    app.show_dialog(ft.AlertDialog(
        title=ft.Text(title), content=ft.Text(body), modal=True,   # no key: see ``notice``
        on_dismiss=dismissed,
        actions=[ft.TextButton(app.t("common.cancel"), height=theme.TOUCH, on_click=cancel,
                               key="confirm-no"),
                 ft.FilledButton(yes, height=theme.TOUCH, on_click=do, key="confirm-yes")]))


def risk_badge(app: ViewContext, level: RiskLevel) -> ft.Control:
    """Risk by word and colour together, never colour alone."""
    color = theme.risk_color(level, dark=app.dark)
    return ft.Container(
        content=ft.Row([ft.Icon(RISK_ICONS[level], color=color, size=20),
                        ft.Text(app.t("risk.label", level=app.tr.label(level)),
                                weight=ft.FontWeight.W_600)], spacing=6, tight=True),
        border=ft.Border.all(2, color), border_radius=16,
        padding=ft.Padding(10, 4, 12, 4), key=f"risk-{level.value}")


#: A different shape per level too, for those who do not tell the colours apart.
RISK_ICONS = {RiskLevel.LOW: ft.Icons.CHECK_CIRCLE_OUTLINE,
              RiskLevel.MEDIUM: ft.Icons.ERROR_OUTLINE,
              RiskLevel.HIGH: ft.Icons.REPORT_OUTLINED}


def stack(controls: list[ft.Control], spacing: int = 16) -> ft.Column:
    """The one column of a record screen; ``places.families_detail`` sets its width."""
    return ft.Column(controls, spacing=spacing, tight=True, horizontal_alignment=STRETCH)


def missing(app: ViewContext, key: str) -> ft.Control:
    """What a record screen shows when its record is not on this phone."""
    return empty_state(ft.Icons.SEARCH_OFF, app.t(key))


def loading() -> ft.Control:
    """A spinner while a record screen reads the store."""
    return ft.Container(content=ft.ProgressRing(key="loading"), alignment=ft.Alignment.CENTER,
                        padding=32)
