"""One open visit form of a session: what the form screen draws, apart from its widgets.

``VisitSession`` holds the family and members read from the store, the ``VisitForm``
values, the problems of the last save, and the ``DraftSaver`` that seals the values into
the store a moment after each keystroke (and at once before the app locks). Sessions live
in ``form_state`` by route path, so a re-render (resize, language, sync) loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from field_app.services import visits
from field_app.services.draft_store import Draft, DraftSaver
from field_app.services.problem import Problem
from field_app.services.visit_form import VisitForm
from field_app.ui.views.form_state import OpenForms, open_forms

if TYPE_CHECKING:
    from field_app.ui.app import App
    from field_app.ui.routes import Route


class VisitSession:
    """One open visit form of a session (see the module docstring)."""

    def __init__(self, app: App, route: Route) -> None:
        self.app = app
        self.path = route.path
        self.family_id = route.params["family_id"]
        self.visit_id = route.params.get("visit_id")     # set when amending
        self.opened: visits.OpenForm | None = None
        self.missing: str | None = None                  # i18n key: why it cannot open
        self.problems: dict[str, Problem] = {}
        self.message: Problem | None = None
        self.busy = False
        self.restored: Draft | None = None
        self.draft_saved: datetime | None = None
        self.saver: DraftSaver[dict[str, Any]] | None = None
        #: Called on the loop after each draft write (the view says "draft saved at").
        self.listeners: list[Callable[[], None]] = []

    @property
    def form(self) -> VisitForm:
        """The values (only once loaded)."""
        if self.opened is None:
            raise RuntimeError("the visit form is not loaded yet")
        return self.opened.form

    async def load(self) -> None:
        """Read the family, its members and the draft (or the visit to amend)."""
        device = self.app.services.device
        try:
            store = await self.app.blocking(device.records)
            if self.visit_id is None:
                opened = await self.app.blocking(visits.open_new, store, self.family_id)
            else:
                opened = await self.app.blocking(visits.open_amend, store, self.family_id,
                                                 self.visit_id)
        except (visits.NotFound, visits.Locked):
            self.missing = "visit.not_found"
            return
        except visits.NotAuthor:
            self.missing = "visit.not_author"
            return
        self.opened = opened
        self.restored = opened.restored
        self.saver = DraftSaver(opened.form.to_draft, self._write, on_written=self._written)

    def _write(self, data: dict[str, Any]) -> None:     # in a worker thread
        if self.opened is not None:
            visits.write_draft(self.app.services.device.records(), self.opened.draft_key,
                               data)

    def _written(self) -> None:
        self.draft_saved = datetime.now(UTC)
        for listener in list(self.listeners):
            listener()

    async def put_away(self) -> None:
        """Write the draft now and stop (the store is about to lock)."""
        if self.saver is not None:
            await self.saver.flush()
            await self.saver.close()


def forms(app: App) -> OpenForms[VisitSession]:
    return open_forms(app, VisitSession)


def session_for(app: App, route: Route) -> VisitSession:
    open_now = forms(app)
    session = open_now.get(route.path)
    if session is None:
        session = open_now.put(route.path, VisitSession(app, route))

        async def load() -> None:
            await session.load()
            if app.route.path == session.path:
                app.render()

        app.page.run_task(load)
    return session
