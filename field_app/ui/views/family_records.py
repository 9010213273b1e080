"""A family's visits and notes, newest first, with "new visit" and "note" buttons.

Each visit opens its read-only view, each note its own (a corrected note is marked
"виправлено"). The family card (its own screen, with members, flags and consent) embeds
this; until that card is in, ``places.family`` shows just the family's name and this.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import notes, visits
from field_app.ui import theme
from field_app.ui.views.note_view import corrected_mark
from field_app.ui.views.record_bits import RISK_ICONS, capitalised, loading, missing, section

if TYPE_CHECKING:
    from field_app.ui.app import App


def section_control(app: App, family_id: str) -> ft.Control:
    """The visits-and-notes section of a family, loaded off the event loop."""
    holder = ft.Container(content=loading(), key="family-records")

    async def load() -> None:
        try:
            store = await app.blocking(app.services.device.records)
            found = await app.blocking(notes.family_records, store, family_id)
        except (visits.NotFound, visits.Locked):
            holder.content = missing(app, "visit.not_found")
        else:
            holder.content = _records(app, found)
        with contextlib.suppress(RuntimeError):
            holder.update()

    app.page.run_task(load)
    return holder


def _records(app: App, r: notes.FamilyRecords) -> ft.Control:
    t = app.t
    fid = str(r.family.id)

    def go(path: str) -> Callable[[object], Awaitable[None]]:
        async def click(_e: object) -> None:
            await app.go(path)
        return click

    blocks: list[ft.Control] = [
        ft.Text(f"{r.family.family_name}, {r.family.settlement}",
                theme_style=ft.TextThemeStyle.TITLE_LARGE, key="family-name"),
        ft.Row([
            ft.FilledButton(t("visit.add"), icon=ft.Icons.ADD, height=theme.TOUCH,
                            on_click=go(f"/families/{fid}/visits/new"), key="family-add-visit"),
            ft.OutlinedButton(t("note.add"), icon=ft.Icons.NOTE_ADD_OUTLINED,
                              height=theme.TOUCH, on_click=go(f"/families/{fid}/notes/new"),
                              key="family-add-note"),
        ], wrap=True, spacing=8, run_spacing=8),
        section(t("visit.list_title")),
    ]
    if not r.visits:
        blocks.append(ft.Text(t("visit.none_yet"), italic=True))
    for v in r.visits:
        when = f"{format_datetime(v.visited_at)} · {capitalised(app.tr.label(v.place))}"
        risk = t("risk.label", level=app.tr.label(v.risk_level))
        blocks.append(ft.ListTile(
            leading=ft.Icon(RISK_ICONS[v.risk_level]),
            title=ft.Text(when),
            subtitle=ft.Text(_with_sync(app, risk, str(v.id) in r.unsynced)),
            trailing=_unsynced(str(v.id) in r.unsynced),
            on_click=go(f"/families/{fid}/visits/{v.id}"), key=f"visit-row-{v.id}",
            content_padding=ft.Padding(4, 0, 4, 0)))
    blocks.append(section(t("note.list_title")))
    if not r.notes:
        blocks.append(ft.Text(t("note.none_yet"), italic=True))
    for row in r.notes:
        n = row.note
        meta: list[ft.Control] = [ft.Text(
            _with_sync(app, f"{n.author} · {format_datetime(n.written_at)}",
                       str(n.id) in r.unsynced), theme_style=ft.TextThemeStyle.BODY_SMALL)]
        if row.corrected_by is not None:
            meta.append(corrected_mark(app))
        blocks.append(ft.ListTile(
            leading=ft.Icon(ft.Icons.STICKY_NOTE_2_OUTLINED),
            title=ft.Text(n.text, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
            subtitle=ft.Row(meta, spacing=8, wrap=True),
            trailing=_unsynced(str(n.id) in r.unsynced),
            on_click=go(f"/families/{fid}/notes/{n.id}"), key=f"note-row-{n.id}",
            content_padding=ft.Padding(4, 0, 4, 0)))
    return ft.Column(blocks, spacing=8, tight=True)


def _with_sync(app: App, line: str, unsynced: bool) -> str:
    """A row's detail line; "not sent yet" in words when the server does not have it."""
    return f"{line} · {app.t('visit.not_sent')}" if unsynced else line


def _unsynced(unsynced: bool) -> ft.Control | None:
    """The "not sent yet" icon (its words are in the row's text, so it is not read out)."""
    if not unsynced:
        return None
    return ft.Semantics(content=ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, key="row-unsynced"),
                        exclude_semantics=True)
