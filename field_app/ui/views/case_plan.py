"""The support plan (план соціального супроводу): ``/families/{fid}/cases/{cid}/plan``.

At the top the plan's agreement with the family and the support's term (a ``PlanForm`` in a
``CaseFormSession``, its draft sealed like the other case forms); then the tasks grouped by
goal, each with who is responsible, its due date (overdue by word and colour) and a box to
tick it done at once (``cases.tick_task``, one record per task, so two people ticking
different tasks offline both keep their work); tapping a task opens its form. A closed case's
plan is read-only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date
from field_app.services import case_drafts, cases, visits
from field_app.services.cases import CaseView, TaskLine, TaskState
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views import form_session
from field_app.ui.views.case_forms import CaseFormSession, CaseFormView, case_session
from field_app.ui.views.case_section import level_line, support_detail, support_words
from field_app.ui.views.common import problem_text
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import loading, section, stack
from shared_models.cases import TermLevel
from shared_models.enums import RiskLevel, TaskResponsible

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def build(app: ViewContext, route: Route) -> Screen:
    """The plan screen: the agreement form once loaded, the tasks loading themselves."""
    cid = route.params["case_id"]
    session = case_session(app, route, lambda store: case_drafts.open_plan(
        store, cid, today=date.today()))
    title = app.t("case.plan.title")
    return form_session.form_screen(app, title, session,
                                    lambda: PlanView(app, route, session).screen(title))


class PlanView:
    """One render of the plan screen."""

    def __init__(self, app: ViewContext, route: Route, session: CaseFormSession) -> None:
        self.app = app
        self.route = route
        self.session = session
        self.family_id = route.params["family_id"]
        self.case_id = route.params["case_id"]
        self.case: CaseView | None = None
        self.names: dict[str, str] = {}
        self.tasks = ft.Column([loading()], spacing=8, tight=True,
                               horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                               key="plan-tasks")
        self.term = ft.Column(spacing=4, tight=True)
        self.terms_form = ft.Column(spacing=16, tight=True,
                                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        app.spawn(self.load())

    def screen(self, title: str) -> Screen:
        """Term, tasks, then the agreement (the tasks are what the worker comes for)."""
        t = self.app.t
        add = ft.FilledButton(t("case.plan.add"), icon=ft.Icons.ADD_TASK, height=theme.TOUCH,
                              key="plan-add", on_click=self._add)
        self.add = add
        body = stack([self.term, add, self.tasks, self.terms_form], spacing=16)
        return families_detail(self.app, title, body, form=True)

    # ---- loading -----------------------------------------------------------------------------
    async def load(self) -> None:
        """Read the case with its tasks and the family's members' names."""
        app = self.app
        try:
            store = await app.blocking(app.services.device.records)
            found = await app.blocking(cases.load_cases, store, self.family_id,
                                       today=date.today())
            members = await app.blocking(visits.members, store, self.family_id)
        except Exception:
            log.exception("reading the plan failed")
            found, members = None, []
        self.names = {m.id: m.name for m in members}
        if found is not None:
            self.case = next((c for c in (found.open, *found.earlier)
                              if c is not None and c.id == self.case_id), None)
        self.draw()

    def draw(self) -> None:
        """The term, the tasks and the agreement from the case read."""
        app, t, c = self.app, self.app.t, self.case
        if c is None:
            self.tasks.controls = [ft.Text(t("case.not_found"))]
            self.add.visible = False
            self._update()
            return
        editable = c.closure is None
        self.add.visible = editable
        term: list[ft.Control] = []
        if not editable:
            term.append(ft.Text(t("case.plan.read_only"), key="plan-read-only"))
        if c.support is not None:
            term.append(level_line(app, c.support.level, support_words(app, c.support),
                                   key="plan-term"))
            if detail := support_detail(app, c.support):
                term.append(ft.Text(detail, theme_style=ft.TextThemeStyle.BODY_SMALL))
        term.append(ft.Text(t("case.plan.agreed", date=format_date(c.plan_agreed_on))
                            if c.plan_agreed_on else t("case.plan.not_agreed"),
                            key="plan-agreed"))
        self.term.controls = term
        shown = [x for x in c.tasks if x.state != TaskState.CANCELLED] + [
            x for x in c.tasks if x.state == TaskState.CANCELLED]
        if not shown:
            self.tasks.controls = [ft.Text(t("case.plan.empty"))]
        else:
            goals: dict[str, list[TaskLine]] = {}
            for x in shown:
                goals.setdefault(x.goal, []).append(x)
            rows: list[ft.Control] = [ft.Text(t("case.plan.progress", done=len(c.done_tasks),
                                                 total=len([x for x in c.tasks if x.state
                                                            != TaskState.CANCELLED])),
                                              weight=ft.FontWeight.W_600, key="plan-progress")]
            for goal, lines in goals.items():
                rows.append(section(t("case.plan.goal", goal=goal)))
                rows += [self._task(x, editable) for x in lines]
            self.tasks.controls = rows
        self.terms_form.controls = self._terms(editable)
        self._update()

    def _update(self) -> None:
        with contextlib.suppress(RuntimeError):   # the screen was left meanwhile
            self.app.update()

    # ---- a task ------------------------------------------------------------------------------
    def _who(self, x: TaskLine) -> str:
        tr = self.app.tr
        if x.responsible is TaskResponsible.FAMILY_MEMBER and x.responsible_person_id:
            return self.names.get(x.responsible_person_id, tr.label(x.responsible))
        if x.responsible_name:
            return x.responsible_name
        return tr.label(x.responsible)

    def _task(self, x: TaskLine, editable: bool) -> ft.Control:
        app, t = self.app, self.app.t
        lines: list[ft.Control] = [ft.Text(t("case.plan.who", who=self._who(x)),
                                           theme_style=ft.TextThemeStyle.BODY_SMALL)]
        if x.state == TaskState.DONE and x.done_on:
            lines.append(level_line(app, TermLevel.DONE,
                                    t("case.plan.done_on", date=format_date(x.done_on)),
                                    key=f"task-state-{x.id}"))
        elif x.state == TaskState.CANCELLED:
            lines.append(ft.Text(t("case.plan.cancelled"), color=ft.Colors.OUTLINE))
        elif x.overdue:
            lines.append(level_line(app, TermLevel.OVERDUE,
                                    t("case.plan.due_overdue", date=format_date(x.due_date)),
                                    key=f"task-state-{x.id}"))
        else:
            lines.append(ft.Text(t("case.plan.due", date=format_date(x.due_date)),
                                 key=f"task-state-{x.id}"))
        if x.progress:
            lines.append(ft.Text(x.progress, theme_style=ft.TextThemeStyle.BODY_SMALL,
                                 max_lines=3, overflow=ft.TextOverflow.ELLIPSIS))
        done = x.state == TaskState.DONE
        locked = not editable or x.state == TaskState.CANCELLED
        box = ft.Checkbox(value=done, key=f"task-tick-{x.id}", disabled=locked,
                          on_change=self._ticker(x))
        # The whole row ticks the task (one node for screen readers, named by the task);
        # the pencil beside it opens the task's form.
        row = ft.Semantics(
            label=t("case.plan.tick") + ": " + x.task, checked=done, container=True,
            content=ft.ListTile(
                leading=ft.Semantics(content=box, exclude_semantics=True),
                title=ft.Semantics(content=ft.Text(
                    x.task, weight=ft.FontWeight.W_500,
                    style=ft.TextStyle(decoration=ft.TextDecoration.LINE_THROUGH)
                    if x.state == TaskState.CANCELLED else None), exclude_semantics=True),
                subtitle=ft.Column(lines, spacing=2, tight=True),
                toggle_inputs=not locked, min_height=theme.TOUCH,
                content_padding=ft.Padding.only(left=4, right=0)),
            key=f"task-row-{x.id}")
        parts: list[ft.Control] = [ft.Container(content=row, expand=True)]
        if editable:
            parts.append(ft.IconButton(icon=ft.Icons.EDIT_OUTLINED, width=theme.TOUCH,
                                       height=theme.TOUCH, on_click=self._opener(x),
                                       tooltip=t("case.task.edit_title") + ": " + x.task,
                                       key=f"task-edit-{x.id}"))
        return ft.Container(
            content=ft.Row(parts, spacing=0, vertical_alignment=ft.CrossAxisAlignment.START),
            border=ft.Border.all(1, theme.risk_color(RiskLevel.HIGH, app.dark) if x.overdue
                                 else ft.Colors.OUTLINE_VARIANT),
            border_radius=12, padding=ft.Padding(0, 4, 0, 4), key=f"task-{x.id}")

    def _opener(self, x: TaskLine) -> Callable[[object], Awaitable[None]]:
        async def open_task(_e: object) -> None:
            await self.app.go(f"/families/{self.family_id}/cases/{self.case_id}/tasks/{x.id}")
        return open_task

    def _ticker(self, x: TaskLine) -> Callable[[ft.Event[ft.Checkbox]], Awaitable[None]]:
        async def tick(e: ft.Event[ft.Checkbox]) -> None:
            app = self.app
            done = bool(e.control.value)
            try:
                store = await app.blocking(app.services.device.records)
                await app.blocking(cases.tick_task, store, x.id,
                                   done_on=date.today() if done else None)
            except cases.CaseRefused as exc:
                app.notice(problem_text(app, exc.problem))
            except Exception:
                log.exception("ticking a task failed")
            else:
                app.notice(app.t("case.plan.ticked" if done else "case.plan.unticked"))
                await app.refresh_pending()
            await self.load()
        return tick

    async def _add(self, _e: object) -> None:
        await self.app.go(f"/families/{self.family_id}/cases/{self.case_id}/tasks/new")

    # ---- the agreement and the term ----------------------------------------------------------
    def _terms(self, editable: bool) -> list[ft.Control]:
        if not editable:
            return []
        app, t = self.app, self.app.t
        v = CaseFormView(app, self.session, "plan")
        form: cases.PlanForm = self.session.form
        limit = form.limit_hint()
        controls: list[ft.Control] = [
            section(t("case.plan.agreement")),
            v.date("plan_agreed_on", t("case.plan.agreed_on"), last=date.today()),
            v.text("plan_agreed_by", t("case.plan.agreed_by")),
            section(t("case.plan.support")),
            v.date("support_start", t("case.plan.support_start")),
            v.date("planned_end", t("case.plan.planned_end"),
                   helper=t("case.plan.limit_hint", date=format_date(limit)) if limit else None),
            v.footer(t("case.plan.save_terms"), lambda _e: app.spawn(v.save(
                cases.save_plan, lambda _c: f"/families/{self.family_id}",
                t("case.plan.terms_saved")))),
        ]
        v.show()
        return controls
