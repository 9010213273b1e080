"""Add or edit a family (``/families/new``, ``/families/{id}/edit``).

The form object (``FamilyForm``) is kept with its sealed draft (``sealed_form``) under the
route, so a language switch or a resize keeps what was typed, and a lock, a kill or a dead
battery loses none of it: reopening the form restores the draft. "Нова сім'я" offers the
device's pending new family, if one was left. An edit loads the family with its clocks (off
the event loop) and saves against them; saving returns to the family's card.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.services import form_drafts
from field_app.services.family_forms import FamilyForm
from field_app.ui.screen import Screen
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_form import FormBinder
from field_app.ui.views.sealed_form import SealedForm, save_record, sealed_screen

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def build_new(app: ViewContext, route: Route) -> Screen:
    """A new family: my community (or a choice of mine), assigned to me."""
    device, me = app.services.device, app.session.username or ""

    def new() -> form_drafts.Opened[FamilyForm]:
        account = device.account()
        return form_drafts.open_new_family(device.records(), me=me,
                                           communities=account.communities if account else [])

    return sealed_screen(app, route, FamilyForm, app.t("family.form.new"),
                         load=new,
                         draw=lambda sealed: FamilyFormView(app, route, sealed).screen())


def build_edit(app: ViewContext, route: Route) -> Screen:
    """Edit a stored family: read it with its clocks first, then the same form."""
    device, family_id = app.services.device, route.params["family_id"]
    return sealed_screen(app, route, FamilyForm, app.t("family.form.edit"),
                         load=lambda: form_drafts.open_family(device.records(), family_id),
                         draw=lambda sealed: FamilyFormView(app, route, sealed).screen())


class FamilyFormView:
    """The widgets of one family form."""

    def __init__(self, app: ViewContext, route: Route, sealed: SealedForm[FamilyForm]) -> None:
        self.app = app
        self.route = route
        self.sealed = sealed
        self.form = sealed.form
        self.bind = FormBinder(app, sealed.form, "family", on_change=sealed.changed)

    def screen(self) -> Screen:
        """The form in one column; the save button ends it."""
        app, t, b, form = self.app, self.app.t, self.bind, self.form
        rows: list[ft.Control] = []
        if (banner := self.sealed.banner()) is not None:
            rows.append(banner)
        if form.choose_community:
            rows.append(b.choice("community", t("family.f.community"),
                                 [(c, app.tr.community(c)) for c in form.communities]))
        rows += [
            b.text("family_name", t("family.f.family_name"),
                   capitalization=ft.TextCapitalization.WORDS),
            b.text("settlement", t("family.f.settlement"),
                   capitalization=ft.TextCapitalization.WORDS),
            b.text("address", t("case.f.address")),
            b.text("registered_address", t("case.f.registered_address"),
                   helper=t("case.f.registered_hint")),
            b.text("phone", t("family.f.phone"), keyboard_type=ft.KeyboardType.PHONE,
                   prefix_icon=ft.Icons.PHONE_OUTLINED),
            _heading(t("family.form.status")),
            b.flag("difficult_circumstances", t("family.f.difficult_circumstances")),
            b.flag("displaced", t("family.f.displaced")),
            b.flag("foster_family", t("family.f.foster_family")),
            b.text("assigned_worker", t("family.f.assigned_worker"),
                   helper=t("family.form.worker_help"), autocorrect=False,
                   enable_suggestions=False),
            _heading(t("family.form.consent")),
            ft.Text(t("family.form.consent_help")),
            b.date("consent_date", t("family.f.consent_date"), last=date.today()),
            b.text("consent_by", t("family.f.consent_by"),
                   capitalization=ft.TextCapitalization.WORDS),
            b.date("next_visit_date", t("family.f.next_visit_date"),
                   first=form.next_visit_earliest),
        ]
        rows += [b.message, b.buttons(self._save, self._cancel)]
        b.show()
        body = ft.Column(rows, spacing=16, tight=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        title = t("family.form.edit") if form.editing else t("family.form.new")
        return families_detail(self.app, title, body, form=True,
                               actions=[b.top_save(self._save)])

    def _card_path(self, family_id: str) -> str:
        return f"/families/{family_id}"

    async def _cancel(self, _e: object) -> None:
        await self.sealed.done()
        fid = self.route.params.get("family_id")
        await self.app.go(self._card_path(fid) if fid else "/families")

    async def _save(self, _e: object) -> None:
        async def to_card(saved: object) -> None:
            fid = str(saved) if saved else self.route.params.get("family_id", "")
            await self.app.go(self._card_path(fid), notice=self.app.t(
                "family.form.saved" if saved else "family.form.unchanged"))

        await save_record(self.app, self.sealed, self.bind, to_card)


def _heading(text: str) -> ft.Control:
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM)
