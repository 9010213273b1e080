"""One visit or note under review: read-only record, decisions so far, and what the user may do.

Reviewers of the record's community (not its author) get a comment field and two actions,
"Затвердити" and "Повернути з коментарем"; returning without a comment is refused next to the
field. The author of a returned record sees the comment and "Виправити", which opens the visit
form on that visit (a note is fixed by a new note that corrects it). A decision is saved on the
phone (``reviews.decide``), the pending count refreshed, and the list shown again.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import reviews
from field_app.services.reviews import Detail, ReviewRefused
from field_app.ui import theme
from field_app.ui.views.common import empty_state, message_text, problem_text
from field_app.ui.views.review_parts import (
    decision_history,
    kind_word,
    mark,
    record_fields,
    risk_chip,
    status_banner,
    sync_mark,
)
from shared_models.enums import RecordKind

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

COMMENT_MAX = 2000


def fix_path(detail: Detail) -> str:
    """Where "Виправити" leads: the visit form on the visit, or a new correcting note."""
    fid, tid = str(detail.target.family_id), str(detail.target.id)
    if detail.kind is RecordKind.VISIT:
        return f"/families/{fid}/visits/{tid}/edit"
    return f"/families/{fid}/notes/new?corrects={tid}"


class ReviewDetail:
    """State and controls of the detail of one visit or note."""

    def __init__(self, app: ViewContext, kind: str, target_id: str) -> None:
        self.app = app
        self.kind = kind
        self.target_id = target_id
        self.detail: Detail | None = None
        self.busy = False
        self.comment = ft.TextField(
            label=app.t("review.comment"), helper=app.t("review.comment_hint"),
            multiline=True, min_lines=3, max_lines=8, max_length=COMMENT_MAX,
            error_max_lines=3, helper_max_lines=3, on_change=self._typed, key="review-comment")
        self.message = message_text("review-message")
        self.approve = ft.FilledButton(app.t("review.approve"), icon=ft.Icons.CHECK,
                                       height=theme.TOUCH, on_click=self._on_approve,
                                       key="review-approve")
        self.send_back = ft.OutlinedButton(app.t("review.return"), icon=ft.Icons.UNDO,
                                           height=theme.TOUCH, on_click=self._on_return,
                                           key="review-return")
        self.root = ft.Column([ft.ProgressRing(semantics_label=app.t("review.loading"))],
                              spacing=16, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                              key="review-detail")
        #: What the screen shows: the detail in its own scroll view, so a refusal can scroll
        #: to the comment field and its message at the end.
        self.scroller = ft.Column([ft.Container(content=self.root, padding=ft.Padding.all(16))],
                                  scroll=ft.ScrollMode.AUTO, expand=True,
                                  horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        app.spawn(self.load())

    async def load(self) -> None:
        """Read the record and its decisions off the event loop and draw them."""
        try:
            self.detail = await asyncio.to_thread(reviews.load_detail, self.app.services.device,
                                                  self.kind, self.target_id)
        except ReviewRefused as exc:
            self.root.controls = [empty_state(ft.Icons.SEARCH_OFF,
                                              problem_text(self.app, exc.problem))]
        else:
            self.root.controls = self._draw(self.detail)
        with contextlib.suppress(RuntimeError):  # the user has already left this screen
            self.root.update()

    # ---- drawing ---------------------------------------------------------------------------
    def _draw(self, d: Detail) -> list[ft.Control]:
        t = self.app.t
        name = d.family.family_name if d.family else t("review.family_missing")
        when = d.target.visited_at if d.kind is RecordKind.VISIT else d.target.written_at  # type: ignore[union-attr]
        header = ft.Column([
            ft.Text(name, theme_style=ft.TextThemeStyle.TITLE_LARGE, key="review-family"),
            ft.Text(t("review.row.line", kind=kind_word(self.app, d.kind),
                      date=format_datetime(when), author=d.target.author)),
            ft.Row([risk_chip(self.app, d.risk, d.risk_of_family, key="review-risk"),
                    sync_mark(self.app, d.unsynced),
                    *([mark(ft.Icons.DELETE_OUTLINE, t("review.mark.family_deleted"),
                            ft.Colors.ERROR)] if d.family_deleted else [])],
                   wrap=True, spacing=8, run_spacing=4),
        ], spacing=6, tight=True)
        out: list[ft.Control] = [header, self._status_box(d)]
        if d.own and reviews.is_reviewer_role(self.app.session.role):
            out.append(ft.Text(t("review.own"), italic=True, key="review-own"))
        out += [ft.Divider(), *record_fields(self.app, d), ft.Divider(), self._history(d)]
        if d.may_decide:
            out += [ft.Divider(), self.comment, self.message,
                    ft.Column([self.approve, self.send_back], spacing=12, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)]
        return out

    def _status_box(self, d: Detail) -> ft.Control:
        t = self.app.t

        async def fix(_e: object) -> None:
            await self.app.go(fix_path(d))

        label = t("review.fix") if d.kind is RecordKind.VISIT else t("review.fix_note")
        return status_banner(self.app, d.status, fix_label=label,
                             on_fix=fix if d.own else None)

    def _history(self, d: Detail) -> ft.Control:
        return decision_history(self.app, d.status.decisions)

    # ---- acting ----------------------------------------------------------------------------
    def _typed(self, _e: object) -> None:
        if self.comment.error:
            self.comment.error = None
            self.comment.update()

    async def _on_approve(self, _e: object) -> None:
        await self._decide(approved=True)

    async def _on_return(self, _e: object) -> None:
        await self._decide(approved=False)

    async def _decide(self, *, approved: bool) -> None:
        if self.busy:
            return
        app = self.app
        self.busy = True
        self.approve.disabled = self.send_back.disabled = True
        self.message.visible = False
        self.root.update()
        try:
            await app.blocking(reviews.decide, app.services.device, self.kind, self.target_id,
                               approved=approved, comment=str(self.comment.value or ""))
        except ReviewRefused as exc:
            words = problem_text(app, exc.problem)
            if exc.on_comment:
                self.comment.error = words
            else:
                self.message.value, self.message.visible = words, True
            self.busy = False
            self.approve.disabled = self.send_back.disabled = False
            self.root.update()
            with contextlib.suppress(Exception):   # the user may have left the screen
                # To the end first (field, message and buttons in view), then the focus,
                # which leaves a field already in view where it is.
                await self.scroller.scroll_to(offset=-1)
                if exc.on_comment:
                    await self.comment.focus()
            return
        await app.refresh_pending()
        app.spawn(app.sync_soon())   # the author should not wait for the next interval
        done = app.t("review.done.approved" if approved else "review.done.returned")
        await app.go("/more/review", notice=done)
