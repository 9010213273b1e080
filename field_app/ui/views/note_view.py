"""A note, read-only: its text, whether it was corrected (with a link to the correction),
what it corrects, the supervisor's decisions, and "correct" for its author."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import notes, visits
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import loading, missing, stack
from field_app.ui.views.visit_view import reviews_block, synced_line

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route


def build(app: ViewContext, route: Route) -> Screen:
    """The note at ``route``."""
    holder = ft.Container(content=loading(), key="note-view")
    fid, nid = route.params["family_id"], route.params["note_id"]

    async def load() -> None:
        try:
            store = await app.blocking(app.services.device.records)
            row = await app.blocking(notes.note_row, store, fid, nid)
            me = store.user
        except (notes.NotFound, visits.Locked):
            holder.content = missing(app, "visit.not_found")
        else:
            holder.content = _body(app, row, me)
        with contextlib.suppress(RuntimeError):
            holder.update()

    app.spawn(load())
    return families_detail(app, app.t("note.view_title"), holder, form=True)


def corrected_mark(app: ViewContext) -> ft.Control:
    """The "виправлено" mark on a note that a newer note corrects."""
    return ft.Container(
        content=ft.Text(app.t("note.corrected"), theme_style=ft.TextThemeStyle.LABEL_MEDIUM,
                        color=ft.Colors.ON_TERTIARY_CONTAINER),
        bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=8,
        padding=ft.Padding(8, 2, 8, 2), key="note-corrected-mark")


def _link(app: ViewContext, text: str, path: str, key: str) -> ft.Control:
    async def go(_e: object) -> None:
        await app.go(path)

    # Left-aligned and only as wide as its words (which may wrap on a phone).
    return ft.Container(
        content=ft.TextButton(text, icon=ft.Icons.ARROW_FORWARD, on_click=go, key=key,
                              style=ft.ButtonStyle(padding=ft.Padding(8, 14, 8, 14))),
        alignment=ft.Alignment.CENTER_LEFT)


def _body(app: ViewContext, row: notes.NoteRow, me: str) -> ft.Control:
    t, n = app.t, row.note
    base = f"/families/{n.family_id}/notes"
    blocks: list[ft.Control] = [
        ft.Text(f"{n.author} · {format_datetime(n.written_at)}",
                theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
        ft.Text(n.text, key="note-body",
                color=ft.Colors.ON_SURFACE_VARIANT if row.corrected_by else None),
        synced_line(app, row.synced),
    ]
    if row.corrected_by is not None:
        # In a plain row the mark keeps its own size (stretched, its words broke apart).
        blocks.insert(1, ft.Row([corrected_mark(app)]))
        blocks.append(_link(app, t("note.corrected_by",
                                   when=format_datetime(row.corrected_by.written_at)),
                            f"{base}/{row.corrected_by.id}", "note-open-correction"))
    if row.corrects is not None:
        blocks.append(_link(app, t("note.correction_of",
                                   when=format_datetime(row.corrects.written_at)),
                            f"{base}/{row.corrects.id}", "note-open-corrected"))
    if n.author == me and row.corrected_by is None:
        async def fix(_e: object) -> None:
            await app.go(f"{base}/new?corrects={n.id}")

        blocks.append(ft.FilledTonalButton(t("note.fix"), icon=ft.Icons.EDIT_NOTE,
                                           height=theme.TOUCH, on_click=fix, key="note-fix"))
    blocks += [ft.Divider(), reviews_block(app, row.reviews)]
    return stack(blocks)
