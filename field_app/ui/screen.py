"""What a screen module builds (``Screen``) and the form column screens share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import flet as ft

from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext


@dataclass
class Screen:
    """What a view module builds: a title and a body; the shell adds the rest."""

    title: str
    body: ft.Control
    scroll: bool = True
    bare: bool = False
    actions: list[ft.Control] = field(default_factory=list)
    fab: ft.FloatingActionButton | None = None


def form_column(app: ViewContext, controls: list[ft.Control], spacing: int = 16) -> ft.Control:
    """One column of large fields: full width on phones, centred ``theme.FORM_MAX`` when wide."""
    column = ft.Column(controls, spacing=spacing, tight=True,
                       horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    if not app.wide:
        return column
    return ft.Row([ft.Container(content=column, width=theme.FORM_MAX)],
                  alignment=ft.MainAxisAlignment.CENTER)
