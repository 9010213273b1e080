"""The quick social-support note, and its correction (``?corrects=<note_id>``).

Notes are append-only: the screen says so, and a correction starts from the old text, shows
it above the field, and is saved as a new note that points at the old one. Drafts as for
visits: sealed in the store a moment after each keystroke and before the app locks.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import notes, visits
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.common import message_text, problem_text
from field_app.ui.views.form_session import (
    FormSession,
    draft_status,
    form_screen,
    session_for,
    show_draft_status,
)
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import stack

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


class NoteSession(FormSession):
    """One open note form: loaded family, values, problem (a ``FormSession``)."""

    def __init__(self, app: ViewContext, route: Route) -> None:
        super().__init__(app, _form_path(route))
        self.family_id = route.params["family_id"]
        self.corrects = route.query.get("corrects") or None
        self.opened: notes.OpenNote | None = None
        self.problem: Problem | None = None

    async def load(self) -> None:
        """Read the family, the note being corrected and the draft."""
        try:
            store = await self.app.blocking(self.app.services.device.records)
            opened = await self.app.blocking(notes.open_note, store, self.family_id,
                                             corrects=self.corrects)
        except (notes.NotFound, visits.Locked):
            self.missing = "visit.not_found"
            return
        except notes.NotAuthor:
            self.missing = "note.not_author"
            return
        self.opened = opened
        self.seal(opened.draft_key, opened.form.to_draft, opened.restored)


def _form_path(route: Route) -> str:
    corrects = route.query.get("corrects")
    return f"{route.path}?corrects={corrects}" if corrects else route.path


def build(app: ViewContext, route: Route) -> Screen:
    """The note form at ``route``."""
    session = session_for(app, route, NoteSession, lambda: NoteSession(app, route),
                          path=_form_path(route))
    title = app.t("note.fix_title" if session.corrects else "note.new_title")
    return form_screen(app, title, session, lambda: NoteFormView(app, session).screen(title))


class NoteFormView:
    """The widgets of one render of a ``NoteSession``."""

    def __init__(self, app: ViewContext, session: NoteSession) -> None:
        self.app = app
        self.session = session
        assert_loaded = session.opened
        if assert_loaded is None:
            raise RuntimeError("the note form is not loaded yet")
        self.opened = assert_loaded
        t = app.t
        self.text = ft.TextField(
            label=t("note.text"), hint_text=t("note.text_hint"), value=self.opened.form.text,
            multiline=True, min_lines=6, max_lines=20, error_max_lines=3, key="note-text",
            keyboard_type=ft.KeyboardType.MULTILINE,
            capitalization=ft.TextCapitalization.SENTENCES, on_change=self._typed)
        self.message = message_text("note-message")
        self.draft_status = draft_status()
        self.save_button = ft.FilledButton(t("note.save"), icon=ft.Icons.SAVE_OUTLINED,
                                           height=56, on_click=self.save, key="note-save")
        self.bar_save = ft.IconButton(icon=ft.Icons.CHECK, on_click=self.save,
                                      width=theme.TOUCH, height=theme.TOUCH,
                                      tooltip=t("note.save"), key="note-save-bar")
        blocks: list[ft.Control] = []
        if (banner := session.banner()) is not None:
            blocks.append(banner)
        fam = self.opened.family
        blocks.append(ft.Text(t("visit.family", name=fam.family_name,
                                settlement=fam.settlement),
                              theme_style=ft.TextThemeStyle.TITLE_LARGE))
        old = self.opened.corrected
        if old is not None:
            blocks.append(ft.Container(
                content=ft.Column([
                    ft.Text(t("note.correcting", when=format_datetime(old.written_at)),
                            theme_style=ft.TextThemeStyle.LABEL_LARGE),
                    ft.Text(old.text, italic=True),
                ], spacing=6, tight=True),
                padding=12, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                key="note-corrected"))
        blocks += [
            ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, size=20),
                    ft.Text(t("note.append_only"), expand=True,
                            theme_style=ft.TextThemeStyle.BODY_SMALL)], spacing=8,
                   vertical_alignment=ft.CrossAxisAlignment.START),
            self.text, self.message, self.draft_status, self.save_button,
        ]
        self.body = stack(blocks)
        self._show()
        session.listeners = [self._refresh]

    def screen(self, title: str) -> Screen:
        """The screen, save in the app bar too."""
        return families_detail(self.app, title, self.body, form=True, actions=[self.bar_save])

    def _show(self) -> None:
        s = self.session
        self.text.error = problem_text(self.app, s.problem) if s.problem else None
        self.save_button.disabled = self.bar_save.disabled = s.busy
        show_draft_status(self.app, self.draft_status, s)

    def _refresh(self) -> None:
        self._show()
        with contextlib.suppress(RuntimeError):
            self.app.update()

    def _typed(self, e: ft.Event[ft.TextField]) -> None:
        self.opened.form.text = e.control.value or ""
        self.session.changed()
        if self.session.problem is not None:
            self.session.problem = None
            self._refresh()

    async def save(self, _e: object) -> None:
        """Store the note (or say what is wrong with its text)."""
        app, s = self.app, self.session
        if s.busy or s.saver is None:
            return
        s.busy = True
        self._refresh()
        await s.pause()
        try:
            store = await app.blocking(app.services.device.records)
            saved = await app.blocking(notes.save, store, self.opened.form,
                                       self.opened.draft_key)
        except Exception as exc:
            log.exception("saving a note failed")
            saved = notes.NoteSaved(None, {"text": Problem(
                "err.unexpected", {"detail": type(exc).__name__})})
        s.busy = False
        if saved.note is not None:
            await s.close()
            await app.refresh_pending()
            await app.go(f"/families/{s.family_id}", notice=app.t("note.saved"))
            return
        s.problem = saved.problems.get("text")
        s.resume()
        self._refresh()
        with contextlib.suppress(Exception):
            await self.text.focus()
