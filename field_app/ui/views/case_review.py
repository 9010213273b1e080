"""Acts and closures in the review place: their rows in the list, and their detail.

A threat to a child's life or health is marked by an icon and words on the error colour
("Загроза життю чи здоров'ю · 3 дні без рішення"), never by colour alone, and such rows come
first (``case_reviews``). The detail shows the act's five sections read-only, in the order of
the official form (or the closure's date, reason and result), the decisions so far, and for a
reviewer who is not the author a comment and "Затвердити" / "Повернути з коментарем". The
author of a returned act gets "Відкрити акт", which opens the act's form.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services import assessment_form as af
from field_app.services import review_place
from field_app.services.case_reviews import CaseReviewRow
from field_app.services.cases import ReviewInfo
from field_app.services.review_place import CaseDetail
from field_app.services.reviews import ReviewRefused
from field_app.ui import theme
from field_app.ui.views.assessment_form import assessment_path
from field_app.ui.views.common import empty_state, message_text, problem_text
from field_app.ui.views.review_parts import decision_history, mark, sync_mark
from shared_models.enums import RecordKind, ReviewDecision
from shared_models.records import Assessment, Case

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

COMMENT_MAX = 2000


def threat_mark(app: ViewContext, days: int, *, key: str | None = None) -> ft.Control:
    """The threat, with a warning icon and words on the error colour (not colour alone)."""
    words = (app.t("casereview.threat.today") if days <= 0
             else app.tr.plural("casereview.threat", days))
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, size=16,
                                color=ft.Colors.ON_ERROR),
                        ft.Text(words, size=12, color=ft.Colors.ON_ERROR,
                                weight=ft.FontWeight.W_600, expand=True)],
                       spacing=6, tight=True),
        bgcolor=ft.Colors.ERROR, border_radius=12,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4), key=key)


def state_words(app: ViewContext, info: ReviewInfo) -> str:
    """Where the act or closure stands with its reviewers."""
    if info.decision is None:
        return app.t("review.state.pending")
    if info.amended:
        return app.t("review.state.amended_approved" if info.decision is ReviewDecision.APPROVED
                     else "review.state.amended")
    return app.t("review.state.approved" if info.approved else "review.state.returned")


def row_line(app: ViewContext, kind: RecordKind, on: date | None, author: str) -> str:
    """"Акт оцінки потреб · завершено 07.12.2026 · olena" and alike."""
    when = format_date(on) if on else ""
    who = author or app.t("review.field.none")
    if kind is RecordKind.CASE:
        return app.t("casereview.row.closure", date=when, author=who)
    if on is None:
        return app.t("casereview.row.act_draft", author=who)
    return app.t("casereview.row.act", date=when, author=who)


def case_tile(app: ViewContext, row: CaseReviewRow, *, selected: bool, reviewer: bool,
              days: int = 0) -> ft.Control:
    """One act or closure in the review list (``days``: how long its threat is open)."""
    t = app.t
    marks: list[ft.Control] = []
    if row.threat:
        marks.append(threat_mark(app, days, key=f"review-threat-{row.id}"))
    if row.review.amended:
        marks.append(mark(ft.Icons.EDIT_NOTE, t("review.mark.amended")))
    if not reviewer:
        marks.append(mark(ft.Icons.ASSIGNMENT_RETURN_OUTLINED, state_words(app, row.review)))
    if row.unsynced:
        marks.append(mark(ft.Icons.CLOUD_UPLOAD_OUTLINED, t("review.mark.unsynced")))
    lines: list[ft.Control] = [ft.Text(row_line(app, row.kind, row.on, row.author)),
                               ft.Row(marks, wrap=True, spacing=8, run_spacing=4)]
    if not reviewer and row.review.comment:
        lines.append(ft.Text(f"«{row.review.comment}»", italic=True, max_lines=2,
                             overflow=ft.TextOverflow.ELLIPSIS))

    async def open_detail(_e: object) -> None:
        await app.go(f"/more/review/{row.kind.value}/{row.id}")

    icon = (ft.Icons.WARNING_AMBER_ROUNDED if row.threat else
            ft.Icons.ASSIGNMENT_OUTLINED if row.kind is RecordKind.ASSESSMENT
            else ft.Icons.FOLDER_OFF_OUTLINED)
    return ft.ListTile(
        leading=ft.Icon(icon, color=ft.Colors.ERROR if row.threat else None),
        title=ft.Text(row.family_name or t("review.family_missing"), weight=ft.FontWeight.W_500),
        subtitle=ft.Column(lines, spacing=4, tight=True), is_three_line=True,
        selected=selected, on_click=open_detail, min_height=theme.TOUCH,
        key=f"review-row-{row.id}")


def _field(app: ViewContext, label: str, value: str, key: str) -> ft.Control:
    shown = value.strip() or app.t("review.field.none")
    return ft.Column([ft.Text(label, theme_style=ft.TextThemeStyle.LABEL_LARGE,
                              color=ft.Colors.PRIMARY),
                      ft.Text(shown, key=key)], spacing=2, tight=True)


def _yes_no(app: ViewContext, value: bool | None) -> str:
    if value is None:
        return app.t("assessment.not_given")
    return app.t("assessment.yes" if value else "assessment.no")


def _title(app: ViewContext, key: str) -> ft.Control:
    return ft.Text(app.t(key), theme_style=ft.TextThemeStyle.TITLE_MEDIUM)


def act_sections(app: ViewContext, d: CaseDetail, a: Assessment) -> list[ft.Control]:
    """The act read-only, section by section as on the official form."""
    t, tr = app.t, app.tr
    f = lambda label_key, value, name: _field(app, t(label_key), value,  # noqa: E731
                                              f"review-act-{name}")
    present = ", ".join(d.names.get(str(p), t("review.field.unknown_person"))
                        for p in a.participants)
    out: list[ft.Control] = [
        _title(app, "assessment.section.members"),
        f("assessment.started_on", format_date(a.started_on), "started_on"),
        f("assessment.participants", present, "participants"),
        _title(app, "assessment.section.children")]
    for c in a.children:
        name = d.names.get(str(c.person_id), t("review.field.unknown_person"))
        block: list[ft.Control] = [ft.Text(name, theme_style=ft.TextThemeStyle.TITLE_SMALL)]
        if c.threat_to_life:
            block.append(mark(ft.Icons.WARNING_AMBER_ROUNDED, t("assessment.filled.threat"),
                              ft.Colors.ERROR, size=14))
        block += [f(f"assessment.child.{n}", getattr(c, n), f"child-{c.person_id}-{n}")
                  for n in af.CHILD_TEXTS]
        out.append(ft.Column(block, spacing=8, tight=True))
    out += [f("assessment.threat", _yes_no(app, a.threat), "threat"),
            f("assessment.threat_details", a.threat_details, "threat_details"),
            _title(app, "assessment.section.adults")]
    out += [f(f"assessment.{n}", getattr(a, n), n) for n in af.ADULT_TEXTS[:2]]
    out.append(f("assessment.harmful_habits", _yes_no(app, a.harmful_habits), "harmful_habits"))
    out += [f(f"assessment.{n}", getattr(a, n), n) for n in af.ADULT_TEXTS[2:]]
    out += [_title(app, "assessment.section.family"),
            f("assessment.housing", tr.label(a.housing) if a.housing else "", "housing"),
            *[f(f"assessment.{n}", getattr(a, n), n) for n in af.FAMILY_TEXTS],
            _title(app, "assessment.section.conclusion"),
            f("assessment.difficult", _yes_no(app, a.difficult_circumstances), "difficult"),
            f("assessment.circumstances", "\n".join(tr.label(c) for c in a.circumstances),
              "circumstances"),
            f("assessment.effect_on_child", a.effect_on_child, "effect_on_child"),
            f("assessment.duration", tr.label(a.problem_duration) if a.problem_duration else "",
              "duration"),
            f("assessment.recognises", _yes_no(app, a.family_recognises), "recognises"),
            f("assessment.cooperates", _yes_no(app, a.family_cooperates), "cooperates"),
            f("assessment.services", "\n".join(tr.service_labels(a.services_needed)),
              "services"),
            f("assessment.decision", tr.label(a.decision) if a.decision else "", "decision"),
            f("assessment.conclusion", a.conclusion, "conclusion")]
    return out


def closure_fields(app: ViewContext, c: Case) -> list[ft.Control]:
    """The closure read-only: when the case opened and closed, why, and the result."""
    t, tr = app.t, app.tr
    return [_field(app, t("casereview.closure.opened_on"), format_date(c.opened_on),
                   "review-closure-opened_on"),
            _field(app, t("casereview.closure.closed_on"),
                   format_date(c.closed_on) if c.closed_on else "", "review-closure-closed_on"),
            _field(app, t("casereview.closure.reason"),
                   tr.label(c.closure_reason) if c.closure_reason else "",
                   "review-closure-reason"),
            _field(app, t("casereview.closure.result"),
                   tr.label(c.closure_result) if c.closure_result else "",
                   "review-closure-result"),
            _field(app, t("casereview.closure.notes"), c.closure_notes, "review-closure-notes")]


class CaseReviewDetail:
    """State and controls of the detail of one act or closure."""

    def __init__(self, app: ViewContext, kind: str, target_id: str) -> None:
        self.app = app
        self.kind = kind
        self.target_id = target_id
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
        self.scroller = ft.Column([ft.Container(content=self.root, padding=ft.Padding.all(16))],
                                  scroll=ft.ScrollMode.AUTO, expand=True,
                                  horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        app.spawn(self.load())

    async def load(self) -> None:
        """Read the act or closure and its decisions off the event loop and draw them."""
        try:
            d = await asyncio.to_thread(review_place.load_detail, self.app.services.device,
                                        self.kind, self.target_id)
        except ReviewRefused as exc:
            self.root.controls = [empty_state(ft.Icons.SEARCH_OFF,
                                              problem_text(self.app, exc.problem))]
        else:
            self.root.controls = self._draw(d)
        with contextlib.suppress(RuntimeError):  # the user has already left this screen
            self.root.update()

    def _draw(self, d: CaseDetail) -> list[ft.Control]:
        app, t = self.app, self.app.t
        name = d.family.family_name if d.family else t("review.family_missing")
        marks: list[ft.Control] = []
        if d.threat and d.threat_days is not None:
            marks.append(threat_mark(app, d.threat_days, key="review-threat"))
        elif d.threat:
            marks.append(mark(ft.Icons.WARNING_AMBER_ROUNDED, t("assessment.filled.threat"),
                              ft.Colors.ERROR))
        marks.append(sync_mark(app, d.unsynced))
        out: list[ft.Control] = [
            ft.Column([ft.Text(name, theme_style=ft.TextThemeStyle.TITLE_LARGE,
                               key="review-family"),
                       ft.Text(row_line(app, d.kind, d.on, d.author)),
                       ft.Row(marks, wrap=True, spacing=8, run_spacing=4)],
                      spacing=6, tight=True),
            self._status(d)]
        if d.own:
            out.append(ft.Text(t("review.own"), italic=True, key="review-own"))
        if d.assessment is not None and d.assessment.completed_on is None:
            out.append(ft.Text(t("casereview.not_completed"), key="review-not-completed"))
        if d.assessment is None and d.case.closure_reason is not None:
            out.append(ft.Text(app.tr.label(d.case.closure_reason), key="review-reason"))
        out.append(ft.Divider())
        out += (act_sections(app, d, d.assessment) if d.assessment is not None
                else closure_fields(app, d.case))
        out += [ft.Divider(), self._history(d)]
        if d.may_decide:
            out += [ft.Divider(), self.comment, self.message,
                    ft.Column([self.approve, self.send_back], spacing=12, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)]
        return out

    def _status(self, d: CaseDetail) -> ft.Control:
        app, t, info = self.app, self.app.t, d.review
        parts: list[ft.Control] = [ft.Text(state_words(app, info), weight=ft.FontWeight.W_500,
                                           key="review-state")]
        if info.decision is ReviewDecision.RETURNED and info.comment:
            parts += [ft.Text(t("review.comment_from", reviewer=info.reviewer,
                                when=format_datetime(info.reviewed_at)
                                if info.reviewed_at else ""),
                              theme_style=ft.TextThemeStyle.LABEL_LARGE),
                      ft.Text(info.comment, key="review-returned-comment")]
        if d.own and d.assessment is not None and info.returned:
            async def fix(_e: object) -> None:
                await app.go(assessment_path(str(d.case.family_id), str(d.case.id)))

            parts.append(ft.FilledButton(t("casereview.open_act"), icon=ft.Icons.EDIT,
                                         height=theme.TOUCH, on_click=fix, key="review-fix"))
        return ft.Container(content=ft.Column(parts, spacing=8, tight=True,
                                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                            padding=12, border_radius=12,
                            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST, key="review-status")

    def _history(self, d: CaseDetail) -> ft.Control:
        return decision_history(self.app, d.decisions)

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
            await app.blocking(review_place.decide, app.services.device, self.kind,
                               self.target_id, approved=approved,
                               comment=str(self.comment.value or ""))
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
                await self.scroller.scroll_to(offset=-1)
                if exc.on_comment:
                    await self.comment.focus()
            return
        await app.refresh_pending()
        app.spawn(app.sync_soon())   # the author should not wait for the next interval
        done = app.t("review.done.approved" if approved else "review.done.returned")
        await app.go("/more/review", notice=done)
