"""One open record form of a session, apart from its widgets: ``FormSession``.

Every record form (visit, note, family, member, placement, and the case forms to come) is a
``FormSession``: where it is open (its route path), the key of its draft, the draft it was
restored from, and the ``DraftSaver`` that seals its values into the encrypted store a moment
after each change. The app re-renders a screen from state on a resize, a language switch or a
sync, so sessions live in the session's ``app.forms`` by path, not in the widgets (a wipe or
sign-out clears them). When the worker leaves a form its pending draft is written at once;
before the store locks every form writes its draft and is forgotten, so what was typed is then
only in the encrypted store, and reopening the form after unlock restores it from there
("Відновлено чернетку від …", with a way to discard). A save or a cancel deletes the draft.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import flet as ft

from field_app.i18n import format_time
from field_app.services import draft_store, visits
from field_app.services.draft_store import Draft, DraftSaver
from field_app.ui.screen import Screen
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import draft_banner, loading, missing

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

S = TypeVar("S", bound="FormSession")


class FormSession:
    """One open record form (see the module docstring); subclasses add the values and
    ``load`` them."""

    def __init__(self, app: ViewContext, path: str) -> None:
        self.app = app
        #: Where the form is open (with its query when that makes another form).
        self.path = path
        #: The draft's key in the store, known once loaded.
        self.key: str | None = None
        self.restored: Draft | None = None
        self.draft_saved: datetime | None = None
        self.saver: DraftSaver[dict[str, Any]] | None = None
        self.busy = False
        #: An i18n key saying why the form cannot open (the record is gone, not the author's).
        self.missing: str | None = None
        #: Called on the loop after each draft write (the view says "draft saved at").
        self.listeners: list[Callable[[], None]] = []

    async def load(self) -> None:
        """Read what the form shows (off the loop), then ``seal`` it (or set ``missing``)."""

    @property
    def loaded(self) -> bool:
        """Whether the form has its values (``seal`` was called)."""
        return self.saver is not None

    def seal(self, key: str, values: Callable[[], dict[str, Any]],
             restored: Draft | None) -> None:
        """The form is loaded: seal ``values()`` as the draft ``key`` after each change."""
        self.key, self.restored = key, restored
        self.saver = DraftSaver(values, self._write, on_written=self._written)

    def _write(self, data: dict[str, Any]) -> None:     # in a worker thread
        if self.key is not None:
            draft_store.save_draft(self.app.services.device.records(), self.key, data)

    def _written(self) -> None:
        self.draft_saved = datetime.now(UTC)
        for listener in list(self.listeners):
            listener()

    def changed(self) -> None:
        """The worker changed a value: seal the form a moment later."""
        self.app.session.touch()
        if self.saver is not None:
            self.saver.changed()

    async def pause(self) -> None:
        """Hold the draft writes while saving (no draft may land after the save deletes
        it); ``resume`` when the save did not go through."""
        if self.saver is not None:
            await self.saver.pause()

    def resume(self) -> None:
        """Write drafts again (the save was refused)."""
        if self.saver is not None:
            self.saver.resume()

    async def flush(self) -> None:
        """Write the pending draft now (the worker left the form; it stays open)."""
        if self.saver is not None:
            await self.saver.flush()

    async def put_away(self) -> None:
        """Write the draft now and stop (the store is about to lock)."""
        if self.saver is not None:
            await self.saver.flush()
            await self.saver.close()

    async def close(self) -> None:
        """The record was saved (its save deleted the draft): stop and forget the form."""
        if self.saver is not None:
            await self.saver.close()
        self.app.forms.drop(self.path)

    async def done(self) -> None:
        """Saved, cancelled or started over: delete the draft too, and forget the form."""
        if self.saver is not None:
            await self.saver.close()
        if self.key is not None:
            with contextlib.suppress(visits.Locked):
                store = await self.app.blocking(self.app.services.device.records)
                await self.app.blocking(draft_store.discard_draft, store, self.key)
        self.app.forms.drop(self.path)

    def banner(self, on_discarded: Callable[[], object] | None = None) -> ft.Control | None:
        """"Відновлено чернетку від …" with a way to discard, when restored from a draft;
        discarding starts a fresh form."""
        if self.restored is None:
            return None

        async def discard() -> None:
            await self.done()
            if on_discarded is not None:
                on_discarded()
            self.app.render()

        return draft_banner(self.app, self.restored.saved_at, discard)


def session_for(app: ViewContext, route: Route, kind: type[S], make: Callable[[], S], *,
                path: str | None = None) -> S:
    """The ``kind`` form open at ``path`` (the route's path unless given), or a new one
    (``make``) that loads off the loop and draws the screen again once loaded (unless the
    worker has moved on)."""
    at = route.path if path is None else path
    session = app.forms.get(at, kind)
    if session is not None:
        return session
    made = app.forms.put(at, make())

    async def load() -> None:
        await made.load()
        if app.route.path == route.path:
            app.render()

    app.spawn(load())
    return made


def form_screen(app: ViewContext, title: str, session: FormSession,
                draw: Callable[[], Screen]) -> Screen:
    """A form of the families place: why it cannot open, a spinner while it loads, or the
    form ``draw`` makes."""
    if session.missing:
        return families_detail(app, title, missing(app, session.missing))
    if not session.loaded:
        return families_detail(app, title, loading())
    return draw()


def draft_status() -> ft.Text:
    """The line that says when the draft was last sealed ("Чернетку збережено о 14:05")."""
    return ft.Text("", key="draft-status", theme_style=ft.TextThemeStyle.BODY_SMALL)


def show_draft_status(app: ViewContext, status: ft.Text, session: FormSession) -> None:
    """Say in ``status`` when ``session``'s draft was last written (hidden before)."""
    if session.draft_saved is not None:
        status.value = app.t("draft.saved_at", time=format_time(session.draft_saved))
    status.visible = session.draft_saved is not None
