"""The placement form: ``/families/{fid}/placements/new`` and ``…/placements/{pid}``.

The form's values live in a ``PlacementForm`` kept per session and route with its draft
sealed in the store (``sealed_form``): a language switch or a resize re-renders the screen
without losing what was typed, and a lock or a kill loses nothing either (reopening the form
restores the draft; saving deletes it). Loading and saving go through ``ViewContext.blocking``.
Problems show beside their fields in plain words; the save button floats, so it is always
within reach.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_date
from field_app.services import form_drafts
from field_app.services import placement_form as pf
from field_app.services.placements import term_of
from field_app.services.problem import Problem
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import empty_state, message_text, problem_text, radio_row
from field_app.ui.views.placements import term_badge, term_detail
from field_app.ui.views.sealed_form import SealedForm, find
from shared_models.enums import PlacementOutcome
from shared_models.foster_care import extended_limit
from shared_models.records import Family, Placement

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
_TEXT_FIELDS = ("start_date", "planned_end", "order_reference", "extension_decision_date",
                "extended_end", "ended_on", "outcome_details")
_DATES = set(pf.DATE_FIELDS)


def build(app: ViewContext, route: Route) -> Screen:
    """The placement form screen (new or existing)."""
    view = PlacementFormView(app, route)
    new = route.name == "placement_new"
    fab = ft.FloatingActionButton(icon=ft.Icons.SAVE_OUTLINED, content=app.t("placement.save"),
                                  on_click=view.save, key="placement-save")
    return Screen(title=app.t("placement.new_title" if new else "placement.edit_title"),
                  body=form_column(app, [view.root]), fab=fab)


class PlacementFormView:
    """Widgets of one placement form, bound to its ``PlacementForm``."""

    def __init__(self, app: ViewContext, route: Route) -> None:
        self.app = app
        self.route = route
        self.sealed: SealedForm[pf.PlacementForm] | None = find(app, route, pf.PlacementForm)
        self.form: pf.PlacementForm | None = self.sealed.form if self.sealed else None
        self.root = ft.Column([ft.Text(app.t("placement.loading"))], spacing=16, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.fields: dict[str, ft.TextField] = {}
        self.dropdowns: dict[str, ft.Dropdown] = {}
        self.message = message_text("placement-message")
        app.spawn(self.load())

    @property
    def loaded(self) -> pf.PlacementForm:
        """The form's values (only asked for once ``load`` has them)."""
        if self.form is None:
            raise RuntimeError("the placement form is not loaded yet")
        return self.form

    # ---- loading -------------------------------------------------------------------------
    async def load(self) -> None:
        """Read the family / placement and the choices, then draw the form."""
        app, fid = self.app, self.route.params["family_id"]
        try:
            store = app.services.device.records()
            if self.sealed is None:
                pid = (None if self.route.name == "placement_new"
                       else self.route.params["placement_id"])
                opened = await app.blocking(form_drafts.open_placement, store, fid, pid,
                                            today=date.today())
                self.sealed = app.forms.put(self.route.path, SealedForm(
                    app, self.route.path, opened, form_drafts.placement_form_data))
                self.form = self.sealed.form
            form = self.loaded
            choices = await app.blocking(pf.choices, store, form)
            family = await app.blocking(store.get, Family, fid)
            stored = (None if form.is_new else
                      await app.blocking(store.get, Placement, form.placement_id or ""))
        except pf.NotFound:
            self.root.controls = [empty_state(ft.Icons.SEARCH_OFF,
                                              app.t("placement.not_found"))]
            self._refresh()
            return
        self.root.controls = self._controls(choices, family, stored)
        self._refresh()

    def _refresh(self) -> None:
        with contextlib.suppress(RuntimeError):   # the worker has left the screen
            self.root.update()

    # ---- building ------------------------------------------------------------------------
    def _controls(self, choices: pf.PlacementChoices, family: Family | None,
                  stored: Placement | None) -> list[ft.Control]:
        app, form, t = self.app, self.loaded, self.app.t
        out: list[ft.Control] = []
        if self.sealed is not None and (banner := self.sealed.banner()) is not None:
            out.append(banner)
        if stored is not None:
            term = term_of(stored, date.today())
            out.append(ft.Column([term_badge(app, term, stored.ended_on, key="placement-status"),
                                  ft.Text(term_detail(app, term))], spacing=4, tight=True))
        out.append(self._dropdown("child_id", t("placement.child"), choices.children))
        if not choices.children:
            out.append(ft.Text(t("placement.no_children")))
        fixed = family.family_name + f" ({family.settlement})" if family else ""
        if family is not None and form.foster_family_id == str(family.id) and family.foster_family:
            out.append(self._fixed(t("placement.foster_family"), fixed, "placement-foster"))
            out.append(self._dropdown("birth_family_id", t("placement.birth_family"),
                                      [pf.Choice("", t("placement.birth_unknown")),
                                       *choices.birth_families]))
        else:
            out.append(self._dropdown("foster_family_id", t("placement.foster_family"),
                                      choices.foster_families))
            if family is not None and form.birth_family_id == str(family.id):
                out.append(self._fixed(t("placement.birth_family"), fixed, "placement-birth"))
            else:
                out.append(self._dropdown("birth_family_id", t("placement.birth_family"),
                                          [pf.Choice("", t("placement.birth_unknown")),
                                           *choices.birth_families]))
        out += [self._date("start_date", t("placement.start")),
                self._date("planned_end", t("placement.planned_end")),
                self._text("order_reference", t("placement.order"))]
        if not form.is_new:
            out += [
                ft.Text(t("placement.extension"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
                self._date("extension_decision_date", t("placement.decision_date")),
                self._date("extended_end", t("placement.extended_end")),
                ft.Text(t("placement.ending"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
                self._date("ended_on", t("placement.ended_on")),
                radio_row([("", t("placement.ongoing")),
                           *[(o.value, app.tr.label(o)) for o in PlacementOutcome]],
                          form.outcome, self._outcome, key="placement-outcome",
                          title=t("placement.outcome")),
                self._text("outcome_details", t("placement.outcome_details")),
            ]
        out += [self.message, ft.Container(height=72)]   # room above the floating button
        self._hints()
        self._show_errors()
        return out

    def _fixed(self, label: str, value: str, key: str) -> ft.Control:
        return ft.Column([ft.Text(label, theme_style=ft.TextThemeStyle.LABEL_LARGE),
                          ft.Text(value, key=key)], spacing=2, tight=True)

    def _dropdown(self, name: str, label: str, options: list[pf.Choice]) -> ft.Control:
        dd = ft.Dropdown(
            label=label, key=f"placement-{name.replace('_', '-')}", data=name,
            value=getattr(self.loaded, name) or ("" if any(o.value == "" for o in options)
                                               else None),
            options=[ft.DropdownOption(key=o.value, text=o.label) for o in options],
            enable_filter=len(options) > 8, editable=len(options) > 8, expand=True,
            on_select=self._selected, menu_height=360)
        self.dropdowns[name] = dd
        # Flet 1.0.5 does not pass a dropdown's label to the semantics tree: name it here.
        return ft.Semantics(label=label, content=dd)

    def _date(self, name: str, label: str) -> ft.TextField:
        return self._text(name, label, hint_text=self.app.t("placement.date_hint"),
                          keyboard_type=ft.KeyboardType.DATETIME)

    def _text(self, name: str, label: str, **extra: Any) -> ft.TextField:
        tf = ft.TextField(label=label, key=f"placement-{name.replace('_', '-')}", data=name,
                          value=getattr(self.loaded, name), error_max_lines=3,
                          helper_max_lines=3,
                          on_change=self._changed, **extra)
        self.fields[name] = tf
        return tf

    # ---- state to widgets ----------------------------------------------------------------
    def _hints(self) -> None:
        form, t = self.loaded, self.app.t
        limit = form.limit_hint()
        if "planned_end" in self.fields:
            self.fields["planned_end"].helper = (t("placement.limit_hint", date=limit)
                                                 if limit else None)
        if "extended_end" in self.fields:
            try:
                start = pf.parse_date(form.start_date)
            except ValueError:
                start = None
            self.fields["extended_end"].helper = (
                t("placement.extension_hint", date=format_date(extended_limit(start)))
                if start else None)

    def _show_errors(self) -> None:
        form, app = self.loaded, self.app
        for name, tf in self.fields.items():
            problem = form.errors.get(name)
            tf.error = problem_text(app, problem) if problem else None
        for name, dd in self.dropdowns.items():
            problem = form.errors.get(name)
            dd.error_text = problem_text(app, problem) if problem else None
        # Problems without a field of their own (the outcome's radios, the whole form).
        problem = form.errors.get("outcome") or form.errors.get("__form__")
        self.message.value = problem_text(app, problem) if problem else ""
        self.message.visible = problem is not None

    # ---- events --------------------------------------------------------------------------
    def _sealed_changed(self) -> None:
        if self.sealed is not None:
            self.sealed.changed()
        else:
            self.app.session.touch()

    def _changed(self, e: ft.Event[ft.TextField]) -> None:
        form = self.form
        if form is None:
            return
        name = str(e.control.data)
        setattr(form, name, e.control.value or "")
        self._sealed_changed()
        form.errors.pop(name, None)
        e.control.error = None
        if name == "start_date":
            self._hints()
            self._refresh()
        else:
            with contextlib.suppress(RuntimeError):
                e.control.update()

    async def _selected(self, e: ft.Event[ft.Dropdown]) -> None:
        form = self.form
        if form is None:
            return
        name = str(e.control.data)
        setattr(form, name, str(e.control.value or ""))
        self._sealed_changed()
        form.errors.pop(name, None)
        if name == "birth_family_id":        # the children offered follow the family chosen
            store = self.app.services.device.records()
            choices = await self.app.blocking(pf.choices, store, form)
            child = self.dropdowns.get("child_id")
            if child is not None:
                child.options = [ft.DropdownOption(key=o.value, text=o.label)
                                 for o in choices.children]
                if form.child_id not in {o.value for o in choices.children}:
                    form.child_id, child.value = "", None
        self._show_errors()
        self._refresh()

    def _outcome(self, e: ft.Event[ft.RadioGroup]) -> None:
        if self.form is not None:
            self.form.outcome = str(e.control.value or "")
            self._sealed_changed()
            self.form.errors.pop("outcome", None)
            self._show_errors()

    async def save(self, _e: object) -> None:
        """Validate and save; errors go beside their fields, success says where it is."""
        app, form, sealed = self.app, self.form, self.sealed
        if form is None or sealed is None:
            return
        for name, tf in self.fields.items():       # what is on screen is what is saved
            setattr(form, name, tf.value or "")
        form.errors.pop("__form__", None)
        await sealed.pause()   # no draft may land after the save deletes it
        try:
            store = app.services.device.records()
            saved = await app.blocking(pf.save, store, form)
        except Exception as exc:
            log.exception("saving a placement failed")
            form.errors["outcome"] = Problem("err.unexpected", {"detail": type(exc).__name__})
            saved = None
        if saved is None:
            sealed.resume()
            if "outcome" not in form.errors:
                form.errors.setdefault("__form__", Problem("placement.fix"))
            self._show_errors()
            self._refresh()
            return
        await sealed.done()
        await app.refresh_pending()
        target = f"/families/{self.route.params['family_id']}/placements/{saved.id}"
        await app.go(target, notice=app.t("placement.saved"))
