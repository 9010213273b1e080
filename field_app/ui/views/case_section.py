"""The family card's case section (ведення випадку), and the words of the case's terms.

The card reads the family's cases with itself (``FamilyCard.cases``, from
``services.cases.load_cases``, off the event loop); ``card_part`` draws them: the current
case's stage, the needs assessment's countdown in working days, a threat to a child's life
or health, the plan's progress, the support's end with its warning, a closure waiting for
the supervisor; the earlier closed cases; and what the worker can do next (open a case, the
plan, extend, close, reopen). Every state is a word with its colour and icon, never colour
alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_date
from field_app.services.cases import CaseView
from field_app.services.family_card import FamilyCard
from field_app.ui import routes, theme
from shared_models.cases import AssessmentTerm, CaseStage, SupportTerm, TermLevel
from shared_models.enums import RiskLevel

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.views.card import CardView

#: Icon and risk colour of each level (DONE is grey).
_LOOK = {
    TermLevel.OK: (ft.Icons.CHECK_CIRCLE_OUTLINE, RiskLevel.LOW),
    TermLevel.NEAR: (ft.Icons.HOURGLASS_BOTTOM, RiskLevel.MEDIUM),
    TermLevel.OVERDUE: (ft.Icons.ERROR_OUTLINE, RiskLevel.HIGH),
    TermLevel.DONE: (ft.Icons.DONE_ALL, None),
}


def case_path(family_id: str, case_id: str, sub: str = "") -> str:
    """Where a case's screens are: ``/families/{fid}/cases/{cid}/<sub>``."""
    return f"/families/{family_id}/cases/{case_id}" + (f"/{sub}" if sub else "")


# ---- words ----------------------------------------------------------------------------------
def assessment_words(app: ViewContext, term: AssessmentTerm) -> str:
    """The assessment's countdown: working days left, the last day, overdue, or done."""
    due = format_date(term.due)
    if term.level is TermLevel.DONE:
        done = format_date(term.completed_on) if term.completed_on else ""
        return app.t("case.assess.done" if term.on_time else "case.assess.late", date=done)
    if term.level is TermLevel.OVERDUE:
        return app.t("case.assess.overdue", date=due,
                     days=app.tr.plural("case.working_days", abs(term.working_days_left)))
    if term.working_days_left <= 0:
        return app.t("case.assess.today")
    return app.t("case.assess.left", date=due,
                 days=app.tr.plural("case.working_days", term.working_days_left))


def support_words(app: ViewContext, term: SupportTerm) -> str:
    """The support's end: days left (a warning near the end), or overdue."""
    end = format_date(term.end)
    days = app.tr.plural("case.days", abs(term.days_left))
    if term.level is TermLevel.DONE:
        return app.t("case.term.done", date=end)
    if term.level is TermLevel.OVERDUE:
        return app.t("case.term.overdue", date=end, days=days)
    if term.days_left == 0:
        return app.t("case.term.today")
    key = "case.term.near" if term.level is TermLevel.NEAR else "case.term.ok"
    return app.t(key, date=end, days=days)


def support_detail(app: ViewContext, term: SupportTerm) -> str:
    """The extension: recorded, or how far it may still go."""
    if term.extended:
        return app.t("case.term.extended", date=format_date(term.end))
    if term.can_extend:
        return app.t("case.term.can_extend", date=format_date(term.extension_limit))
    return ""


def level_line(app: ViewContext, level: TermLevel, words: str, *, key: str) -> ft.Control:
    """Icon and words in the level's colour (green, amber, red; grey once done)."""
    icon, risk = _LOOK[level]
    color = theme.risk_color(risk, app.dark) if risk is not None else ft.Colors.OUTLINE
    return ft.Row([ft.Icon(icon, color=color, size=20),
                   ft.Text(words, color=color, weight=ft.FontWeight.W_600, expand=True)],
                  spacing=6, key=key, vertical_alignment=ft.CrossAxisAlignment.START)


def threat_banner(app: ViewContext, *, key: str = "case-threat") -> ft.Control:
    """The threat to a child's life or health: red, with a distinct icon and words."""
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.REPORT, color=ft.Colors.ON_ERROR_CONTAINER),
                        ft.Text(app.t("case.threat"), color=ft.Colors.ON_ERROR_CONTAINER,
                                weight=ft.FontWeight.BOLD, expand=True)], spacing=8),
        bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=12, padding=ft.Padding.all(12),
        key=key)


def stage_words(app: ViewContext, stage: CaseStage) -> str:
    """The case's stage in words."""
    return app.t("case.stage", stage=app.t(f"case.stage.{stage.value}"))


# ---- the card's section ---------------------------------------------------------------------
def _small(text: str, **kw: Any) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_SMALL, **kw)


def _go(view: CardView, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await view.go(path)
    return handler


def card_part(view: CardView, card: FamilyCard, _data: Any) -> ft.Control | None:
    """The section: the current case (open, or closing), the earlier ones, the actions.
    The cases were read with the card (``FamilyCard.cases``)."""
    t = view.app.t
    cases = card.cases
    fid = card.id
    rows: list[ft.Control] = [ft.Text(t("case.section"),
                                      theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                                      weight=ft.FontWeight.W_600)]
    if cases is None:
        rows.append(ft.Text(t("case.loading")))
        return ft.Column(rows, spacing=8, tight=True, key="case-section")
    latest = cases.latest
    current = cases.open or (latest if latest is not None
                             and latest.stage is CaseStage.CLOSING else None)
    earlier = [c for c in (cases.open, *cases.earlier) if c is not None and c is not current]
    if current is not None:
        rows += _current(view, current)
    else:
        rows.append(ft.Text(t("case.none"), key="case-none"))
        if latest is not None and latest.stage is CaseStage.CLOSED:
            rows.append(ft.Column([
                ft.FilledButton(t("case.reopen"), icon=ft.Icons.REPLAY, height=theme.TOUCH,
                                key="case-reopen",
                                on_click=_go(view, f"cases/new?reopens={latest.id}")),
                _small(t("case.reopen_hint")),
            ], spacing=4, tight=True))
        else:
            rows.append(ft.Column([
                ft.FilledButton(t("case.open"), icon=ft.Icons.ASSIGNMENT_ADD,
                                height=theme.TOUCH, key="case-open",
                                on_click=_go(view, "cases/new")),
                _small(t("case.open_hint")),
            ], spacing=4, tight=True))
    if earlier:
        rows.append(ft.Text(t("case.earlier"), theme_style=ft.TextThemeStyle.TITLE_SMALL))
        rows += [_earlier(view, fid, c) for c in earlier]
    return ft.Column(rows, spacing=8, tight=True, key="case-section")


def _current(view: CardView, c: CaseView) -> list[ft.Control]:
    app, t = view.app, view.app.t
    out: list[ft.Control] = []
    if c.threat:
        out.append(threat_banner(app))
    opened = ft.Text(t("case.opened", date=format_date(c.opened_on)),
                     weight=ft.FontWeight.W_600, key="case-opened")
    who = app.tr.label(c.reporter_kind)
    if c.reporter_name:
        who = f"{who}: {c.reporter_name}"
    out += [opened, ft.Text(t("case.reporter", who=who))]
    if c.request_summary:
        out.append(ft.Text(c.request_summary, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS,
                           italic=True, key="case-summary"))
    out.append(ft.Text(stage_words(app, c.stage), key="case-stage"))
    if c.unsynced:
        out.append(ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=16,
                                   color=ft.Colors.TERTIARY),
                           _small(t("case.unsynced"), color=ft.Colors.TERTIARY)],
                          spacing=4, tight=True))
    out.append(level_line(app, c.assessment_term.level,
                              assessment_words(app, c.assessment_term), key="case-assessment"))
    if c.support is not None:
        out.append(level_line(app, c.support.level, support_words(app, c.support),
                              key="case-term"))
        if detail := support_detail(app, c.support):
            out.append(_small(detail, key="case-term-detail"))
    elif c.stage is CaseStage.SUPPORT:
        out.append(ft.Text(t("case.term.not_started"), key="case-term"))
    if c.assessment is not None and c.assessment.review.returned:
        out.append(ft.Text(t("case.assessment_returned", comment=c.assessment.review.comment),
                           color=ft.Colors.ERROR, key="case-assessment-returned"))
    out += _plan_lines(view, c)
    if c.closure is not None:
        out.append(_closure_banner(app, c))
    out.append(_actions(view, c))
    return out


def _plan_lines(view: CardView, c: CaseView) -> list[ft.Control]:
    app, t = view.app, view.app.t
    live = [x for x in c.tasks if x.state != "cancelled"]
    if not live:
        return [ft.Text(t("case.plan.empty"), key="case-plan")]
    done = len(c.done_tasks)
    bar = ft.ProgressBar(value=done / len(live), height=8, border_radius=4,
                         semantics_label=t("case.plan.progress", done=done, total=len(live)))
    out: list[ft.Control] = [ft.Text(t("case.plan.progress", done=done, total=len(live)),
                                     key="case-plan"), bar]
    if c.overdue_tasks:
        out.append(level_line(app, TermLevel.OVERDUE,
                              t("case.plan.overdue", n=len(c.overdue_tasks)),
                              key="case-plan-overdue"))
    out.append(_small(t("case.plan.agreed", date=format_date(c.plan_agreed_on))
                      if c.plan_agreed_on else t("case.plan.not_agreed")))
    return out


def _closure_banner(app: ViewContext, c: CaseView) -> ft.Control:
    closure = c.closure
    if closure is None:
        return ft.Container()
    t = app.t
    lines: list[ft.Control] = [ft.Text(
        t("case.closing.pending", date=format_date(closure.closed_on)),
        weight=ft.FontWeight.W_600, color=ft.Colors.ON_SECONDARY_CONTAINER)]
    lines.append(ft.Text(app.tr.label(closure.reason),
                         color=ft.Colors.ON_SECONDARY_CONTAINER))
    if closure.review.returned:
        lines.append(ft.Text(t("case.closing.returned", comment=closure.review.comment),
                             color=ft.Colors.ON_SECONDARY_CONTAINER))
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.HOURGLASS_TOP, color=ft.Colors.ON_SECONDARY_CONTAINER),
                        ft.Column(lines, spacing=4, tight=True, expand=True)],
                       spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=12, padding=ft.Padding.all(12),
        key="case-closing")


def _actions(view: CardView, c: CaseView) -> ft.Control:
    t = view.app.t
    buttons: list[ft.Control] = []
    # The act's screen comes with the assessment's branch (route "assessment"); until it is
    # merged the card offers no button that would lead nowhere.
    if "assessment" in routes.TABLE and c.closure is None:
        a = c.assessment
        words = ("case.to_assessment.new" if a is None else
                 "case.to_assessment.fix" if a.review.returned else
                 "case.to_assessment.draft" if a.draft else "case.to_assessment.view")
        first = a is None or a.draft or a.review.returned
        make = ft.FilledButton if first else ft.OutlinedButton
        buttons.append(make(t(words), icon=ft.Icons.FACT_CHECK_OUTLINED, height=theme.TOUCH,
                            key="case-assessment-open",
                            on_click=_go(view, case_path(c.family_id, c.id, "assessment"))))
    started = c.assessment is not None and not c.assessment.draft
    plan = ft.FilledButton if started or not buttons else ft.OutlinedButton
    buttons.append(plan(t("case.to_plan"), icon=ft.Icons.CHECKLIST, height=theme.TOUCH,
                        key="case-plan-open",
                        on_click=_go(view, case_path(c.family_id, c.id, "plan"))))
    if c.closure is None and c.may_extend:
        buttons.append(ft.OutlinedButton(
            t("case.extend"), icon=ft.Icons.MORE_TIME, height=theme.TOUCH, key="case-extend",
            on_click=_go(view, case_path(c.family_id, c.id, "extend"))))
    if c.closure is None or c.closure.review.returned:
        buttons.append(ft.OutlinedButton(
            t("case.close"), icon=ft.Icons.TASK_ALT, height=theme.TOUCH, key="case-close",
            on_click=_go(view, case_path(c.family_id, c.id, "close"))))
    return ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)


def _earlier(view: CardView, fid: str, c: CaseView) -> ft.Control:
    app, t = view.app, view.app.t
    closed = format_date(c.closure.closed_on) if c.closure else ""
    reason = app.tr.label(c.closure.reason) if c.closure else ""
    return ft.ListTile(
        title=ft.Text(t("case.earlier_row", opened=format_date(c.opened_on), closed=closed,
                        reason=reason)),
        leading=ft.Icon(ft.Icons.FOLDER_OUTLINED), min_height=theme.TOUCH,
        content_padding=ft.Padding.only(left=4, right=4), key=f"case-earlier-{c.id}",
        on_click=_go(view, case_path(fid, c.id, "plan")))
