"""The case cycle's short forms: the request (intake), a plan task, extension and closure.

Routes: ``/families/{fid}/cases/new`` (``?reopens=<case id>``: a new case linked to a closed
one), ``…/cases/{cid}/tasks/new`` and ``…/tasks/{tid}``, ``…/cases/{cid}/extend``,
``…/cases/{cid}/close``. Each form object (``services.cases``) lives in a ``CaseFormSession``
kept in ``app.forms`` by path, its draft sealed in the store a moment after each change
(``services.case_drafts``), so a re-render, a lock or a kill loses nothing typed. Saving goes
through the service off the event loop; problems show beside their fields in plain words.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.dates import parse_date
from field_app.i18n import format_date
from field_app.services import case_drafts, cases, visits
from field_app.services.case_drafts import OpenedCaseForm
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views import form_session
from field_app.ui.views.common import message_text, problem_text, radio_row
from field_app.ui.views.form_session import FormSession, draft_status, show_draft_status
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import capitalised, date_field, error_line, section, stack
from field_app.ui.views.record_form import NONE
from shared_models.cases import assessment_due
from shared_models.enums import CaseResult, ReporterKind, TaskResponsible
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
Opener = Callable[[Any], OpenedCaseForm[Any]]


class CaseFormSession(FormSession):
    """One open case form: the form object, read by ``opener(store)`` off the loop."""

    def __init__(self, app: ViewContext, path: str, opener: Opener) -> None:
        super().__init__(app, path)
        self.opener = opener
        self.form: Any = None
        self.members: list[visits.Member] = []
        self.message: Problem | None = None
        self.calendar: WorkCalendar = DEFAULT_CALENDAR  # the device's, once loaded

    async def load(self) -> None:
        """Read the draft or the record (and the family's members, for the task form)."""
        device = self.app.services.device
        try:
            store = await self.app.blocking(device.records)
            opened = await self.app.blocking(self.opener, store)
            self.calendar = await self.app.blocking(cases.work_calendar, store)
            family_id = getattr(opened.form, "family_id", "")
            if family_id:
                self.members = await self.app.blocking(visits.members, store, family_id)
        except (cases.NotFound, visits.NotFound, visits.Locked):
            self.missing = "case.not_found"
            return
        self.form = opened.form
        self.seal(opened.key, lambda: case_drafts.form_data(self.form), opened.restored)


def case_session(app: ViewContext, route: Route, opener: Opener) -> CaseFormSession:
    """The case form open at ``route`` (its ``?reopens=`` makes another form), or a new one
    read by ``opener`` off the loop."""
    path = route.path + (f"?reopens={route.query['reopens']}" if route.query.get("reopens")
                         else "")
    return form_session.session_for(app, route, CaseFormSession,
                                    lambda: CaseFormSession(app, path, opener), path=path)


class CaseFormView:
    """Widgets bound to one case form object: each change goes into the form at once."""

    def __init__(self, app: ViewContext, session: CaseFormSession, prefix: str) -> None:
        self.app = app
        self.session = session
        self.form = session.form
        self.prefix = prefix
        self.errors: dict[str, ft.Control] = {}
        self.message = message_text(f"{prefix}-message")
        self.draft_status = draft_status()
        session.listeners = [self._refresh]

    # ---- widgets -----------------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return f"{self.prefix}-{name.replace('_', '-')}"

    def text(self, name: str, label: str, *, multiline: bool = False, hint: str | None = None,
             helper: str | None = None) -> ft.TextField:
        """A text field bound to ``form.<name>``."""
        tf = ft.TextField(
            label=label, value=str(getattr(self.form, name)), key=self._key(name),
            hint_text=hint, helper=helper, helper_max_lines=3, error_max_lines=3,
            multiline=multiline, min_lines=3 if multiline else None,
            max_lines=10 if multiline else 1,
            capitalization=ft.TextCapitalization.SENTENCES,
            on_change=lambda e: self.set(name, e.control.value or ""))
        self.errors[name] = tf
        return tf

    def date(self, name: str, label: str, *, first: date | None = None,
             last: date | None = None, helper: str | None = None) -> ft.TextField:
        """A date typed as 22.11.2026, or picked."""
        today = date.today()
        tf = date_field(self.app, key=self._key(name), label=label,
                        value=str(getattr(self.form, name)),
                        on_change=lambda v: self.set(name, v),
                        first=first or today - timedelta(days=366 * 2),
                        last=last or today + timedelta(days=366 * 2))
        tf.helper, tf.helper_max_lines = helper, 3
        self.errors[name] = tf
        return tf

    def flag(self, name: str, label: str) -> ft.Control:
        """A yes/no field as a checkbox row (the whole row is the target)."""
        value = bool(getattr(self.form, name))
        box = ft.Checkbox(value=value, key=self._key(name))
        row = ft.Semantics(checked=value, label=label, container=True, content=ft.ListTile(
            leading=ft.Semantics(content=box, exclude_semantics=True),
            title=ft.Semantics(content=ft.Text(label), exclude_semantics=True),
            toggle_inputs=True, min_height=theme.TOUCH, content_padding=ft.Padding.only(left=4)),
            key=f"{self._key(name)}-row")

        def changed(e: ft.Event[ft.Checkbox]) -> None:
            checked = bool(e.control.value)
            self.set(name, checked)
            row.checked = checked
            with contextlib.suppress(RuntimeError):
                row.update()

        box.on_change = changed
        return row

    def choice(self, name: str, title: str, options: list[tuple[str, str]], *,
               on: Callable[[], None] | None = None) -> ft.Control:
        """One of a few values as radio rows ("" is offered as "not given")."""
        def changed(e: ft.Event[ft.RadioGroup]) -> None:
            value = str(e.control.value or "")
            self.set(name, "" if value == NONE else value)
            if on is not None:
                on()

        group = radio_row([(v or NONE, label) for v, label in options],
                          str(getattr(self.form, name)) or NONE, changed,
                          key=self._key(name), title=title)
        error = error_line(f"{self._key(name)}-error")
        self.errors[name] = error
        return ft.Column([group, error], spacing=4, tight=True)

    def dropdown(self, name: str, label: str, options: list[tuple[str, str]]) -> ft.Control:
        """A longer list of values."""
        def changed(e: ft.Event[ft.Dropdown]) -> None:
            self.set(name, str(e.control.value or ""))

        dd = ft.Dropdown(label=label, key=self._key(name),
                         value=str(getattr(self.form, name)) or None,
                         options=[ft.DropdownOption(key=v, text=t) for v, t in options],
                         expand=True, on_select=changed, menu_height=360)
        error = error_line(f"{self._key(name)}-error")
        self.errors[name] = error
        # Flet 1.0.5 does not pass a dropdown's label to the semantics tree: name it here.
        return ft.Column([ft.Semantics(label=label, content=dd), error], spacing=4, tight=True)

    def footer(self, save_label: str, on_save: Callable[[object], Any]) -> ft.Control:
        """The form-wide message, when the draft was sealed, and the save button."""
        self.save_button = ft.FilledButton(save_label, icon=ft.Icons.SAVE_OUTLINED,
                                           height=theme.TOUCH, on_click=on_save,
                                           key=f"{self.prefix}-save")
        cancel = ft.TextButton(self.app.t("family.form.cancel"), height=theme.TOUCH,
                               on_click=self._cancel, key=f"{self.prefix}-cancel")
        return ft.Column([self.message, self.draft_status, self.save_button,
                          ft.Row([cancel], alignment=ft.MainAxisAlignment.CENTER)],
                         spacing=8, tight=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    async def _cancel(self, _e: object) -> None:
        """Leave without saving: the draft goes too (the worker chose to drop it)."""
        await self.session.done()
        await self.app.back()

    # ---- state -------------------------------------------------------------------------------
    def set(self, name: str, value: Any) -> None:
        """Take a typed value; its problem goes away as the worker corrects it."""
        setattr(self.form, name, value)
        self.session.changed()
        if self.form.errors.pop(name, None) is not None or self.session.message is not None:
            self.session.message = None
            self._refresh()

    def show(self) -> None:
        """Problems, the message and the draft line from the form onto the widgets."""
        app = self.app
        for name, control in self.errors.items():
            problem = self.form.errors.get(name)
            words = problem_text(app, problem) if problem else None
            if isinstance(control, ft.TextField):
                control.error = words
            elif isinstance(control, ft.Text):
                control.value, control.visible = words or "", words is not None
        problem = self.session.message
        self.message.value = problem_text(app, problem) if problem else ""
        self.message.visible = problem is not None
        show_draft_status(app, self.draft_status, self.session)

    def _refresh(self) -> None:
        self.show()
        with contextlib.suppress(RuntimeError):   # the form is no longer on screen
            self.app.update()

    async def save(self, saver: Callable[[Any, Any], Any], target: Callable[[Any], str],
                   notice: str) -> None:
        """Validate and store through ``saver(store, form)``; on success go to
        ``target(saved)`` saying ``notice``, else show why."""
        app, s = self.app, self.session
        if s.busy:
            return
        s.busy, s.message = True, None
        await s.pause()
        try:
            store = await app.blocking(app.services.device.records)
            saved = await app.blocking(saver, store, self.form)
        except Exception as exc:
            log.exception("saving a case form failed")
            saved, s.message = None, Problem("err.unexpected", {"detail": type(exc).__name__})
        s.busy = False
        if saved is None:
            s.resume()
            if s.message is None:
                # A refusal of the whole form (an open case exists, the case is closed).
                whole = next((self.form.errors[k] for k in ("case", "reopens")
                              if k in self.form.errors), None)
                s.message = whole or Problem("case.fix")
            self._refresh()
            return
        await s.done()
        await app.refresh_pending()
        await app.go(target(saved), notice=notice)

    def screen(self, title: str, rows: list[ft.Control]) -> Screen:
        """The form's rows in one column; the draft banner first when restored."""
        banner = self.session.banner()
        self.show()
        return families_detail(self.app, title, stack(([banner] if banner else []) + rows),
                               form=True)


def _card(family_id: str) -> str:
    return f"/families/{family_id}"


# ---- the request (intake) -------------------------------------------------------------------
def intake(app: ViewContext, route: Route) -> Screen:
    """``/families/{fid}/cases/new``: a request that opens a case."""
    fid, reopens = route.params["family_id"], route.query.get("reopens") or None
    me = app.session.username or ""
    session = case_session(app, route, lambda store: case_drafts.open_intake(
        store, fid, today=date.today(), me=me, reopens=reopens))
    title = app.t("case.intake.new_title")
    return form_session.form_screen(app, title, session,
                                    lambda: _intake_screen(app, session, title))


def _intake_screen(app: ViewContext, session: CaseFormSession, title: str) -> Screen:
    t, tr = app.t, app.tr
    v = CaseFormView(app, session, "intake")
    form: cases.IntakeForm = session.form
    rows: list[ft.Control] = []
    if form.reopens:
        rows.append(ft.Text(t("case.reopen_hint"), key="intake-reopens"))
    try:
        requested = parse_date(form.opened_on)
    except ValueError:
        requested = None
    due = (t("case.intake.due_hint", date=format_date(assessment_due(requested,
                                                                     session.calendar)))
           if requested else None)
    rows += [
        v.date("opened_on", t("case.intake.date"), last=date.today(), helper=due),
        v.choice("reporter_kind", t("case.intake.reporter"),
                   [(k.value, capitalised(tr.label(k))) for k in ReporterKind]),
        v.text("reporter_name", t("case.intake.reporter_name")),
        v.flag("reporter_consent", t("case.intake.consent")),
        v.text("request_summary", t("case.intake.summary"), multiline=True,
               hint=t("case.intake.summary_hint")),
        section(t("case.intake.addresses")),
        ft.Text(t("case.intake.addresses_hint")),
        ft.Text(t("case.intake.members_hint")),
        v.footer(t("case.intake.save"), lambda _e: app.spawn(v.save(
            cases.open_new_case, lambda _c: _card(form.family_id),
            t("case.intake.saved")))),
    ]
    return v.screen(title, rows)


# ---- a plan task ----------------------------------------------------------------------------
def task(app: ViewContext, route: Route) -> Screen:
    """``…/cases/{cid}/tasks/new`` or ``…/tasks/{tid}``: one task of the support plan."""
    cid, tid = route.params["case_id"], route.params.get("task_id")
    session = case_session(app, route, lambda store: case_drafts.open_task(store, cid, tid))
    title = app.t("case.task.edit_title" if tid else "case.task.new_title")
    return form_session.form_screen(app, title, session,
                                    lambda: _task_screen(app, route, session, title))


def _task_screen(app: ViewContext, route: Route, session: CaseFormSession,
                 title: str) -> Screen:
    t, tr = app.t, app.tr
    v = CaseFormView(app, session, "task")
    form: cases.TaskForm = session.form
    who = ft.Column(spacing=8, tight=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def who_fields() -> list[ft.Control]:
        if form.responsible == TaskResponsible.FAMILY_MEMBER.value:
            return [v.dropdown("responsible_person_id", t("case.task.member"),
                               [(m.id, m.name) for m in session.members])]
        if form.responsible == TaskResponsible.SERVICE.value:
            return [v.text("responsible_name", t("case.task.name"))]
        return []

    def responsible_changed() -> None:
        who.controls = who_fields()
        with contextlib.suppress(RuntimeError):
            who.update()

    who.controls = who_fields()
    rows: list[ft.Control] = [
        v.text("goal", t("case.task.goal"), hint=t("case.task.goal_hint")),
        v.text("task", t("case.task.task"), multiline=True),
        v.choice("responsible", t("case.task.responsible"),
                 [(r.value, capitalised(tr.label(r))) for r in TaskResponsible],
                 on=responsible_changed),
        who,
        v.date("due_date", t("case.task.due")),
    ]
    if not form.is_new:
        rows += [v.date("done_on", t("case.task.done_on"), last=date.today()),
                 v.text("progress", t("case.task.progress"), multiline=True),
                 v.flag("cancelled", t("case.task.cancelled"))]
    plan = f"/families/{route.params['family_id']}/cases/{form.case_id}/plan"
    rows.append(v.footer(t("case.task.save"), lambda _e: app.spawn(v.save(
        cases.save_task, lambda _t: plan, t("case.task.saved")))))
    return v.screen(title, rows)


# ---- extension ------------------------------------------------------------------------------
def extension(app: ViewContext, route: Route) -> Screen:
    """``…/cases/{cid}/extend``: the decision to extend support (to at most 12 months)."""
    cid = route.params["case_id"]
    session = case_session(app, route, lambda store: case_drafts.open_extension(
        store, cid, today=date.today()))
    title = app.t("case.extend.title")
    return form_session.form_screen(app, title, session,
                                    lambda: _extension_screen(app, route, session, title))


def _extension_screen(app: ViewContext, route: Route, session: CaseFormSession,
                      title: str) -> Screen:
    t = app.t
    v = CaseFormView(app, session, "extend")
    form: cases.ExtensionForm = session.form
    limit = form.limit_hint()
    rows: list[ft.Control] = []
    if limit is not None:
        rows.append(ft.Text(t("case.extend.hint", date=format_date(limit)), key="extend-hint"))
    else:
        rows.append(ft.Text(t("case.extend.not_started"), key="extend-hint"))
    rows += [
        v.date("extension_decision_date", t("case.extend.decision_date"), last=date.today()),
        v.text("extension_reason", t("case.extend.reason"), multiline=True),
        v.date("extended_end", t("case.extend.new_end"), last=limit,
               helper=t("case.extend.limit_hint", date=format_date(limit)) if limit else None),
        v.footer(t("case.extend.save"), lambda _e: app.spawn(v.save(
            cases.extend_term, lambda _c: _card(route.params["family_id"]),
            t("case.extend.saved")))),
    ]
    return v.screen(title, rows)


# ---- closure --------------------------------------------------------------------------------
def closure(app: ViewContext, route: Route) -> Screen:
    """``…/cases/{cid}/close``: date, reason, result, notes; then the supervisor decides."""
    cid = route.params["case_id"]
    session = case_session(app, route, lambda store: case_drafts.open_closure(
        store, cid, today=date.today()))
    title = app.t("case.close.title")
    return form_session.form_screen(app, title, session,
                                    lambda: _closure_screen(app, route, session, title))


def _closure_screen(app: ViewContext, route: Route, session: CaseFormSession,
                    title: str) -> Screen:
    t, tr = app.t, app.tr
    v = CaseFormView(app, session, "close")
    rows: list[ft.Control] = [
        ft.Text(t("case.close.hint"), key="close-hint"),
        v.date("closed_on", t("case.close.date"), last=date.today()),
        v.choice("closure_reason", t("case.close.reason"),
                   [(r.value, capitalised(tr.label(r))) for r in cases.CLOSURE_REASONS]),
        v.choice("closure_result", t("case.close.result"),
                 [("", t("case.close.result_none"))]
                 + [(r.value, capitalised(tr.label(r))) for r in CaseResult]),
        v.text("closure_notes", t("case.close.notes"), multiline=True),
        v.footer(t("case.close.save"), lambda _e: app.spawn(v.save(
            cases.close_case, lambda _c: _card(route.params["family_id"]),
            t("case.close.saved")))),
    ]
    return v.screen(title, rows)


__all__ = ["CaseFormSession", "CaseFormView", "case_session", "closure", "extension", "intake",
           "task"]
