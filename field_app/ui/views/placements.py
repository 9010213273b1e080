"""Foster-care placements on screen: the family card's section, the list, the time-limit words.

The family card shows ``card_part`` (registered in ``card.SECTIONS``, read with the card);
``placement_section(app, family_id)`` is the same block for any other screen, loading
itself. ``/more/placements`` lists every placement (from the More place and the dashboard).
Every status is shown by word, colour and icon together, never by colour alone. Queries run
off the event loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_date
from field_app.services.family_card import FamilyCard
from field_app.services.placements import PlacementRow, open_foster_families, placement_rows
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.common import empty_state
from shared_models.enums import RiskLevel
from shared_models.foster_care import PlacementLevel, PlacementTerm

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route
    from field_app.ui.views.card import CardView

_LOOK = {
    PlacementLevel.OK: (ft.Icons.CHECK_CIRCLE_OUTLINE, RiskLevel.LOW),
    PlacementLevel.NEAR: (ft.Icons.HOURGLASS_BOTTOM, RiskLevel.MEDIUM),
    PlacementLevel.OVERDUE: (ft.Icons.ERROR_OUTLINE, RiskLevel.HIGH),
    PlacementLevel.ENDED: (ft.Icons.DONE_ALL, None),
}


def term_words(app: ViewContext, term: PlacementTerm, ended_on: date | None = None) -> str:
    """Where a placement stands, in words: days left or overdue, or when it ended."""
    days = app.tr.plural("placement.days", abs(term.days_left))
    if term.level is PlacementLevel.ENDED:
        return app.t("placement.level.ended", date=format_date(ended_on) if ended_on else "")
    if term.level is PlacementLevel.OVERDUE:
        return app.t("placement.level.overdue", days=days)
    if term.days_left == 0:
        return app.t("placement.level.today")
    key = "placement.level.near" if term.level is PlacementLevel.NEAR else "placement.level.ok"
    return app.t(key, days=days)


def term_detail(app: ViewContext, term: PlacementTerm) -> str:
    """The end that applies, and whether the authority may still extend it."""
    parts = [app.t("placement.extended", date=format_date(term.end)) if term.extended
             else app.t("placement.until", date=format_date(term.end))]
    if term.can_extend:
        parts.append(app.t("placement.can_extend", date=format_date(term.extension_limit)))
    return " · ".join(parts)


def term_badge(app: ViewContext, term: PlacementTerm, ended_on: date | None = None, *,
               key: str | None = None) -> ft.Control:
    """Icon and words in the level's colour (green, amber, red; grey once ended)."""
    icon, risk = _LOOK[term.level]
    dark = app.dark
    color = theme.risk_color(risk, dark) if risk is not None else ft.Colors.OUTLINE
    words = term_words(app, term, ended_on)
    return ft.Row([
        ft.Icon(icon, color=color, size=20),
        ft.Text(words, color=color, weight=ft.FontWeight.W_600, expand=True),
    ], spacing=6, key=key, tight=True)


def placement_tile(app: ViewContext, row: PlacementRow, *, family_id: str | None = None,
                   show_community: bool = False) -> ft.Control:
    """One placement: child, foster family, status; tapping opens the form."""
    t = app.t
    lines: list[ft.Control] = [
        term_badge(app, row.term, row.ended_on),
        ft.Text(t("placement.row", foster=row.foster_family_name,
                  start=format_date(row.start_date))),
    ]
    if show_community:
        lines.insert(1, ft.Text(app.tr.community(row.community), size=13))
    if row.active:
        lines.append(ft.Text(term_detail(app, row.term), size=13))
    if row.birth_family_name:
        lines.append(ft.Text(t("placement.row_birth", birth=row.birth_family_name), size=13))
    fid = family_id or row.foster_family_id

    async def open_form(_e: object) -> None:
        await app.go(f"/families/{fid}/placements/{row.id}")

    trailing = (ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, tooltip=t("placement.unsynced"),
                        semantics_label=t("placement.unsynced")) if row.unsynced else None)
    return ft.ListTile(
        title=ft.Text(row.child_name, weight=ft.FontWeight.W_500),
        subtitle=ft.Column(lines, spacing=2, tight=True),
        leading=ft.Icon(ft.Icons.CHILD_CARE),
        trailing=trailing, on_click=open_form, key=f"placement-{row.id}",
        min_height=theme.TOUCH)


def placement_block(app: ViewContext, family_id: str, rows: list[PlacementRow] | None
                    ) -> ft.Column:
    """The foster-care block of a family: its placements (``None``: still loading) and an
    "add" button."""
    t = app.t
    if rows is None:
        shown: list[ft.Control] = [ft.Text(t("placement.loading"))]
    else:
        shown = ([placement_tile(app, r, family_id=family_id) for r in rows]
                 or [ft.Text(t("placement.none"))])

    async def add(_e: object) -> None:
        await app.go(f"/families/{family_id}/placements/new")

    return ft.Column([
        ft.Text(t("placement.section"), theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                weight=ft.FontWeight.W_600),
        ft.Column(shown, spacing=0, tight=True),
        ft.OutlinedButton(t("placement.add"), icon=ft.Icons.ADD, height=theme.TOUCH,
                          on_click=add, key="placement-add"),
    ], spacing=8, tight=True, key="placement-section")


def placement_section(app: ViewContext, family_id: str) -> ft.Control:
    """The foster-care section for any screen: loads its rows itself, off the event loop.

    Shows the placements where the family is the foster family or the child's own family.
    (The family card reads them with the card instead: ``card_part``.)
    """
    root = ft.Column([placement_block(app, family_id, None)], tight=True)

    async def load() -> None:
        store = app.services.device.records()
        found = await app.blocking(placement_rows, store, today=date.today(),
                                   family_id=family_id)
        root.controls = [placement_block(app, family_id, found)]
        with contextlib.suppress(RuntimeError):   # the screen was left meanwhile
            root.update()

    app.spawn(load())
    return root


def card_load(store: Any, card: FamilyCard) -> list[PlacementRow]:
    """The family card's loader (runs off the event loop with the card's own reads)."""
    return placement_rows(store, today=date.today(), family_id=card.id)


def card_part(view: CardView, card: FamilyCard, rows: list[PlacementRow] | None
              ) -> ft.Control | None:
    """The family card's section: shown for foster families, for families with a placement,
    and, as a button only, for families with a child who might need one."""
    app = view.app
    if card.family.foster_family or rows:
        return placement_block(app, card.id, rows or [])
    if not any(m.child for m in card.members):
        return None

    async def add(_e: object) -> None:
        await view.go("placements/new")

    return ft.TextButton(app.t("placement.add"), icon=ft.Icons.CHILD_CARE, height=theme.TOUCH,
                         on_click=add, key="placement-add")


class PlacementList:
    """``/more/placements``: every placement on the device, the most urgent first."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        t = app.t
        self.rows = ft.Column([ft.Text(t("placement.loading"))], spacing=0, tight=True)
        self.chooser = ft.Column(spacing=0, tight=True, visible=False, key="placement-choose")
        self.root = ft.Column([
            ft.Text(t("placement.list_hint")),
            self.chooser,
            self.rows,
        ], spacing=12, tight=True)
        app.spawn(self.load())

    def fab(self) -> ft.FloatingActionButton:
        """"Add a placement": first choose the foster family."""
        return ft.FloatingActionButton(icon=ft.Icons.ADD, content=self.app.t("placement.add"),
                                       on_click=self._choose, key="placement-new")

    async def load(self) -> None:
        """Query the placements and draw them."""
        app = self.app
        store = app.services.device.records()
        found = await app.blocking(placement_rows, store, today=date.today())
        several = len({r.community for r in found}) > 1
        self.rows.controls = [placement_tile(app, r, show_community=several)
                              for r in found] or [
            empty_state(ft.Icons.CHILD_CARE, app.t("placement.none"))]
        with contextlib.suppress(RuntimeError):
            self.root.update()

    async def _choose(self, _e: object) -> None:
        app = self.app
        store = app.services.device.records()
        families = await app.blocking(open_foster_families, store)
        families.sort(key=lambda f: (f.family_name.casefold(), f.settlement))

        def go(fid: str) -> Callable[[object], Awaitable[None]]:
            async def handler(_e: object) -> None:
                await app.go(f"/families/{fid}/placements/new")
            return handler

        tiles: list[ft.Control] = [
            ft.ListTile(title=ft.Text(f.family_name), subtitle=ft.Text(f.settlement),
                        leading=ft.Icon(ft.Icons.HOME_OUTLINED), on_click=go(str(f.id)),
                        key=f"choose-foster-{f.id}", min_height=theme.TOUCH)
            for f in families]
        self.chooser.controls = [
            ft.Text(app.t("placement.choose_foster"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
            *(tiles or [ft.Text(app.t("placement.no_foster"))]),
            ft.Divider(),
        ]
        self.chooser.visible = True
        with contextlib.suppress(RuntimeError):
            self.root.update()


def build_list(app: ViewContext, _route: Route) -> Screen:
    """The placements screen."""
    view = PlacementList(app)
    return Screen(title=app.t("placement.list_title"), body=view.root, fab=view.fab())
