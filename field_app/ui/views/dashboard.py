"""``/more/dashboard``: the supervisor's and coordinator's overview of their communities.

Figures come from the records on the device (``services.dashboard``, computed off the event
loop); the devices' last contact comes from the server (``services.supervision``) in a second
step, so the local figures show at once even without a network. Coordinators see all 11
communities, supervisors theirs; a filter narrows to one (kept for the session, so a
language switch or a resize does not reset it). Workers are told the screen is not theirs.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import flet as ft

from field_app.i18n import format_date
from field_app.services.dashboard import Dashboard, build_dashboard
from field_app.services.device import DeviceError
from field_app.services.supervision import SUPERVISING_ROLES, DeviceLine, device_lines
from field_app.ui.screen import Screen
from field_app.ui.views import case_dashboard as case_sections
from field_app.ui.views import dashboard_sections as sections
from field_app.ui.views.common import empty_state, problem_text
from shared_models.supervision import DeviceActivityList

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
#: Width of the community filter on wide screens (full width on phones).
FILTER_WIDTH = 420
#: Each section's share of a 12-column row: the whole width on phones, half on laptops.
SECTION_COLUMNS: dict[str | ft.ResponsiveRowBreakpoint, int | float] = {"xs": 12, "lg": 6}
#: The community chosen in the filter, per session ("" = all of the user's).
_FILTER: WeakKeyDictionary[ViewContext, str] = WeakKeyDictionary()


def build(app: ViewContext, _route: Route) -> Screen:
    """The dashboard screen."""
    return Screen(title=app.t("dash.title"), body=DashboardView(app).root)


class DashboardView:
    """State and controls of the dashboard on screen."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        self.communities: list[str] = []
        self.dashboard: Dashboard | None = None
        self.devices: list[DeviceLine] | None = None
        self.device_problem: str | None = None
        self._activity: DeviceActivityList | None = None
        self.root = ft.Column([ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                                       ft.Text(app.t("dash.loading"))], spacing=12)],
                              spacing=12, tight=True, key="dash-root",
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        app.spawn(self.load())

    @property
    def chosen(self) -> str:
        """The community of the filter ("" = every community of the user)."""
        value = _FILTER.get(self.app, "")
        return value if value in self.communities else ""

    async def load(self) -> None:
        """Who may see what, the local figures, then the server's device activity."""
        app = self.app
        account = await app.blocking(app.services.device.account)
        if account is None or account.role not in SUPERVISING_ROLES:
            self.root.controls = [empty_state(ft.Icons.LOCK_OUTLINE,
                                              app.t("dash.only_supervisors"))]
            self._refresh()
            return
        self.communities = list(account.communities)
        await self.recount()
        await self.ask_server()

    async def recount(self) -> None:
        """Compute the figures of the chosen communities (off the event loop)."""
        app = self.app
        shown = [self.chosen] if self.chosen else self.communities
        try:
            store = app.services.device.records()
            self.dashboard = await app.blocking(build_dashboard, store, communities=shown,
                                                today=date.today())
        except Exception as exc:
            log.exception("dashboard figures failed")
            self.root.controls = [ft.Text(app.t("dash.failed", reason=type(exc).__name__))]
            self._refresh()
            return
        self._draw()

    async def ask_server(self, _e: object = None) -> None:
        """When each device last reached the server (needs the network)."""
        app = self.app
        supervision = app.services.supervision
        if supervision is None:
            return
        self.devices, self.device_problem = None, None
        self._draw()
        try:
            self._activity = await app.blocking(supervision.device_activity)
        except DeviceError as exc:
            self.device_problem = problem_text(app, exc.problem)
        except Exception as exc:
            log.exception("device activity failed")
            self.device_problem = type(exc).__name__
        self._lines()
        self._draw()

    def _lines(self) -> None:
        if self._activity is not None:
            wanted = {self.chosen} if self.chosen else None
            self.devices = device_lines(self._activity, communities=wanted)

    async def _on_filter(self, e: ft.Event[ft.Dropdown]) -> None:
        _FILTER[self.app] = str(e.control.value or "")
        self._lines()
        await self.recount()

    def _filter(self) -> ft.Control:
        t, tr = self.app.t, self.app.tr
        options = [ft.DropdownOption(key="", text=t("dash.filter_all",
                                                     n=len(self.communities)))]
        options += [ft.DropdownOption(key=c, text=tr.community(c)) for c in self.communities]
        dropdown = ft.Dropdown(label=t("dash.filter"), value=self.chosen, options=options,
                               on_select=self._on_filter, key="dash-filter", menu_height=420,
                               expand=not self.app.wide, width=FILTER_WIDTH if self.app.wide
                               else None)
        # Flet 1.0.5 does not pass a dropdown's label to the semantics tree: name it here.
        # On phones the Semantics (the Row's child) expands, not only the dropdown: a Row
        # gives a child that does not expand an unbounded width, where an expanding dropdown
        # cannot be laid out (on a phone it drew over the screen, unscrolled).
        return ft.Row([ft.Semantics(label=t("dash.filter"), content=dropdown,
                                    expand=not self.app.wide)])

    def _draw(self) -> None:
        app, d = self.app, self.dashboard
        if d is None:
            return
        controls: list[ft.Control] = []
        if len(self.communities) > 1:
            controls.append(self._filter())
        several = len(d.communities) > 1
        blocks: list[ft.Control] = [   # a threat to a child first, then the case cycle
            case_sections.threats(app, d.cases, several=several),
            case_sections.overdue_assessments(app, d.cases, several=several),
            case_sections.plan_and_term(app, d.cases, several=several),
            case_sections.stages(app, d.cases),
        ]
        blocks += [
            sections.placements(app, d, several=several),
            sections.overdue(app, d, several=several),
            sections.weeks(app, d),
            sections.risk(app, d),
            sections.workload(app, d),
            sections.conflicts(app, d),
        ]
        if app.services.supervision is not None:
            blocks.append(sections.devices(app, self.devices, self.device_problem,
                                           self.ask_server))
        controls += [
            ft.Text(app.t("dash.as_of", date=format_date(d.today)), size=13),
            sections.summary(app, d, self.devices),
            # One column on phones; two on laptops, so a screen holds more at once.
            ft.ResponsiveRow([ft.Container(content=b, col=SECTION_COLUMNS) for b in blocks],
                             spacing=24, run_spacing=0,
                             vertical_alignment=ft.CrossAxisAlignment.START),
        ]
        self.root.controls = controls
        self._refresh()

    def _refresh(self) -> None:
        with contextlib.suppress(RuntimeError):   # the worker has left the screen
            self.root.update()
