"""The family card (``/families/{family_id}``), drawn section by section.

The card is read off the event loop (``services.family_card.load_card``), then each entry
of ``SECTIONS`` draws its part: header, conflicts, status, consent, members, timeline. A
section may also read data of its own in the same worker thread (``Section.load``), so a
new part of the card — foster-care placements, say — is one more entry of the list,
``Section("placements", build, load)``, where ``load(store, card)`` runs off the event loop
and ``build(view, card, data)`` returns a control (or ``None`` to show nothing). Wide
screens show the card beside the list; phones push it over the list with a back arrow.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.services.family_card import FamilyCard, load_card
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views import card_sections as parts
from field_app.ui.views import case_section, placements
from field_app.ui.views.common import empty_state
from field_app.ui.views.places import families_detail, loading

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """One part of the card: ``build(view, card, data)`` draws it, ``data`` being what
    ``load(store, card)`` read off the event loop (``None`` when there is no loader)."""

    key: str
    build: Callable[[CardView, FamilyCard, Any], ft.Control | None]
    load: Callable[[Any, FamilyCard], Any] | None = None


SECTIONS: list[Section] = [
    Section("header", parts.header),
    Section("conflicts", parts.conflicts),
    Section("case", case_section.card_part),
    Section("status", parts.status),
    Section("consent", parts.consent),
    Section("members", parts.members),
    Section("placements", placements.card_part, placements.card_load),
    Section("timeline", parts.timeline),
]


def build(app: ViewContext, route: Route) -> Screen:
    """The card screen; its content arrives when the store has been read."""
    view = CardView(app, route.params["family_id"])
    edit = ft.IconButton(icon=ft.Icons.EDIT_OUTLINED, tooltip=app.t("family.card.edit"),
                         width=theme.TOUCH, height=theme.TOUCH, key="family-edit",
                         on_click=lambda _e: app.spawn(view.go("edit")))
    return families_detail(app, app.t("family.title"), view.body, actions=[edit],
                           column=view.scroller)


class CardView:
    """The card of one family on screen; sections call ``go`` and ``scroll_to``."""

    def __init__(self, app: ViewContext, family_id: str) -> None:
        self.app = app
        self.family_id = family_id
        self.path = f"/families/{family_id}"
        self.card: FamilyCard | None = None
        self.timeline_limit = parts.TIMELINE_PAGE
        self.body = ft.Column([loading(app)], spacing=24, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                              key="family-card")
        self.scroller = ft.Column(scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                                  horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._data: dict[str, Any] = {}
        app.spawn(self.load())

    async def load(self) -> None:
        """Read the card (and the sections' own data) off the loop, then draw it."""
        device, me, fid = self.app.services.device, self.app.session.username or "", self.family_id
        today = date.today()

        def read() -> tuple[FamilyCard | None, dict[str, Any]]:
            store = device.records()
            card = load_card(store, fid, me=me, today=today)
            data = {s.key: s.load(store, card) for s in SECTIONS
                    if card is not None and s.load is not None}
            return card, data

        try:
            self.card, self._data = await self.app.blocking(read)
        except Exception:
            log.exception("reading the family card failed")
            self.card = None
        if self.app.route.path != self.path:
            return  # the worker has moved on
        self.draw()

    def draw(self) -> None:
        """(Re)draw every section from the card that was read."""
        t = self.app.t
        card = self.card
        if card is None:
            self.body.controls = [empty_state(ft.Icons.SEARCH_OFF, t("family.card.missing"),
                                              t("family.card.missing_hint"))]
        else:
            controls = []
            for section in SECTIONS:
                control = section.build(self, card, self._data.get(section.key))
                if control is not None:
                    controls.append(control)
            self.body.controls = controls
        with contextlib.suppress(RuntimeError):  # the screen was replaced meanwhile
            self.body.update()

    async def go(self, sub: str) -> None:
        """Open a path under this family (``edit``, ``members/new``...) or an absolute one."""
        await self.app.go(sub if sub.startswith("/") else f"{self.path}/{sub}")

    async def scroll_to(self, key: str) -> None:
        """Bring the control with ``ft.ScrollKey(key)`` into view."""
        with contextlib.suppress(RuntimeError):
            await self.scroller.scroll_to(scroll_key=key, duration=300)

    async def show_more(self) -> None:
        """Show the whole timeline."""
        self.timeline_limit = 10**9
        self.draw()
