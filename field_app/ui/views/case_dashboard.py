"""The dashboard's case-cycle sections: threats without a decision, cases by stage, needs
assessments past their term, plan tasks past their date and support near or past its end.
Words and numbers first; a threat row opens its act's review.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date
from field_app.services.case_reviews import OpenThreat
from field_app.services.dashboard import CaseFigures
from field_app.services.due import CaseDueRow
from field_app.ui import theme
from field_app.ui.views.charts import count_bars
from field_app.ui.views.dashboard_sections import section
from shared_models.cases import CaseStage
from shared_models.enums import RecordKind

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

#: Rows listed before "and N more".
SHOWN = 8


def _go(app: ViewContext, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


def _more(app: ViewContext, lines: list[OpenThreat] | list[CaseDueRow]
          ) -> list[ft.Control]:
    if len(lines) <= SHOWN:
        return []
    return [ft.Text(app.t("dash.overdue.more", n=len(lines) - SHOWN))]


def threats(app: ViewContext, f: CaseFigures, *, several: bool = False) -> ft.Control:
    """Threats to a child's life or health still without a decision, the longest first."""
    t, tr = app.t, app.tr
    if not f.threats:
        return section(t("casedash.threats.title"), [ft.Text(t("casedash.threats.none"))],
                       key="dash-threats")
    tiles: list[ft.Control] = []
    for c in f.threats[:SHOWN]:
        days = (t("casedash.since_today") if c.days_open <= 0
                else tr.plural("casedash.open_days", c.days_open))
        where = f"{tr.community(c.community)} · " if several else ""
        found = t(f"casedash.found.{c.kind.value}")
        path = (f"/more/review/assessment/{c.record_id}" if c.kind is RecordKind.ASSESSMENT
                else f"/families/{c.family_id}/visits/{c.record_id}")
        tiles.append(ft.ListTile(
            leading=ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.ERROR),
            title=ft.Text(c.family_name, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(t("casedash.threats.row", where=where, days=days, found=found),
                             color=ft.Colors.ERROR),
            on_click=_go(app, path), min_height=theme.TOUCH, key=f"dash-threat-{c.record_id}"))
    return section(t("casedash.threats.title"), [*tiles, *_more(app, f.threats)],
                   key="dash-threats")


def stages(app: ViewContext, f: CaseFigures) -> ft.Control:
    """Open cases by stage (request, assessment, support, closing), as words and bars."""
    t, tr = app.t, app.tr
    rows = [(t(f"casedash.stage.{s.value}"), n, None) for s, n in f.by_stage.items()
            if s is not CaseStage.CLOSED]
    bars = count_bars(rows, key="dash-stages", amount=lambda n: tr.plural("casedash.cases", n))
    return section(t("casedash.stages.title"),
                   [ft.Text(tr.plural("casedash.stages.caption", f.open_cases)), bars],
                   key="dash-stages-s")


def overdue_assessments(app: ViewContext, f: CaseFigures, *, several: bool = False
                        ) -> ft.Control:
    """Needs assessments past their 5 working days, the most overdue first."""
    t, tr = app.t, app.tr
    if not f.assessments_overdue:
        return section(t("casedash.overdue.title"), [ft.Text(t("casedash.overdue.none"))],
                       key="dash-overdue-acts")
    tiles: list[ft.Control] = []
    for c in f.assessments_overdue[:SHOWN]:
        where = (f"{tr.community(c.community)} · {c.settlement} · " if several
                 else f"{c.settlement} · ")
        late = -(c.working_days_left or 0)
        tiles.append(ft.ListTile(
            leading=ft.Icon(ft.Icons.ASSIGNMENT_LATE_OUTLINED, color=ft.Colors.ERROR),
            title=ft.Text(c.family_name, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(t("casedash.overdue.row", where=where,
                               days=tr.plural("casedash.working_days", late),
                               due=format_date(c.day))),
            on_click=_go(app, f"/families/{c.family_id}"), min_height=theme.TOUCH,
            key=f"dash-overdue-act-{c.case_id}"))
    return section(t("casedash.overdue.title"), [*tiles, *_more(app, f.assessments_overdue)],
                   key="dash-overdue-acts")


def _when(app: ViewContext, row: CaseDueRow) -> str:
    w = row.when
    return app.tr.plural(w.key, w.n) if w.n is not None else app.t(w.key)


def plan_and_term(app: ViewContext, f: CaseFigures, *, several: bool = False) -> ft.Control:
    """Plan tasks past their date and support ending within 14 days or past its end."""
    t, tr = app.t, app.tr
    rows = [*f.tasks_overdue, *f.support_ending]
    if not rows:
        return section(t("casedash.plan.title"), [ft.Text(t("casedash.plan.none"))],
                       key="dash-plan")
    tiles: list[ft.Control] = []
    for c in rows[:SHOWN]:
        where = f"{tr.community(c.community)} · " if several else ""
        what = (t("casedash.plan.task", task=c.task) if c.task_id
                else t("casedash.plan.support_end", date=format_date(c.day)))
        tiles.append(ft.ListTile(
            leading=ft.Icon(ft.Icons.CHECKLIST if c.task_id else ft.Icons.EVENT_BUSY,
                            color=ft.Colors.ERROR if c.overdue else ft.Colors.TERTIARY),
            title=ft.Text(c.family_name, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(f"{where}{what} · {_when(app, c)}", max_lines=3,
                             overflow=ft.TextOverflow.ELLIPSIS),
            on_click=_go(app, f"/families/{c.family_id}"), min_height=theme.TOUCH,
            key=f"dash-plan-{c.task_id or c.case_id}"))
    return section(t("casedash.plan.title"), [*tiles, *_more(app, rows)], key="dash-plan")
