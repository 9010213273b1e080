"""The needs-assessment act's form: ``/families/{fid}/cases/{cid}/assessment``.

The official form is long; on a phone its five sections (members, the children, the adults,
family and environment factors, the conclusion) fold: a section opens with a tap on its
title, which says how much of it is filled, and a save that finds problems opens the sections
that hold them. Structured parts are choices and yes/no (radio rows), text parts are text.
The form is a ``FormSession`` (``form_session``): its values are sealed as a draft a moment
after each change and before the store locks, so a lock or a kill loses nothing; reopening
restores it. "Зберегти" keeps the act in progress (synced, not yet the supervisor's);
"Завершити й надіслати" completes it, which puts it in the supervisor's queue. The term (due
5 working days after the request) stands at the top, in words and colour.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_date
from field_app.services import assessment_form as af
from field_app.services.cases import ReviewInfo
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.form_session import (
    FormSession,
    draft_status,
    form_screen,
    session_for,
    show_draft_status,
)
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_form import FormBinder
from shared_models.cases import AssessmentTerm, TermLevel
from shared_models.enums import AssessmentDecision, Circumstance, HousingCondition, ProblemDuration

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
SECTIONS = ("members", "children", "adults", "family", "conclusion")
#: Which section shows a field's problem (children's fields start with "child.").
_SECTION_OF = {
    "started_on": "members", "participants": "members",
    "threat_details": "children", "threat_to_life": "children", "children": "children",
    **{n: "adults" for n in (*af.ADULT_TEXTS, "harmful_habits")},
    **{n: "family" for n in (*af.FAMILY_TEXTS, "housing")},
}


def assessment_path(family_id: str, case_id: str) -> str:
    """Where a case's act is filled in (the family card links here)."""
    return f"/families/{family_id}/cases/{case_id}/assessment"


class AssessmentSession(FormSession):
    """The open act of one case, with its sealed draft and which sections are open."""

    def __init__(self, app: ViewContext, route: Route) -> None:
        super().__init__(app, route.path)
        self.family_id = route.params["family_id"]
        self.case_id = route.params["case_id"]
        self.form: af.AssessmentForm | None = None
        self.term: AssessmentTerm | None = None
        #: The supervisor's current decision on the act (a returned act shows the comment).
        self.review: ReviewInfo | None = None
        #: Sections unfolded (the first one at start; those with problems after a save).
        self.open: set[str] = {"members"}
        #: The next drawing puts the cursor in the first field with a problem.
        self.focus_error = False

    async def load(self) -> None:
        """Read the act (its draft when one was left) and the case's term off the loop."""
        app = self.app
        me = app.session.username or ""
        today = date.today()

        def read() -> tuple[af.AssessmentForm, str, Any, AssessmentTerm | None,
                            ReviewInfo | None]:
            store = app.services.device.records()
            form, key, draft = af.open_assessment(store, self.family_id, self.case_id,
                                                  me=me, today=today)
            return form, key, draft, af.case_term(store, form, today), af.review_of(store, form)

        try:
            form, key, draft, self.term, self.review = await app.blocking(read)
        except af.NotFound:
            self.missing = "assessment.missing"
            return
        self.form = form
        if form.errors:
            self.open |= _sections_of(form.errors)
        self.seal(key, lambda: af.form_data(form), draft)


def _sections_of(errors: dict[str, Problem]) -> set[str]:
    out = set()
    for name in errors:
        if name.startswith("child."):
            out.add("children")
        else:
            out.add(_SECTION_OF.get(name, "conclusion"))
    return out


def build(app: ViewContext, route: Route) -> Screen:
    """The act's form of the case in the route."""
    session = session_for(app, route, AssessmentSession, lambda: AssessmentSession(app, route))
    return form_screen(app, app.t("assessment.title"), session,
                       lambda: AssessmentView(app, route, session).screen())


def term_words(app: ViewContext, term: AssessmentTerm) -> str:
    """"До 11.12.2026: лишилося 4 робочі дні", "Прострочено на 2 робочі дні", ..."""
    t, due = app.t, format_date(term.due)
    if term.level is TermLevel.DONE:
        done = format_date(term.completed_on) if term.completed_on else ""
        return t("assessment.term.done" if term.on_time else "assessment.term.done_late",
                 date=done, due=due)
    if term.level is TermLevel.OVERDUE:
        return app.tr.plural("assessment.term.overdue", -term.working_days_left, due=due)
    if term.working_days_left == 0:
        return t("assessment.term.today", due=due)
    return app.tr.plural("assessment.term.left", term.working_days_left, due=due)


def term_line(app: ViewContext, term: AssessmentTerm, *, key: str) -> ft.Control:
    """The term with an icon and colour that follow its level (the words carry it too)."""
    icon, color = {
        TermLevel.DONE: (ft.Icons.TASK_ALT, ft.Colors.PRIMARY),
        TermLevel.OK: (ft.Icons.SCHEDULE, ft.Colors.ON_SURFACE_VARIANT),
        TermLevel.NEAR: (ft.Icons.HOURGLASS_BOTTOM, ft.Colors.TERTIARY),
        TermLevel.OVERDUE: (ft.Icons.ERROR_OUTLINE, ft.Colors.ERROR),
    }[term.level]
    return ft.Row([ft.Icon(icon, color=color, size=20),
                   ft.Text(term_words(app, term), color=color, expand=True,
                           weight=ft.FontWeight.W_500)],
                  spacing=8, vertical_alignment=ft.CrossAxisAlignment.START, key=key)


class AssessmentView:
    """The widgets of one open act."""

    def __init__(self, app: ViewContext, route: Route, session: AssessmentSession) -> None:
        self.app = app
        self.route = route
        self.session = session
        if session.form is None:
            raise RuntimeError("the act's form is drawn only once loaded")
        self.form = session.form
        self.bind = FormBinder(app, self.form, "assessment", on_change=self._changed)
        self.status = draft_status()
        self.bodies: dict[str, ft.Column] = {}
        self.headers: dict[str, ft.ListTile] = {}
        self.submit_button: ft.FilledButton | None = None

    # ---- building ------------------------------------------------------------------------
    def screen(self) -> Screen:
        """The act in one column of folding sections, the term and the actions."""
        app, t, form, b = self.app, self.app.t, self.form, self.bind
        rows: list[ft.Control] = []
        if (banner := self.session.banner()) is not None:
            rows.append(banner)
        if self.session.term is not None:
            rows.append(term_line(app, self.session.term, key="assessment-term"))
        if (review := self._review()) is not None:
            rows.append(review)
        elif form.submitted:
            rows.append(ft.Text(t("assessment.submitted_note"), key="assessment-submitted"))
        rows += [self._section("members", self._members()),
                 self._section("children", self._children()),
                 self._section("adults", self._adults()),
                 self._section("family", self._family()),
                 self._section("conclusion", self._conclusion()),
                 b.message, self._buttons(), self.status]
        b.show()
        show_draft_status(app, self.status, self.session)
        self.session.listeners[:] = [self._draft_written]
        if self.session.focus_error:      # after a refused save: to the first problem
            self.session.focus_error = False
            self.app.spawn(self._focus_error())
        body = ft.Column(rows, spacing=12, tight=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        return families_detail(app, t("assessment.title"), body, form=True,
                               actions=[b.top_save(self._save)])

    def _review(self) -> ft.Control | None:
        """The supervisor's decision: a returned act's comment, or that it was approved."""
        info, t = self.session.review, self.app.t
        if info is None or info.decision is None:
            return None
        words: list[ft.Control]
        if info.returned:
            words = [ft.Text(t("assessment.returned", reviewer=info.reviewer),
                             weight=ft.FontWeight.W_600, color=ft.Colors.ON_ERROR_CONTAINER),
                     ft.Text(info.comment, color=ft.Colors.ON_ERROR_CONTAINER,
                             key="assessment-returned-comment")]
            icon, bg = ft.Icons.ASSIGNMENT_RETURN_OUTLINED, ft.Colors.ERROR_CONTAINER
        elif info.amended:
            words = [ft.Text(t("assessment.amended"))]
            icon, bg = ft.Icons.EDIT_NOTE, ft.Colors.SURFACE_CONTAINER_HIGHEST
        else:
            words = [ft.Text(t("assessment.approved", reviewer=info.reviewer))]
            icon, bg = ft.Icons.CHECK_CIRCLE_OUTLINE, ft.Colors.SURFACE_CONTAINER_HIGHEST
        return ft.Container(
            content=ft.Row([ft.Icon(icon), ft.Column(words, spacing=4, tight=True, expand=True)],
                           spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=bg, border_radius=12, padding=ft.Padding.all(12), key="assessment-review")

    def _section(self, name: str, controls: list[ft.Control]) -> ft.Control:
        t = self.app.t
        is_open = name in self.session.open
        body = ft.Column(controls, spacing=16, tight=True, visible=is_open,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                         key=f"assessment-section-{name}-body")
        header = ft.ListTile(
            title=ft.Text(t(f"assessment.section.{name}"),
                          theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
            subtitle=ft.Text(self._filled(name)),
            trailing=ft.Icon(ft.Icons.EXPAND_LESS if is_open else ft.Icons.EXPAND_MORE),
            min_height=theme.TOUCH, on_click=lambda _e, n=name: self._toggle(n),
            content_padding=ft.Padding.only(left=4, right=4),
            key=f"assessment-section-{name}")
        self.bodies[name], self.headers[name] = body, header
        return ft.Column([header, body, ft.Divider(height=1)], spacing=4, tight=True)

    def _filled(self, name: str) -> str:
        """What the folded section holds, in a few words ("Заповнено 3 з 7")."""
        form, t = self.form, self.app.t
        if name == "members":
            n = sum(1 for m in form.members if form.values.get(f"part.{m.id}"))
            return t("assessment.filled.members", n=n, of=len(form.members))
        names: list[str] = {
            "children": [f"child.{c.id}.{n}" for c in form.children for n in af.CHILD_TEXTS],
            "adults": [*af.ADULT_TEXTS, "harmful_habits"],
            "family": [*af.FAMILY_TEXTS, "housing"],
            "conclusion": ["difficult_circumstances", "problem_duration", "family_recognises",
                           "family_cooperates", "decision", *af.CONCLUSION_TEXTS],
        }[name]
        n = sum(1 for k in names if str(form.values.get(k, "")).strip())
        words = t("assessment.filled", n=n, of=len(names))
        if name == "children" and form.threat:
            words = t("assessment.filled.threat") + " · " + words
        return words

    def _long(self, name: str, label: str) -> ft.TextField:
        return self.bind.text(name, label, multiline=True, min_lines=2, max_lines=8)

    def _yes_no(self, name: str, label: str) -> ft.Control:
        t = self.app.t
        return self.bind.choice(name, label, [("yes", t("assessment.yes")),
                                              ("no", t("assessment.no")),
                                              ("", t("assessment.not_given"))])

    def _members(self) -> list[ft.Control]:
        t, b, form = self.app.t, self.bind, self.form
        out: list[ft.Control] = [b.date("started_on", t("assessment.started_on"),
                                        last=date.today()),
                                 ft.Text(t("assessment.participants"),
                                         theme_style=ft.TextThemeStyle.TITLE_SMALL)]
        if not form.members:
            out.append(ft.Text(t("assessment.no_members")))
        out += [b.flag(f"part.{m.id}", m.name) for m in form.members]
        return out

    def _children(self) -> list[ft.Control]:
        t, b, form = self.app.t, self.bind, self.form
        out: list[ft.Control] = []
        if not form.children:
            out.append(ft.Text(t("assessment.no_children")))
        for c in form.children:
            out += [ft.Text(c.name, theme_style=ft.TextThemeStyle.TITLE_SMALL,
                            key=f"assessment-child-{c.id}"),
                    *[self._long(f"child.{c.id}.{n}", t(f"assessment.child.{n}"))
                      for n in af.CHILD_TEXTS],
                    b.flag(f"child.{c.id}.threat_to_life",
                           t("assessment.child.threat", name=c.name))]
        out += [ft.Text(t("assessment.threat_title"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
                b.flag("threat_to_life", t("assessment.threat")),
                self._long("threat_details", t("assessment.threat_details"))]
        return out

    def _adults(self) -> list[ft.Control]:
        t = self.app.t
        return [self._long("adults_health", t("assessment.adults_health")),
                self._long("adults_emotional_state", t("assessment.adults_emotional_state")),
                self._yes_no("harmful_habits", t("assessment.harmful_habits")),
                self._long("harmful_habits_details", t("assessment.harmful_habits_details")),
                self._long("social_contacts", t("assessment.social_contacts")),
                self._long("employment", t("assessment.employment")),
                self._long("self_care", t("assessment.self_care")),
                self._long("parenting", t("assessment.parenting"))]

    def _family(self) -> list[ft.Control]:
        app, t, b = self.app, self.app.t, self.bind
        return [b.choice("housing", t("assessment.housing"),
                         [*[(h.value, app.tr.label(h)) for h in HousingCondition],
                          ("", t("assessment.not_given"))]),
                self._long("housing_details", t("assessment.housing_details")),
                self._long("income", t("assessment.income")),
                self._long("environment", t("assessment.environment"))]

    def _conclusion(self) -> list[ft.Control]:
        app, t, b = self.app, self.app.t, self.bind
        not_given = ("", t("assessment.not_given"))
        return [
            self._yes_no("difficult_circumstances", t("assessment.difficult")),
            ft.Text(t("assessment.circumstances"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
            *[b.flag(f"circ.{c.value}", app.tr.label(c)) for c in Circumstance],
            self._long("effect_on_child", t("assessment.effect_on_child")),
            b.choice("problem_duration", t("assessment.duration"),
                     [*[(d.value, app.tr.label(d)) for d in ProblemDuration], not_given]),
            self._yes_no("family_recognises", t("assessment.recognises")),
            self._yes_no("family_cooperates", t("assessment.cooperates")),
            ft.Text(t("assessment.services"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
            *[b.flag(f"svc.{code}", self._service(code)) for code in af.services_offered()],
            b.choice("decision", t("assessment.decision"),
                     [*[(d.value, app.tr.label(d)) for d in AssessmentDecision], not_given]),
            self._long("conclusion", t("assessment.conclusion")),
        ]

    def _service(self, code: str) -> str:
        return self.app.tr.service_label(code)

    def _buttons(self) -> ft.Control:
        """In progress: send for approval, or save. Sent already: every save goes to the
        supervisor again (a returned act's fix is "Надіслати виправлений акт")."""
        t, review = self.app.t, self.session.review
        out: list[ft.Control] = []
        if not self.form.submitted:
            self.submit_button = ft.FilledButton(t("assessment.submit"), icon=ft.Icons.SEND,
                                                 height=theme.TOUCH, on_click=self._submit,
                                                 key="assessment-submit")
            out.append(self.submit_button)
            label = "assessment.save"
        else:
            label = ("assessment.resubmit" if review is not None and review.returned
                     else "assessment.save_changes")
        save = ft.OutlinedButton(t(label), icon=ft.Icons.SAVE_OUTLINED, height=theme.TOUCH,
                                 on_click=self._save, key="assessment-save")
        self.bind.save_button = save  # type: ignore[assignment]  # disabled while busy
        out.append(save)
        return ft.Column(out, spacing=12, tight=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    async def _focus_error(self) -> None:
        with contextlib.suppress(Exception):   # the worker may have left the form
            await self.bind.focus_first_error()

    # ---- events --------------------------------------------------------------------------
    def _toggle(self, name: str) -> None:
        opened = self.session.open
        opened.symmetric_difference_update({name})
        body, header = self.bodies[name], self.headers[name]
        body.visible = name in opened
        header.trailing = ft.Icon(ft.Icons.EXPAND_LESS if body.visible else ft.Icons.EXPAND_MORE)
        self.app.session.touch()
        with contextlib.suppress(RuntimeError):
            self.app.update()

    def _changed(self) -> None:
        self.session.changed()

    def _draft_written(self) -> None:
        show_draft_status(self.app, self.status, self.session)
        with contextlib.suppress(RuntimeError):
            self.status.update()

    async def _submit(self, _e: object) -> None:
        await self._store(submit=True)

    async def _save(self, _e: object) -> None:
        await self._store(submit=False)

    async def _store(self, *, submit: bool) -> None:
        app, form, session = self.app, self.form, self.session
        if form.busy:
            return
        form.busy = True
        if self.submit_button is not None:
            self.submit_button.disabled = True
        self.bind.show()
        app.update()
        await session.pause()    # no draft may land after the save deletes it
        try:
            store = await app.blocking(app.services.device.records)
            saved = await app.blocking(af.save, store, form, submit=submit, today=date.today())
        except af.NotFound:
            form.message, saved = Problem("assessment.missing"), None
        except Exception as exc:
            log.exception("saving an assessment failed")
            form.message = Problem("family.form.failed", {"detail": type(exc).__name__})
            saved = None
        form.busy = False
        if saved is None:
            session.resume()
            session.open |= _sections_of(form.errors)
            session.focus_error = True
            app.render()   # the sections with problems open, each problem beside its field
            return
        await session.done()
        await app.refresh_pending()
        if (submit or form.submitted) and saved.threat:
            app.spawn(app.sync_soon())   # a threat must not wait for the next interval
        words = ("assessment.submitted" if submit else
                 "assessment.resubmitted" if form.submitted else "assessment.saved")
        await app.go(f"/families/{form.family_id}", notice=app.t(words))
