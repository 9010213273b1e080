"""The visit form's choice fields: who was present, services as searchable chips, risk.

Each piece edits the ``VisitForm`` it is given and calls ``changed()`` (which clears the
field's problem and schedules the draft); it redraws only itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.visit_form import VisitForm
from field_app.services.visits import Member
from field_app.ui import theme
from field_app.ui.views.record_bits import RISK_ICONS, STRETCH, capitalised, error_line, section
from shared_models.enums import PersonRole, RiskLevel
from shared_models.services import SERVICES, Service, catalogue_order, search_services

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

Changed = Callable[[str], None]

#: Services shown before the worker searches or asks for all (the most used first).
COMMON_SERVICES = ("002.0", "001.0", "010.1", "010.2", "012.0", "psychological-support")


def _update(control: ft.Control) -> None:
    with contextlib.suppress(RuntimeError):   # not on the page (any more)
        control.update()


def present_field(app: ViewContext, form: VisitForm, members: list[Member],
                  changed: Changed) -> ft.Control:
    """Family members as check boxes, children first."""
    t = app.t
    boxes: list[ft.Control] = []
    for m in members:
        details = [t(f"enum.PersonRole.{m.role.value}")]
        if m.age is not None and m.role is PersonRole.CHILD:
            details.insert(0, app.tr.plural("visit.age", m.age))
        label = f"{m.name}, {', '.join(details)}"

        boxes.append(_member_row(m.id, label, m.id in form.present, form, changed))
    if not boxes:
        boxes.append(ft.Text(t("visit.no_members"), italic=True))
    return ft.Column(boxes, spacing=0, tight=True, horizontal_alignment=STRETCH)


def _member_row(person: str, label: str, ticked: bool, form: VisitForm,
                changed: Changed) -> ft.Control:
    """One member: the whole 48 px row toggles the box; screen readers get one checkbox
    named by the row (the small box's own semantics node is left out)."""
    box = ft.Checkbox(value=ticked, key=f"visit-present-{person}")
    row = ft.Semantics(
        content=ft.ListTile(leading=ft.Semantics(content=box, exclude_semantics=True),
                            title=ft.Text(label), toggle_inputs=True, min_height=theme.TOUCH,
                            content_padding=ft.Padding.only(left=4)),
        checked=ticked, container=True, key=f"visit-present-row-{person}")

    def toggle(_e: object) -> None:
        form.toggle_present(person)
        row.checked = person in form.present
        changed("present")
        _update(row)

    box.on_change = toggle
    return row


class ServicePicker:
    """Chosen services as chips (tap to remove), a search box, matching services to add."""

    def __init__(self, app: ViewContext, form: VisitForm, changed: Changed) -> None:
        self.app = app
        self.form = form
        self.changed = changed
        self.query = ""
        self.show_all = False
        t = app.t
        self.chosen = ft.Row(wrap=True, spacing=8, run_spacing=8, key="visit-services-chosen")
        self.search = ft.TextField(label=t("visit.services_search"),
                                   hint_text=t("visit.services_hint"),
                                   prefix_icon=ft.Icons.SEARCH, key="visit-service-search",
                                   autocorrect=False, on_change=self._typed)
        self.offered = ft.Row(wrap=True, spacing=8, run_spacing=8, key="visit-services-offered")
        self.nothing = ft.Text(t("visit.services_nothing"), visible=False, italic=True)
        self.more = ft.TextButton(height=theme.TOUCH, on_click=self._toggle_all,
                                  key="visit-services-more")
        self.error = error_line("visit-services-error")
        self.root = ft.Column([section(t("visit.services")), self.chosen, self.error,
                               self.search, self.offered, self.nothing, self.more],
                              spacing=8, tight=True, horizontal_alignment=STRETCH)
        self._draw()

    def _chip(self, service: Service, chosen: bool) -> ft.Control:
        label = self.app.tr.service_label(service.key)

        def select(_e: object, key: str = service.key) -> None:
            self.form.toggle_service(key)
            self.changed("services")
            if not chosen and self.query:   # added from a search: ready for the next one
                self.query = self.search.value = ""
            self._draw()
            _update(self.root)

        return service_chip(self.app, label, chosen, select, f"visit-service-{service.key}")

    def _draw(self) -> None:
        t, lang = self.app.t, self.app.tr.lang
        chosen = [SERVICES[k] for k in catalogue_order(self.form.services) if k in SERVICES]
        self.chosen.controls = ([self._chip(s, True) for s in chosen] or
                                [ft.Text(t("visit.services_none"), italic=True)])
        matching = [s for s in search_services(self.query, lang)
                    if s.key not in self.form.services]
        shown = matching
        if not self.query.strip() and not self.show_all:
            common = [s for s in matching if s.key in COMMON_SERVICES]
            shown = sorted(common, key=lambda s: COMMON_SERVICES.index(s.key))
        self.offered.controls = [self._chip(s, False) for s in shown]
        # "Not in the catalogue" only when nothing matches at all (not when it is chosen).
        self.nothing.visible = bool(self.query.strip()) and not search_services(self.query, lang)
        self.more.visible = not self.query.strip() and len(matching) > len(
            [s for s in matching if s.key in COMMON_SERVICES])
        self.more.content = t("visit.services_fewer" if self.show_all else "visit.services_all")

    async def _typed(self, e: ft.Event[ft.TextField]) -> None:
        self.query = e.control.value or ""
        self._draw()
        _update(self.root)

    def _toggle_all(self, _e: object) -> None:
        self.show_all = not self.show_all
        self._draw()
        _update(self.root)


def service_chip(app: ViewContext, label: str, chosen: bool, on_tap: Callable[[object], None],
                 key: str) -> ft.Control:
    """A filter chip of our own that wraps a long name onto more lines.

    Material's ``Chip`` sizes its label as one line and then clips what wraps: "020.0 Супровід
    під час інклюзивного навчання" lost its last word, and on one line with "…" "010.1" and
    "010.2" (both "Соціальний супровід сімей…") could not be told apart on a phone, where no
    tooltip shows. This one is a bordered box, 48 px high at least, whose text may wrap; to
    screen readers (and browser tests) it is a checkbox named by the service, ticked when
    chosen, and says what a tap does.
    """
    words = app.t("visit.service_remove" if chosen else "visit.service_add", name=label)
    box = ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.CHECK if chosen else ft.Icons.ADD, size=18,
                                color=ft.Colors.ON_SECONDARY_CONTAINER if chosen else None),
                        ft.Text(label, expand=True, expand_loose=True,
                                color=ft.Colors.ON_SECONDARY_CONTAINER if chosen else None)],
                       spacing=8, tight=True),
        padding=ft.Padding.symmetric(horizontal=12, vertical=14), border_radius=8,
        border=None if chosen else ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        bgcolor=ft.Colors.SECONDARY_CONTAINER if chosen else None,
        ink=True, on_click=on_tap, key=f"{key}-box")
    return ft.Semantics(content=box, label=label, checked=chosen, on_tap=on_tap,
                        on_tap_hint_text=words, exclude_semantics=True, key=key)


def risk_field(app: ViewContext, form: VisitForm, changed: Changed) -> tuple[ft.Control, ft.Text]:
    """Low / medium / high as three rows: an icon of its own shape and colour, the word,
    and the radio; the whole row is the touch target. Returns the group and its error."""
    dark = app.dark
    tiles: list[ft.ListTile] = []
    for level in RiskLevel:
        color = theme.risk_color(level, dark)
        tiles.append(ft.ListTile(
            leading=ft.Icon(RISK_ICONS[level], color=color),
            title=ft.Text(capitalised(app.tr.label(level)), weight=ft.FontWeight.W_500),
            trailing=ft.Semantics(content=ft.Radio(value=level.value, active_color=color),
                                  exclude_semantics=True),
            toggle_inputs=True, selected=form.risk_level == level.value,
            min_height=theme.TOUCH, key=f"visit-risk-{level.value}",
            shape=ft.RoundedRectangleBorder(radius=12)))

    def chose(e: ft.Event[ft.RadioGroup]) -> None:
        form.risk_level = str(e.control.value or "")
        for level, tile in zip(RiskLevel, tiles, strict=True):
            tile.selected = level.value == form.risk_level
        changed("risk_level")

    error = error_line("visit-risk-error")
    group = ft.Column([
        section(app.t("visit.risk")),
        ft.RadioGroup(value=form.risk_level or None, on_change=chose, key="visit-risk",
                      content=ft.Column(list[ft.Control](tiles), spacing=0, tight=True,
                                        horizontal_alignment=STRETCH)),
        error,
    ], spacing=4, tight=True, horizontal_alignment=STRETCH)
    return group, error
