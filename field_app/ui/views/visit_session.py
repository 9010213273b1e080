"""One open visit form of a session: what the form screen draws, apart from its widgets.

``VisitSession`` is a ``FormSession`` (``form_session``: path, draft, saver) holding the
family and members read from the store, the ``VisitForm`` values and the problems of the
last save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from field_app.services import visits
from field_app.services.problem import Problem
from field_app.services.visit_form import VisitForm
from field_app.ui.views import form_session
from field_app.ui.views.form_session import FormSession

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route


class VisitSession(FormSession):
    """One open visit form of a session (see the module docstring)."""

    def __init__(self, app: ViewContext, route: Route) -> None:
        super().__init__(app, route.path)
        self.family_id = route.params["family_id"]
        self.visit_id = route.params.get("visit_id")     # set when amending
        self.opened: visits.OpenForm | None = None
        self.problems: dict[str, Problem] = {}
        self.message: Problem | None = None

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
        self.seal(opened.draft_key, opened.form.to_draft, opened.restored)


def session_for(app: ViewContext, route: Route) -> VisitSession:
    """The visit form open at ``route`` (made and loaded the first time)."""
    return form_session.session_for(app, route, VisitSession, lambda: VisitSession(app, route))
