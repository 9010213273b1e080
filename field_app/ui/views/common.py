"""Small pieces several screens share: problem text, message areas, pickers, empty states."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import LANGUAGES
from field_app.services.problem import LITERAL, Problem
from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

Handler = Callable[[ft.ControlEvent], Awaitable[None] | None]


def problem_text(app: ViewContext, problem: Problem) -> str:
    """A ``Problem`` in the session's language.

    A parameter ``<name>_key`` is itself a key: its text fills ``{<name>}`` (a field label).
    """
    if problem.key == LITERAL:
        return str(problem.params.get(app.tr.lang) or problem.params.get("uk", ""))
    params = dict(problem.params)
    for name, value in problem.params.items():
        if name.endswith("_key"):
            params[name[:-4]] = app.t(str(value))
    return app.t(problem.key, **params)


def message_text(key: str) -> ft.Text:
    """A text area for a form-wide message, read out by screen readers when it changes."""
    return ft.Text("", color=ft.Colors.ERROR, visible=False, key=key,
                   weight=ft.FontWeight.W_500)


def radio_row(options: list[tuple[str, str]], value: str, on_change: Any, *, key: str,
              title: str, disabled: bool = False) -> ft.Column:
    """A titled group of choices, one full-width row (at least 48 px high) per choice.

    Each row is a ``ListTile`` that toggles its radio: the row is the touch target and
    carries the name and the selected state for screen readers (the radio's own, smaller,
    unnamed semantics node is left out).
    """
    tiles: list[ft.Control] = [
        ft.ListTile(
            leading=ft.Semantics(content=ft.Radio(value=v), exclude_semantics=True),
            title=ft.Text(label), toggle_inputs=True, selected=v == value,
            min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4),
            key=f"{key}-{v}",
        )
        for v, label in options
    ]

    async def changed(e: ft.Event[ft.RadioGroup]) -> None:
        for (v, _), tile in zip(options, tiles, strict=True):
            if isinstance(tile, ft.ListTile):
                tile.selected = v == e.control.value
        result = on_change(e)
        if inspect.isawaitable(result):
            await result

    return ft.Column([
        ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_SMALL),
        ft.RadioGroup(value=value, on_change=changed, key=key, disabled=disabled,
                      content=ft.Column(tiles, spacing=0, tight=True)),
    ], spacing=4, tight=True)


def language_picker(app: ViewContext, value: str, on_change: Any, *, key: str) -> ft.Column:
    """Ukrainian / English, each name written in its own language."""
    return radio_row([(lang, app.t(f"lang.{lang}")) for lang in LANGUAGES], value, on_change,
                     key=key, title=app.t("settings.language"))


def empty_state(icon: ft.IconData, title: str, hint: str = "") -> ft.Control:
    """A centred icon with a sentence or two, for lists with nothing in them yet."""
    parts: list[ft.Control] = [
        ft.Icon(icon, size=48, color=ft.Colors.OUTLINE),
        ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                text_align=ft.TextAlign.CENTER),
    ]
    if hint:
        parts.append(ft.Text(hint, text_align=ft.TextAlign.CENTER))
    return ft.Container(
        content=ft.Column(parts, horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                          spacing=12, tight=True),
        padding=ft.Padding.symmetric(vertical=32, horizontal=16),
        alignment=ft.Alignment.CENTER,
    )


class DetailHint:
    """The detail pane of a list and detail pair (wide screens) while nothing is open.

    It asks to choose a row; once the list has loaded and turned out empty, it says so and
    what to do instead (``list_loaded``), so the pane is never a blank half of the screen.
    """

    def __init__(self, icon: ft.IconData, choose: str, empty: tuple[str, str],
                 key: str = "detail-hint") -> None:
        self.icon, self.choose, self.empty = icon, choose, empty
        self.control = ft.Container(content=empty_state(icon, choose), expand=True,
                                    padding=ft.Padding.all(16), key=key)

    def list_loaded(self, empty: bool | None) -> None:
        """The list beside it has loaded: ``True`` empty, ``False`` not, ``None`` unknown
        (a search or filter hides rows: whether there are any is not known)."""
        if empty is None:
            return
        title, hint = self.empty
        self.control.content = (empty_state(ft.Icons.INBOX_OUTLINED, title, hint) if empty
                                else empty_state(self.icon, self.choose))
        with contextlib.suppress(RuntimeError):   # the screen was left meanwhile
            self.control.update()


def reveal_toggle(app: ViewContext, field: ft.TextField) -> ft.TextField:
    """Give a password/PIN field a labelled show/hide button (Flutter's own has no label)."""
    show, hide = app.t("common.show_secret"), app.t("common.hide_secret")
    field.password = True
    button = ft.IconButton(icon=ft.Icons.VISIBILITY_OUTLINED, tooltip=show)

    def toggle(_e: object) -> None:
        field.password = not field.password
        button.icon = (ft.Icons.VISIBILITY_OUTLINED if field.password
                       else ft.Icons.VISIBILITY_OFF_OUTLINED)
        button.tooltip = show if field.password else hide
        field.update()

    button.on_click = toggle
    field.suffix_icon = button
    return field


def two_panes(list_pane: ft.Control, detail: ft.Control) -> ft.Control:
    """A list beside its detail on a wide screen (families, review, conflicts)."""
    return ft.Row([
        ft.Container(content=list_pane, width=theme.LIST_PANE),
        ft.VerticalDivider(width=1),
        ft.Container(content=detail, expand=True),
    ], expand=True, spacing=0, vertical_alignment=ft.CrossAxisAlignment.STRETCH)
