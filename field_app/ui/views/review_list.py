"""The review list: the supervisor's queue, or the worker's records returned for changes.

One screen at ``/more/review`` whose content depends on the role (``review_place.load_list``:
the visits and notes of ``reviews`` with the needs-assessment acts and closures, threats
first). Rows show the family, the kind and date, the author, the risk by word and colour, and
marks (a threat and how long it is open, amended, saved on this phone; acts' and closures'
rows are ``case_review.case_tile``). The query runs off the event loop; on wide screens the list
is the left pane of the review place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import review_place
from field_app.services.case_reviews import CaseReviewRow
from field_app.services.review_place import Entry
from field_app.services.reviews import ReviewRefused, ReviewState, Row
from field_app.ui import theme
from field_app.ui.views.case_review import case_tile, threat_mark
from field_app.ui.views.common import empty_state, problem_text
from field_app.ui.views.review_parts import kind_word, mark, risk_chip, state_mark

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext


def row_path(row: Entry) -> str:
    """Route of a row's detail."""
    return f"/more/review/{row.kind.value}/{row.id}"


class ReviewList:
    """State and controls of one review list on screen (``selected``: the open row's id)."""

    def __init__(self, app: ViewContext, selected: str | None = None,
                 on_loaded: Callable[[bool | None], None] | None = None) -> None:
        self.app = app
        self.selected = selected
        #: Told after each load whether the list is empty (the detail pane says so).
        self.on_loaded = on_loaded
        self.reviewer: bool | None = None
        self.rows: list[Entry] = []
        #: Days each open threat has waited, by the id of the record that found it.
        self.threat_days: dict[str, int] = {}
        self.count = ft.Text("", theme_style=ft.TextThemeStyle.TITLE_SMALL, visible=False,
                             key="review-count")
        self.items = ft.Column([ft.ProgressRing(semantics_label=app.t("review.loading"))],
                               spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.root = ft.Column([
            ft.Container(content=self.count, padding=ft.Padding(16, 16, 16, 4)),
            self.items,
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH, key="review-list")
        app.spawn(self.reload())

    async def reload(self) -> None:
        """Read the list off the event loop and draw it."""
        try:
            listing = await asyncio.to_thread(review_place.load_list,
                                              self.app.services.device)
            self.reviewer, self.rows = listing.reviewer, listing.entries
            self.threat_days = listing.threat_days
        except ReviewRefused as exc:
            self.items.controls = [empty_state(ft.Icons.LOCK_OUTLINE,
                                               problem_text(self.app, exc.problem))]
        else:
            self._draw()
            if self.on_loaded is not None:
                self.on_loaded(not self.rows)
        with contextlib.suppress(RuntimeError):  # the user has already left this screen
            self.root.update()

    def _draw(self) -> None:
        t = self.app.t
        if not self.rows:
            self.count.visible = False
            if self.reviewer:
                empty = empty_state(ft.Icons.TASK_ALT, t("review.queue.empty"),
                                    t("review.queue.empty_hint"))
            else:
                empty = empty_state(ft.Icons.TASK_ALT, t("review.returned.empty"),
                                    t("review.returned.empty_hint"))
            self.items.controls = [empty]
            return
        self.count.value = t("review.queue.count" if self.reviewer else "review.returned.count",
                             n=len(self.rows))
        self.count.visible = True
        self.items.controls = [
            case_tile(self.app, r, selected=r.id == self.selected, reviewer=bool(self.reviewer),
                      days=self.threat_days.get(r.id, 0))
            if isinstance(r, CaseReviewRow) else self._tile(r) for r in self.rows]

    def _tile(self, r: Row) -> ft.Control:
        t = self.app.t
        when = format_datetime(r.when)
        line = t("review.row.line", kind=kind_word(self.app, r.kind), date=when,
                 author=r.author)
        marks: list[ft.Control] = [risk_chip(self.app, r.risk, r.risk_of_family,
                                             key=f"review-risk-{r.id}")]
        if r.threat:
            marks.insert(0, threat_mark(self.app, self.threat_days.get(r.id, 0),
                                        key=f"review-threat-{r.id}"))
        if r.amended:
            words = t("review.mark.correction") if r.kind.value == "note" and \
                r.status.state is not ReviewState.AMENDED else t("review.mark.amended")
            marks.append(mark(ft.Icons.EDIT_NOTE, words))
        if not self.reviewer:
            marks.append(state_mark(self.app, r.status))
        if r.unsynced:
            marks.append(mark(ft.Icons.CLOUD_UPLOAD_OUTLINED, t("review.mark.unsynced")))
        if r.family_deleted:
            marks.append(mark(ft.Icons.DELETE_OUTLINE, t("review.mark.family_deleted"),
                              ft.Colors.ERROR))
        lines: list[ft.Control] = [ft.Text(line),
                                   ft.Row(marks, wrap=True, spacing=8, run_spacing=4)]
        latest = r.status.latest
        if not self.reviewer and latest is not None and latest.comment:
            lines.append(ft.Text(f"«{latest.comment}»", italic=True, max_lines=2,
                                 overflow=ft.TextOverflow.ELLIPSIS))
        name = r.family_name or t("review.family_missing")

        async def open_detail(_e: object) -> None:
            await self.app.go(row_path(r))

        icon = ft.Icons.EVENT_NOTE if r.kind.value == "visit" else ft.Icons.STICKY_NOTE_2_OUTLINED
        return ft.ListTile(
            leading=ft.Icon(icon), title=ft.Text(name, weight=ft.FontWeight.W_500),
            subtitle=ft.Column(lines, spacing=4, tight=True), is_three_line=True,
            selected=r.id == self.selected, on_click=open_detail,
            min_height=theme.TOUCH, key=f"review-row-{r.id}")
