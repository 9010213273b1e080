"""An open family, member or placement form of a session, with its draft sealed in the store.

``SealedForm`` pairs the form object (``FamilyForm``, ``MemberForm``, ``PlacementForm``) with
the ``DraftSaver`` that seals its values a moment after each change (``form_drafts``).
It lives in ``form_state``'s registry by route path, so a re-render (resize, language, sync)
loses nothing, and before the store locks it writes its draft and is forgotten: while
locked, what was typed is only in the encrypted store. Reopening the form (unlock returns
there; after a kill the worker opens it again) restores it with "Відновлено чернетку від …".
A save or cancel deletes the draft.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import flet as ft

from field_app.services import draft_store, visits
from field_app.services.draft_store import Draft, DraftSaver
from field_app.services.form_drafts import Opened
from field_app.ui.screen import Screen
from field_app.ui.views.common import empty_state
from field_app.ui.views.form_state import OpenForms, open_forms
from field_app.ui.views.record_bits import draft_banner, loading

if TYPE_CHECKING:
    from field_app.ui.app import App
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
F = TypeVar("F")


class SealedForm(Generic[F]):
    """One open form, its draft key, the draft it was restored from, and its saver."""

    def __init__(self, app: App, path: str, opened: Opened[F],
                 data: Callable[[F], dict[str, Any]]) -> None:
        self.app = app
        self.path = path
        self.form = opened.form
        self.key = opened.key
        self.restored: Draft | None = opened.restored
        self.saver: DraftSaver[dict[str, Any]] = DraftSaver(lambda: data(self.form),
                                                            self._write)

    def _write(self, data: dict[str, Any]) -> None:     # in a worker thread
        draft_store.save_draft(self.app.services.device.records(), self.key, data)

    def changed(self) -> None:
        """The worker changed a value: seal the form a moment later."""
        self.app.session.touch()
        self.saver.changed()

    async def put_away(self) -> None:
        """Write the draft now and stop (the store is about to lock)."""
        await self.saver.flush()
        await self.saver.close()

    async def done(self) -> None:
        """The record was saved, or the worker cancelled: delete the draft, forget the form."""
        await self.saver.close()
        with contextlib.suppress(visits.Locked):
            store = await self.app.blocking(self.app.services.device.records)
            await self.app.blocking(draft_store.discard_draft, store, self.key)
        sealed_forms(self.app).drop(self.path)

    def banner(self, on_discarded: Callable[[], object] | None = None) -> ft.Control | None:
        """"Відновлено чернетку від …" with a way to discard, when restored from a draft."""
        if self.restored is None:
            return None

        async def discard() -> None:
            await self.done()
            if on_discarded is not None:
                on_discarded()
            self.app.render()

        return draft_banner(self.app, self.restored.saved_at, discard)


def sealed_forms(app: App) -> OpenForms[SealedForm[Any]]:
    """The session's open family, member and placement forms."""
    return open_forms(app, SealedForm)


def find(app: App, route: Route, kind: type[F]) -> SealedForm[F] | None:
    """The form of ``kind`` open at ``route``, if any."""
    sealed = sealed_forms(app).get(route.path)
    return sealed if sealed is not None and isinstance(sealed.form, kind) else None


def load_sealed(app: App, route: Route, title: str, load: Callable[[], Opened[F] | None], *,
                data: Callable[[F], dict[str, Any]],
                frame: Callable[[App, str, ft.Control], Screen]) -> Screen:
    """A form screen that reads its draft or record first (off the event loop), then keeps
    the form in the registry and draws it; ``load`` returns ``None`` when the record is not
    on this device."""
    holder = ft.Column([loading()], tight=True)

    async def run() -> None:
        try:
            opened = await app.blocking(load)
        except Exception:
            log.exception("loading a form failed")
            opened = None
        if app.route.path != route.path:
            return  # the worker has moved on
        if opened is None:
            holder.controls = [empty_state(ft.Icons.SEARCH_OFF, app.t("family.form.missing"))]
            with contextlib.suppress(RuntimeError):
                holder.update()
            return
        sealed_forms(app).put(route.path, SealedForm(app, route.path, opened, data))
        app.render()

    app.page.run_task(run)
    return frame(app, title, holder)
