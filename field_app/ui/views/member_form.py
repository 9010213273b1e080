"""Add, edit or remove a family member (``/families/{id}/members/new``, ``.../members/{pid}``).

Like the family form: the ``MemberForm`` is kept with its sealed draft (``sealed_form``)
under the route, so a lock or a kill loses nothing typed; an edit saves against what it
loaded, and saving returns to the card. Removing asks first, then
tombstones the member (synced like any edit; the server keeps the history).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.services import form_drafts
from field_app.services.family_forms import MemberForm, remove_member
from field_app.services.problem import Problem
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_form import FormBinder
from field_app.ui.views.sealed_form import SealedForm, save_record, sealed_screen
from shared_models.enums import PersonRole, Sex

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def build_new(app: ViewContext, route: Route) -> Screen:
    """A new member of the family in the route (a child unless changed)."""
    device, family_id = app.services.device, route.params["family_id"]
    return sealed_screen(app, route, MemberForm, app.t("family.member.new"),
                         load=lambda: form_drafts.open_new_member(device.records(), family_id),
                         draw=lambda sealed: MemberFormView(app, route, sealed).screen())


def build_edit(app: ViewContext, route: Route) -> Screen:
    """Edit or remove a stored member."""
    device, person_id = app.services.device, route.params["person_id"]
    family_id = route.params["family_id"]

    def stored() -> form_drafts.Opened[MemberForm] | None:
        return form_drafts.open_member(device.records(), family_id, person_id)

    return sealed_screen(app, route, MemberForm, app.t("family.member.edit"), load=stored,
                         draw=lambda sealed: MemberFormView(app, route, sealed).screen())


class MemberFormView:
    """The widgets of one member form."""

    def __init__(self, app: ViewContext, route: Route, sealed: SealedForm[MemberForm]) -> None:
        self.app = app
        self.route = route
        self.sealed = sealed
        self.form = sealed.form
        self.bind = FormBinder(app, sealed.form, "member", on_change=sealed.changed)

    @property
    def card_path(self) -> str:
        """The family card this form returns to."""
        return f"/families/{self.route.params['family_id']}"

    def screen(self) -> Screen:
        """The form in one column; save ends it, removal sits apart below."""
        app, t, b, form = self.app, self.app.t, self.bind, self.form
        words = ft.TextCapitalization.WORDS
        banner = self.sealed.banner()
        rows: list[ft.Control] = [banner] if banner is not None else []
        rows += [
            b.text("last_name", t("family.m.last_name"), capitalization=words),
            b.text("first_name", t("family.m.first_name"), capitalization=words),
            b.text("patronymic", t("family.m.patronymic"), capitalization=words),
            b.date("birth_date", t("family.m.birth_date"), last=date.today()),
            b.choice("sex", t("family.m.sex"),
                     [("", t("family.m.sex_unknown"))]
                     + [(s.value, app.tr.label(s)) for s in Sex]),
            b.choice("role", t("family.m.role"), [(r.value, app.tr.label(r)) for r in PersonRole]),
            b.flag("disability", t("family.m.disability")),
            b.flag("special_educational_needs", t("family.m.special_educational_needs")),
            ft.Text(t("case.f.person_details"), theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
            b.text("citizenship", t("case.f.citizenship"),
                   capitalization=ft.TextCapitalization.SENTENCES),
            b.text("study_or_work", t("case.f.study_or_work"),
                   capitalization=ft.TextCapitalization.SENTENCES),
            b.flag("idp", t("case.f.idp")),
            b.text("idp_certificate", t("case.f.idp_certificate")),
            b.message,
            b.buttons(self._save, self._cancel),
        ]
        if form.editing:
            rows += [ft.Divider(), ft.OutlinedButton(
                t("family.member.remove"), icon=ft.Icons.PERSON_REMOVE_OUTLINED,
                height=theme.TOUCH, on_click=self._ask_remove, key="member-remove",
                style=ft.ButtonStyle(color=ft.Colors.ERROR))]
        b.show()
        body = ft.Column(rows, spacing=16, tight=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        title = t("family.member.edit") if form.editing else t("family.member.new")
        return families_detail(app, title, body, form=True,
                               actions=[b.top_save(self._save)])

    async def _cancel(self, _e: object) -> None:
        await self.sealed.done()
        await self.app.go(self.card_path)

    async def _save(self, _e: object) -> None:
        async def to_card(saved: object) -> None:
            await self.app.go(self.card_path, notice=self.app.t(
                "family.form.saved" if saved else "family.form.unchanged"))

        await save_record(self.app, self.sealed, self.bind, to_card)

    async def _done(self, words: str) -> None:
        app = self.app
        self.form.busy = False
        await self.sealed.done()
        await app.refresh_pending()
        await app.go(self.card_path, notice=app.t(words))

    async def _ask_remove(self, _e: object) -> None:
        app, t = self.app, self.app.t

        async def cancel(_e: object) -> None:
            app.pop_dialog()

        async def confirm(_e: object) -> None:
            app.pop_dialog()
            await self._remove()

        app.show_dialog(ft.AlertDialog(
            modal=True,
            title=ft.Text(t("family.member.remove_title")),
            content=ft.Text(t("family.member.remove_body", name=self.form.name)),
            actions=[
                ft.TextButton(t("family.form.cancel"), height=theme.TOUCH, on_click=cancel,
                              key="member-remove-cancel"),
                ft.FilledButton(t("family.member.remove"), height=theme.TOUCH, on_click=confirm,
                                key="member-remove-confirm",
                                style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR,
                                                     color=ft.Colors.ON_ERROR)),
            ],
            key="member-remove-dialog",
        ))

    async def _remove(self) -> None:
        app, form = self.app, self.form
        if form.snapshot is None:
            return
        person_id = form.snapshot.model.id
        try:
            store = await app.blocking(app.services.device.records)
            await app.blocking(remove_member, store, person_id)
        except Exception as exc:
            log.exception("removing a member failed")
            form.message = Problem("family.form.failed", {"detail": type(exc).__name__})
            self.bind.show()
            app.update()
            return
        await self._done("family.member.removed")
