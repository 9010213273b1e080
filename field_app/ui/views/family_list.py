"""The families list view: search, filter buttons, rows with next visit and unsynced marks.

Above the rows, a new family half-typed on this phone (its sealed draft, left by a kill or a
dead battery) is offered to continue.

Queries run off the event loop (``asyncio.to_thread``): the first listing after unlock
decrypts every family. Results of a query overtaken by newer typing are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services.families import PAGE_SIZE, FamiliesPage, FamilyFilter, FamilyRow
from field_app.services.form_drafts import PendingFamily, pending_family
from field_app.services.visits import Locked
from field_app.ui import theme
from field_app.ui.views.common import empty_state

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

log = logging.getLogger(__name__)


class FamilyList:
    """State and controls of one families list on screen."""

    def __init__(self, app: ViewContext,
                 on_loaded: Callable[[bool | None], None] | None = None) -> None:
        self.app = app
        #: Told after each load whether the device has no families at all (``None``: a
        #: search or filter is on, so it cannot tell): the detail pane beside it says so.
        self.on_loaded = on_loaded
        t = app.t
        self.text = ""
        self.chosen = FamilyFilter.ALL
        self.shown = 0
        self._generation = 0
        self.search = ft.TextField(label=t("families.search"), hint_text=t("families.search_hint"),
                                   prefix_icon=ft.Icons.SEARCH, key="families-search",
                                   autocorrect=False, on_change=self._on_search)
        # Wrapped, not scrolled: on a 360 px phone every filter stays whole and reachable.
        self.filters = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.rows = ft.Column(spacing=0)
        #: A new family half-typed on this phone (after a kill, a dead battery): continue it.
        self.pending = ft.Column(spacing=0, visible=False)
        self.more = ft.TextButton(t("families.more"), height=theme.TOUCH, visible=False,
                                  on_click=self._on_more, key="families-more")
        self.root = ft.Column([
            ft.Container(content=self.search, padding=ft.Padding(16, 16, 16, 8)),
            ft.Container(content=self.filters, padding=ft.Padding(16, 0, 16, 8)),
            self.pending,
            self.rows,
            # Room at the end so the "new family" button never covers the last row.
            ft.Container(content=self.more, padding=ft.Padding(16, 0, 16, 88)),
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._draw_filters()
        self._was_syncing = app.services.sync.syncing
        app.follow_status(self)
        app.spawn(self.reload())

    def refresh(self) -> None:
        """Reload in place when a sync has just finished, so what it brought shows (no page
        re-render: a tap in progress on the list or the navigation bar is not lost)."""
        syncing = self.app.services.sync.syncing
        if self._was_syncing and not syncing:
            self.app.spawn(self.reload())
        self._was_syncing = syncing

    def _draw_filters(self) -> None:
        t = self.app.t
        buttons: list[ft.Control] = []
        for f in FamilyFilter:
            label = t(f"families.filter.{f.value}")
            cls = ft.FilledButton if f is self.chosen else ft.OutlinedButton
            buttons.append(cls(label, height=theme.TOUCH, key=f"families-filter-{f.value}",
                               on_click=self._chooser(f)))
        self.filters.controls = buttons

    def _chooser(self, f: FamilyFilter) -> Callable[[object], Awaitable[None]]:
        async def choose(_e: object) -> None:
            self.chosen = f
            self._draw_filters()
            await self.reload()
        return choose

    async def _on_search(self, _e: object) -> None:
        self.text = str(self.search.value or "")
        await self.reload()

    async def _on_more(self, _e: object) -> None:
        await self.reload(append=True)

    async def reload(self, append: bool = False) -> None:
        """Query the device for the current search and filter, and redraw."""
        self._generation += 1
        mine = self._generation
        offset = self.shown if append else 0
        page: FamiliesPage = await asyncio.to_thread(
            self.app.services.device.families, text=self.text, chosen=self.chosen,
            offset=offset, limit=PAGE_SIZE)
        if mine != self._generation:
            return  # overtaken by newer typing
        tiles = [self._tile(r, page.several_communities) for r in page.rows]
        if not append:
            self._show_pending(await asyncio.to_thread(self._pending))
        if append:
            self.rows.controls.extend(tiles)
        else:
            self.rows.controls = tiles or [self._empty()]
        self.shown = offset + len(page.rows)
        self.more.visible = self.shown < page.total
        with contextlib.suppress(RuntimeError):  # the worker has already left this screen
            self.root.update()
        if self.on_loaded is not None:
            unfiltered = not self.text and self.chosen is FamilyFilter.ALL
            self.on_loaded(page.total == 0 if unfiltered else None)

    def _pending(self) -> PendingFamily | None:   # in a worker thread
        try:
            return pending_family(self.app.services.device.records())
        except Locked:
            return None
        except Exception:   # the list still shows; only the offer to continue is missing
            log.exception("reading the pending new family failed")
            return None

    def _show_pending(self, pending: PendingFamily | None) -> None:
        self.pending.visible = pending is not None
        if pending is None:
            self.pending.controls = []
            return
        t = self.app.t
        title = (t("families.pending_draft_named", name=pending.name) if pending.name
                 else t("families.pending_draft"))

        async def open_form(_e: object) -> None:
            await self.app.go("/families/new")

        self.pending.controls = [ft.ListTile(
            leading=ft.Icon(ft.Icons.RESTORE), title=ft.Text(title),
            subtitle=ft.Text(t("families.pending_draft_hint",
                               when=format_datetime(pending.saved_at))),
            min_height=theme.TOUCH, bgcolor=ft.Colors.SECONDARY_CONTAINER,
            on_click=open_form, key="families-pending-draft")]

    def _empty(self) -> ft.Control:
        t = self.app.t
        if not self.text and self.chosen is FamilyFilter.ALL:
            several = len(self.app.session.communities) > 1
            return empty_state(ft.Icons.PEOPLE_OUTLINE, t("families.empty"),
                               t("families.empty_hint_many" if several
                                 else "families.empty_hint"))
        return empty_state(ft.Icons.SEARCH_OFF, t("families.none_found"),
                           t("families.none_found_hint"))

    def _tile(self, r: FamilyRow, several: bool = False) -> ft.Control:
        t = self.app.t
        if r.next_visit_date is None:
            when = t("families.no_visit")
        else:
            when = t("families.next_visit", date=format_date(r.next_visit_date))
            if r.overdue:
                when += f" · {t('families.overdue')}"
            elif r.due:
                when += f" · {t('families.due')}"
        place = r.settlement
        if several:   # village names repeat across communities: say which
            place += f" ({self.app.tr.community(r.community)})"
        icon = (ft.Icons.WARNING_AMBER_ROUNDED if r.overdue
                else ft.Icons.EVENT if r.due else ft.Icons.FAMILY_RESTROOM)

        async def open_card(_e: object) -> None:
            await self.app.go(f"/families/{r.id}")

        trailing = (ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, tooltip=t("families.unsynced"),
                            semantics_label=t("families.unsynced")) if r.unsynced else None)
        return ft.ListTile(
            title=ft.Text(f"{r.family_name}", weight=ft.FontWeight.W_500),
            subtitle=ft.Text(f"{place} · {when}"),
            leading=ft.Icon(icon, color=ft.Colors.ERROR if r.overdue else None),
            trailing=trailing, on_click=open_card, key=f"family-{r.id}",
            selected=self.app.route.params.get("family_id") == r.id)  # beside its card
