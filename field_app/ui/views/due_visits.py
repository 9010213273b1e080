"""The due-visits place: overdue and this week's visits, overdue first, mine first.

Read through the same ``Device.families`` query as the families list (off the event loop),
ordered and worded by ``services.due``; 50 rows at a time. A row opens the family card.
A finished sync reloads the list in place (``ViewContext.follow_status``).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date
from field_app.services.due import DueList, DueRow, due_visits
from field_app.services.families import FamilyFilter
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.common import empty_state
from field_app.ui.views.record_bits import capitalised

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

PAGE = 50
#: Upper bound of rows read per filter (a community has a few thousand families at most).
READ_LIMIT = 100_000


def read(app: ViewContext) -> DueList:
    """Overdue and due rows from the device, ordered (blocking: run it off the loop)."""
    device = app.services.device
    rows, several = [], False
    for chosen in (FamilyFilter.OVERDUE, FamilyFilter.DUE):
        page = device.families(chosen=chosen, limit=READ_LIMIT)
        rows += page.rows
        several = several or page.several_communities
    return due_visits(rows, today=date.today(), several_communities=several)


class DueVisits:
    """State and controls of the place on screen."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        self.data: DueList | None = None
        self.shown = PAGE
        self.summary = ft.Text("", key="visits-summary", visible=False,
                               theme_style=ft.TextThemeStyle.TITLE_SMALL)
        self.rows = ft.Column(spacing=0, controls=[ft.Container(
            content=ft.ProgressRing(), alignment=ft.Alignment.CENTER, padding=32)])
        self.more = ft.TextButton(app.t("families.more"), height=theme.TOUCH, visible=False,
                                  on_click=self._more, key="visits-more")
        self.root = ft.Column([
            ft.Container(content=self.summary, padding=ft.Padding(16, 16, 16, 8)),
            self.rows,
            ft.Container(content=self.more, padding=ft.Padding(16, 0, 16, 16)),
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._was_syncing = app.services.sync.syncing
        app.follow_status(self)
        app.spawn(self.reload())

    def refresh(self) -> None:
        """Reload in place when a sync has just finished (no page re-render: a tap in
        progress on the list or the navigation bar is not lost)."""
        syncing = self.app.services.sync.syncing
        if self._was_syncing and not syncing:
            self.app.spawn(self.reload())
        self._was_syncing = syncing

    async def reload(self) -> None:
        """Read the rows again and draw them."""
        self.data = await self.app.blocking(read, self.app)
        self._draw()

    async def _more(self, _e: object) -> None:
        self.shown += PAGE
        self._draw()

    def _draw(self) -> None:
        t, data = self.app.t, self.data
        if data is None:
            return
        self.summary.value = t("visits.summary", overdue=data.overdue, due=data.due)
        self.summary.visible = bool(data.rows)
        tiles = [self._tile(r, data.several_communities) for r in data.rows[:self.shown]]
        self.rows.controls = tiles or [empty_state(ft.Icons.EVENT_AVAILABLE, t("visits.empty"))]
        self.more.visible = self.shown < len(data.rows)
        with contextlib.suppress(RuntimeError):
            self.root.update()

    def _when(self, r: DueRow) -> str:
        w = r.when
        return self.app.tr.plural(w.key, w.n) if w.n is not None else self.app.t(w.key)

    def _tile(self, r: DueRow, several: bool = False) -> ft.Control:
        t = self.app.t

        async def open_card(_e: object) -> None:
            await self.app.go(f"/families/{r.family_id}")

        # When first: it is what this place is for; then the date and the village.
        line = f"{capitalised(self._when(r))} · {format_date(r.day)} · {r.settlement}"
        if several:   # village names repeat across communities: say which
            line += f" ({self.app.tr.community(r.community)})"
        trailing = None
        if r.mine:   # the words go into the row's spoken name, after the family's name
            trailing = ft.Semantics(content=ft.Icon(ft.Icons.PERSON_PIN_OUTLINED,
                                                    key="due-mine"), exclude_semantics=True)
        return ft.ListTile(
            title=ft.Text(r.family_name, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(line, color=ft.Colors.ERROR if r.overdue else None,
                             weight=ft.FontWeight.W_500 if r.overdue else None,
                             semantics_label=f"{line}. {t('visits.mine')}" if r.mine
                             else None),
            leading=ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED if r.overdue else ft.Icons.EVENT,
                            color=ft.Colors.ERROR if r.overdue else None),
            trailing=trailing, on_click=open_card, key=f"due-{r.family_id}")


def build(app: ViewContext, _route: Route) -> Screen:
    """The due-visits place."""
    return Screen(title=app.t("visits.title"), body=DueVisits(app).root, scroll=False)
