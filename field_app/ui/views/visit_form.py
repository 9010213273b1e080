"""The home-visit form (new, and the author's amendment), phone first, with drafts.

``VisitFormView`` draws a ``visit_session.VisitSession``: one column of large fields, the
save button in the app bar and at the end; a refused save shows each problem next to its
field and scrolls to and focuses the first one. Reading and writing the store go through
``app.blocking``.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

import flet as ft

from field_app.dates import read_date
from field_app.i18n import format_date
from field_app.services import visits
from field_app.services.cases import TaskLine, TaskState
from field_app.services.problem import Problem
from field_app.services.visit_form import FIELD_ORDER
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.common import message_text, problem_text, radio_row
from field_app.ui.views.form_session import draft_status, form_screen, show_draft_status
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import (
    STRETCH,
    capitalised,
    date_field,
    error_line,
    next_date_buttons,
    section,
    show_problem,
    stack,
    time_field,
)
from field_app.ui.views.visit_fields import ServicePicker, present_field, risk_field
from field_app.ui.views.visit_session import VisitSession, session_for
from shared_models.enums import RiskLevel, VisitPlace

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)

#: Multi-line observation fields: (form field, label key, hint key, control key).
OBSERVATIONS = (("child_needs", "visit.child_needs", "visit.child_needs_hint",
                 "visit-child-needs"),
                ("parenting_capacity", "visit.parenting_capacity", "visit.parenting_hint",
                 "visit-parenting"),
                ("family_environment", "visit.family_environment", "visit.environment_hint",
                 "visit-environment"))


def build(app: ViewContext, route: Route) -> Screen:
    """The visit form at ``route`` (``visit_new`` or ``visit_edit``)."""
    session = session_for(app, route)
    title = app.t("visit.edit_title" if "visit_id" in route.params else "visit.new_title")
    return form_screen(app, title, session, lambda: VisitFormView(app, session).screen(title))


class VisitFormView:
    """The widgets of one render of a ``VisitSession``."""

    def __init__(self, app: ViewContext, session: VisitSession) -> None:
        self.app = app
        self.session = session
        self.form = session.form
        self.errors: dict[str, ft.Control] = {}      # form field -> control showing its problem
        self.focusable: dict[str, ft.Control] = {}   # form field -> control to focus
        self.anchors: dict[str, str] = {}            # form field -> scroll key of its block
        t = app.t
        fam = session.opened.family if session.opened else None
        self.message = message_text("visit-message")
        self.draft_status = draft_status()
        self.save_button = ft.FilledButton(t("visit.save"), icon=ft.Icons.SAVE_OUTLINED,
                                           height=56, on_click=self.save, key="visit-save")
        # An icon in the app bar (a word would squeeze the title on a 360 px phone).
        self.bar_save = ft.IconButton(icon=ft.Icons.CHECK, on_click=self.save,
                                      key="visit-save-bar", width=theme.TOUCH,
                                      height=theme.TOUCH, tooltip=t("visit.save"))
        blocks: list[ft.Control] = []
        if (banner := session.banner()) is not None:
            blocks.append(banner)
        if fam is not None:
            blocks.append(ft.Text(t("visit.family", name=fam.family_name,
                                    settlement=fam.settlement),
                                  theme_style=ft.TextThemeStyle.TITLE_LARGE))
        blocks += [self._when(), self._place(), self._present(), self._services(),
                   self._observations(), *self._plan(), self._risk(), self._threat(),
                   self._next(),
                   ft.Column([self.message, self.draft_status, self.save_button],
                             spacing=8, tight=True,
                             horizontal_alignment=ft.CrossAxisAlignment.STRETCH)]
        self.blocks = stack(blocks, spacing=24)
        # Our own scrolling column (``families_detail`` fills it), to scroll to a problem.
        self.column = ft.Column(scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                                horizontal_alignment=STRETCH, key="visit-form")
        self._show()
        session.listeners = [self._draft_written]

    def screen(self, title: str) -> Screen:
        """The screen (beside the families list when wide), save in the app bar too."""
        return families_detail(self.app, title, self.blocks, form=True,
                               actions=[self.bar_save], column=self.column)

    # ---- blocks ----------------------------------------------------------------------------
    def _anchor(self, name: str, content: ft.Control, *names: str) -> ft.Control:
        key = f"at-{name}"
        for n in (name, *names):
            self.anchors[n] = key
        return ft.Container(content=content, key=ft.ScrollKey(key))  # type: ignore[call-arg]

    def _text(self, name: str, label: str, *, key: str, hint: str | None = None,
              multiline: bool = False) -> ft.TextField:
        field = ft.TextField(
            label=label, hint_text=hint, value=str(getattr(self.form, name)), key=key,
            multiline=multiline, min_lines=3 if multiline else None,
            max_lines=12 if multiline else 1, error_max_lines=3,
            keyboard_type=ft.KeyboardType.MULTILINE if multiline else ft.KeyboardType.TEXT,
            capitalization=ft.TextCapitalization.SENTENCES,
            on_change=lambda e: self._typed(name, e.control.value or ""))
        self.errors[name] = field
        self.focusable[name] = field
        return field

    def _typed(self, name: str, value: str) -> None:
        setattr(self.form, name, value)
        self.changed(name)

    def _when(self) -> ft.Control:
        t = self.app.t
        today = date.today()
        day = date_field(self.app, key="visit-date", label=t("visit.date"),
                         value=self.form.date_text, expand=3,
                         first=today - timedelta(days=366 * 2), last=today,
                         on_change=lambda v: self._set("date_text", "date", v))
        clock = time_field(self.app, key="visit-time", label=t("visit.time"),
                           value=self.form.time_text, expand=2,
                           on_change=lambda v: self._set("time_text", "time", v))
        self.errors.update(date=day, time=clock)
        self.focusable.update(date=day, time=clock)
        return self._anchor("date", ft.Column([
            section(t("visit.when")),
            ft.Row([day, clock], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
        ], spacing=12, tight=True, horizontal_alignment=STRETCH), "time")

    def _set(self, attr: str, name: str, value: str) -> None:
        setattr(self.form, attr, value)
        self.changed(name)

    def _place(self) -> ft.Control:
        t = self.app.t

        def chose(e: ft.Event[ft.RadioGroup]) -> None:
            self.form.place = str(e.control.value or VisitPlace.HOME.value)
            self.changed("place")

        options = [(p.value, capitalised(self.app.tr.label(p))) for p in VisitPlace]
        places = radio_row(options, self.form.place, chose, key="visit-place",
                           title=t("visit.place"))
        error = error_line("visit-place-error")
        self.errors["place"] = error
        details = self._text("place_details", t("visit.place_details"),
                             key="visit-place-details")
        return self._anchor("place", ft.Column(
            [places, error, details], spacing=8, tight=True, horizontal_alignment=STRETCH),
            "place_details")

    def _present(self) -> ft.Control:
        t = self.app.t
        members = self.session.opened.members if self.session.opened else []
        error = error_line("visit-present-error")
        self.errors["present"] = error
        others = self._text("others_present", t("visit.others_present"),
                            key="visit-others", hint=t("visit.others_hint"))
        return self._anchor("present", ft.Column([
            section(t("visit.present")),
            present_field(self.app, self.form, members, self.changed), error, others,
        ], spacing=8, tight=True, horizontal_alignment=STRETCH), "others_present")

    def _services(self) -> ft.Control:
        picker = ServicePicker(self.app, self.form, self.changed)
        self.errors["services"] = picker.error
        self.focusable["services"] = picker.search
        return self._anchor("services", picker.root)

    def _observations(self) -> ft.Control:
        t = self.app.t
        fields: list[ft.Control] = [section(t("visit.observations"))]
        for name, label, hint, key in OBSERVATIONS:
            fields.append(self._anchor(name, self._text(name, t(label), hint=t(hint), key=key,
                                                        multiline=True)))
        return ft.Column(fields, spacing=12, tight=True, horizontal_alignment=STRETCH)

    def _plan(self) -> list[ft.Control]:
        """The open case's plan tasks: tick what is done, comment on the rest."""
        tasks = self.session.opened.tasks if self.session.opened else []
        if not tasks:
            return []
        t = self.app.t
        rows: list[ft.Control] = [section(t("case.visit.tasks")),
                                  ft.Text(t("case.visit.tasks_hint"))]
        for task in tasks:
            rows.append(self._plan_task(task))
        return [ft.Column(rows, spacing=12, tight=True, horizontal_alignment=STRETCH,
                          key="visit-plan")]

    def _plan_task(self, task: TaskLine) -> ft.Control:
        app, t, form = self.app, self.app.t, self.form
        ticked = task.id in form.plan_done or task.state == TaskState.DONE
        box = ft.Checkbox(value=ticked, key=f"visit-task-{task.id}",
                          disabled=task.state == TaskState.DONE)
        due = (t("case.plan.due_overdue", date=format_date(task.due_date)) if task.overdue
               else t("case.plan.due", date=format_date(task.due_date)))
        row = ft.Semantics(checked=ticked, label=f"{t('case.visit.task_done')}: {task.task}",
                           container=True, content=ft.ListTile(
            leading=ft.Semantics(content=box, exclude_semantics=True),
            title=ft.Semantics(content=ft.Text(task.task, weight=ft.FontWeight.W_500),
                               exclude_semantics=True),
            subtitle=ft.Text(f"{task.goal} · {due}",
                             color=theme.risk_color(RiskLevel.HIGH, app.dark)
                             if task.overdue else None),
            toggle_inputs=True, min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4)),
            key=f"visit-task-{task.id}-row")

        def toggled(e: ft.Event[ft.Checkbox]) -> None:
            if bool(e.control.value) != (task.id in form.plan_done):
                form.toggle_task(task.id)
            row.checked = bool(e.control.value)
            self.changed("plan")
            with contextlib.suppress(RuntimeError):
                row.update()

        def commented(e: ft.Event[ft.TextField]) -> None:
            form.plan_comments[task.id] = e.control.value or ""
            self.changed("plan")

        box.on_change = toggled
        comment = ft.TextField(label=t("case.visit.task_comment"),
                               value=form.plan_comments.get(task.id, ""), multiline=True,
                               min_lines=1, max_lines=6, key=f"visit-task-{task.id}-comment",
                               capitalization=ft.TextCapitalization.SENTENCES,
                               on_change=commented)
        return ft.Container(content=ft.Column([row, comment], spacing=4, tight=True,
                                              horizontal_alignment=STRETCH),
                            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                            border_radius=12, padding=ft.Padding(4, 4, 12, 12))

    def _threat(self) -> ft.Control:
        """A threat to a child's life or health: one flag, in the danger colour."""
        t, form = self.app.t, self.form
        box = ft.Checkbox(value=form.threat_to_life, key="visit-threat")
        row = ft.Semantics(checked=form.threat_to_life, label=t("case.visit.threat"),
                           container=True, content=ft.ListTile(
            leading=ft.Semantics(content=box, exclude_semantics=True),
            title=ft.Semantics(content=ft.Text(t("case.visit.threat"),
                                               weight=ft.FontWeight.W_600),
                               exclude_semantics=True),
            subtitle=ft.Text(t("case.visit.threat_hint")),
            toggle_inputs=True, min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4)),
            key="visit-threat-row")

        def toggled(e: ft.Event[ft.Checkbox]) -> None:
            form.threat_to_life = bool(e.control.value)
            row.checked = form.threat_to_life
            self.changed("threat_to_life")
            with contextlib.suppress(RuntimeError):
                row.update()

        box.on_change = toggled
        return ft.Container(content=row, border=ft.Border.all(
            2, theme.risk_color(RiskLevel.HIGH, self.app.dark)), border_radius=12)

    def _risk(self) -> ft.Control:
        group, error = risk_field(self.app, self.form, self.changed)
        self.errors["risk_level"] = error
        return self._anchor("risk_level", group)

    def _next(self) -> ft.Control:
        t = self.app.t
        steps = self._text("next_steps", t("visit.next_steps"), key="visit-next-steps",
                           multiline=True)
        today = date.today()
        nxt = date_field(self.app, key="visit-next-visit", label=t("visit.next_visit"),
                         value=self.form.next_visit_text, first=today - timedelta(days=366),
                         last=today + timedelta(days=366 * 2),
                         on_change=lambda v: self._set("next_visit_text", "next_visit_date", v))
        self.errors["next_visit_date"] = nxt
        self.focusable["next_visit_date"] = nxt

        def base() -> date:
            return read_date(self.form.date_text) or date.today()

        async def set_next(day: date) -> None:
            nxt.value = format_date(day)
            self._set("next_visit_text", "next_visit_date", nxt.value)
            with contextlib.suppress(RuntimeError):
                nxt.update()

        return ft.Column([
            self._anchor("next_steps", steps),
            self._anchor("next_visit_date", ft.Column([
                nxt, next_date_buttons(self.app, base, set_next, key="visit-next-in")],
                spacing=8, tight=True, horizontal_alignment=STRETCH)),
        ], spacing=12, tight=True, horizontal_alignment=STRETCH)

    # ---- state onto widgets ------------------------------------------------------------------
    def _show(self) -> None:
        s = self.session
        for name, control in self.errors.items():
            show_problem(self.app, control, s.problems.get(name))
        self.message.value = problem_text(self.app, s.message) if s.message else ""
        self.message.visible = s.message is not None
        self.save_button.disabled = self.bar_save.disabled = s.busy
        self.save_button.content = self.app.t("visit.saving" if s.busy else "visit.save")
        show_draft_status(self.app, self.draft_status, s)

    def _refresh(self) -> None:
        self._show()
        with contextlib.suppress(RuntimeError):   # the form is no longer on screen
            self.app.update()

    def changed(self, name: str) -> None:
        """A field changed: clear its problem, schedule the draft."""
        s = self.session
        s.changed()
        if name in s.problems or s.message is not None:
            s.problems.pop(name, None)
            if not s.problems:
                s.message = None
            self._refresh()

    def _draft_written(self) -> None:
        self._refresh()

    # ---- actions -----------------------------------------------------------------------------
    async def save(self, _e: object) -> None:
        """Validate and store the visit; on problems show them and go to the first."""
        app, s = self.app, self.session
        if s.busy or s.opened is None or s.saver is None:
            return
        s.busy, s.message = True, None
        self._refresh()
        await s.pause()
        try:
            store = await app.blocking(app.services.device.records)
            result = await app.blocking(visits.save, store, s.form, s.opened.draft_key)
        except Exception as exc:
            log.exception("saving a visit failed")
            s.busy, s.message = False, Problem("err.unexpected", {"detail": type(exc).__name__})
            s.resume()
            self._refresh()
            return
        s.busy = False
        if result.ok:
            await s.close()
            await app.refresh_pending()
            target = f"/families/{s.family_id}"
            if s.visit_id is not None:
                target += f"/visits/{s.visit_id}"
            await app.go(target, notice=app.t("visit.saved"))
            return
        s.problems, s.message = result.problems, Problem("visit.check_errors")
        s.resume()
        self._refresh()
        await self._go_to_first_problem()

    async def _go_to_first_problem(self) -> None:
        first = next((n for n in FIELD_ORDER if n in self.session.problems), None)
        if first is None:
            return
        with contextlib.suppress(Exception):  # the view may have been replaced meanwhile
            await self.column.scroll_to(scroll_key=self.anchors.get(first, "at-date"),
                                        duration=300)
            target = self.focusable.get(first)
            if isinstance(target, ft.TextField):
                await target.focus()
