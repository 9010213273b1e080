"""The dashboard's sections: each a titled block of figures, in words and numbers first.

Built from a ``Dashboard`` (figures from the device's records) and the server's device
activity. Every count is text; charts only repeat what the text says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services.dashboard import Dashboard
from field_app.services.supervision import DeviceLine
from field_app.ui import theme
from field_app.ui.views.charts import count_bars, week_chart
from field_app.ui.views.placements import placement_tile
from shared_models.enums import RiskLevel

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

#: Overdue families listed before "and N more".
OVERDUE_SHOWN = 8


def section(title: str, controls: list[ft.Control], *, key: str) -> ft.Control:
    """A titled block with a divider above."""
    return ft.Column([
        ft.Divider(height=8),
        ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
        *controls,
    ], spacing=8, tight=True, key=key)


def _go(app: ViewContext, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


def summary(app: ViewContext, d: Dashboard, devices: list[DeviceLine] | None) -> ft.Control:
    """The four numbers worth a look first, as chips that wrap on a phone."""
    t = app.t
    silent = sum(1 for x in devices or [] if x.worth_a_call)
    items = [
        (ft.Icons.EVENT_BUSY, t("dash.summary.overdue", n=len(d.overdue)), bool(d.overdue),
         "dash-sum-overdue"),
        (ft.Icons.CALL_SPLIT, t("dash.summary.conflicts", n=sum(d.conflicts.values())),
         bool(d.conflicts), "dash-sum-conflicts"),
        (ft.Icons.CHILD_CARE, t("dash.summary.placements", n=len(d.placements)),
         bool(d.placements), "dash-sum-placements"),
    ]
    if devices is not None:
        items.append((ft.Icons.PHONELINK_ERASE, t("dash.summary.silent", n=silent), silent > 0,
                      "dash-sum-silent"))
    chips: list[ft.Control] = []
    for icon, words, alarm, key in items:
        color = ft.Colors.ERROR if alarm else None
        chips.append(ft.Container(
            content=ft.Row([ft.Icon(icon, size=18, color=color),
                            ft.Text(words, color=color, weight=ft.FontWeight.W_500)],
                           spacing=6, tight=True),
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8, key=key))
    return ft.Row(chips, wrap=True, spacing=8, run_spacing=8, key="dash-summary")


def weeks(app: ViewContext, d: Dashboard) -> ft.Control:
    """Visits per week: chart, then every week's number, then per community."""
    t, tr = app.t, app.tr
    rows: list[ft.Control] = [
        ft.Text(t("dash.weeks.caption", weeks=len(d.weeks),
                  total=tr.plural("dash.visits", d.visits_in_period))),
        week_chart(app, d.weeks, key="dash-weeks-chart"),
    ]
    numbers: list[ft.Control] = [ft.Row([ft.Text(t("dash.weeks.row", start=format_date(w.start),
                                 end=format_date(w.end)), expand=True),
                       ft.Text(str(w.total), weight=ft.FontWeight.W_600)],
                      key=f"dash-week-{w.start.isoformat()}")
               for w in reversed(d.weeks)]
    rows.append(ft.Column(numbers, spacing=2, tight=True, key="dash-weeks-numbers"))
    if len(d.communities) > 1:
        per = d.visits_per_community()
        rows.append(ft.Text(t("dash.per_community.title"),
                            theme_style=ft.TextThemeStyle.TITLE_SMALL))
        rows.append(count_bars([(tr.community(c), n, None) for c, n in
                                sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))],
                               key="dash-per-community",
                               amount=lambda n: tr.plural("dash.visits", n)))
    return section(t("dash.weeks.title"), rows, key="dash-weeks")


def risk(app: ViewContext, d: Dashboard) -> ft.Control:
    """Open families by the risk of their latest visit, by word, number and colour."""
    t, tr = app.t, app.tr
    dark = app.dark
    rows = []
    for level, n in d.risk.items():
        words = (tr.label(level) if level is not None else t("dash.risk.none")).capitalize()
        color = theme.risk_color(level, dark) if isinstance(level, RiskLevel) else None
        rows.append((words, n, color))
    bars = count_bars(rows, key="dash-risk", amount=lambda n: tr.plural("dash.families", n))
    return section(t("dash.risk.title"), [ft.Text(t("dash.risk.caption")), bars],
                   key="dash-risk-s")


def overdue(app: ViewContext, d: Dashboard, *, several: bool = False) -> ft.Control:
    """Overdue follow-ups, most overdue first; each opens the family's card.

    With ``several`` communities shown, each row names its community.
    """
    t, tr = app.t, app.tr
    if not d.overdue:
        return section(t("dash.overdue.title"), [ft.Text(t("dash.overdue.none"))],
                       key="dash-overdue")
    tiles: list[ft.Control] = []
    for o in d.overdue[:OVERDUE_SHOWN]:
        worker = o.assigned_worker or t("dash.overdue.unassigned")
        where = f"{tr.community(o.community)} · {o.settlement}" if several else o.settlement
        tiles.append(ft.ListTile(
            title=ft.Text(o.family_name, weight=ft.FontWeight.W_500),
            subtitle=ft.Text(t("dash.overdue.row", settlement=where,
                               days=tr.plural("dash.days", o.days_overdue), worker=worker)),
            leading=ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.ERROR),
            on_click=_go(app, f"/families/{o.id}"), key=f"dash-overdue-{o.id}",
            min_height=theme.TOUCH))
    if len(d.overdue) > OVERDUE_SHOWN:
        tiles.append(ft.Text(t("dash.overdue.more", n=len(d.overdue) - OVERDUE_SHOWN)))
    return section(t("dash.overdue.title"), tiles, key="dash-overdue")


def workload(app: ViewContext, d: Dashboard) -> ft.Control:
    """Open families, overdue ones and recent visits per worker."""
    t, tr = app.t, app.tr
    if not d.workload:
        return section(t("dash.workload.title"), [ft.Text(t("dash.workload.none"))],
                       key="dash-workload")
    rows: list[ft.Control] = [
        ft.Column([
            ft.Text(w.worker, weight=ft.FontWeight.W_500),
            ft.Text(t("dash.workload.row", families=tr.plural("dash.families", w.open_families),
                      overdue=w.overdue_families, visits=w.recent_visits), size=13),
        ], spacing=0, tight=True, key=f"dash-worker-{w.worker}")
        for w in d.workload]
    return section(t("dash.workload.title"), rows, key="dash-workload")


def conflicts(app: ViewContext, d: Dashboard) -> ft.Control:
    """Open conflicts per community."""
    t, tr = app.t, app.tr
    if not d.conflicts:
        return section(t("dash.conflicts.title"), [ft.Text(t("dash.conflicts.none"))],
                       key="dash-conflicts")
    rows: list[ft.Control] = [
        ft.Row([ft.Text(tr.community(c), expand=True),
                ft.Text(t("dash.conflicts.row", n=n), weight=ft.FontWeight.W_600)],
               key=f"dash-conflicts-{c}")
        for c, n in d.conflicts.items()]
    return section(t("dash.conflicts.title"), rows, key="dash-conflicts")


def placements(app: ViewContext, d: Dashboard, *, several: bool = False) -> ft.Control:
    """Placements near or past their legal limit; a way to every placement."""
    t = app.t
    rows: list[ft.Control] = ([placement_tile(app, r, show_community=several)
                               for r in d.placements]
                              or [ft.Text(t("dash.placements.none"))])
    rows.append(ft.TextButton(t("dash.placements.all"), icon=ft.Icons.CHILD_CARE,
                              height=theme.TOUCH, on_click=_go(app, "/more/placements"),
                              key="dash-placements-all"))
    return section(t("dash.placements.title"), rows, key="dash-placements")


def device_words(app: ViewContext, line: DeviceLine) -> str:
    """When a device last reached the server, in words."""
    t, tr = app.t, app.tr
    if line.last_seen is None or line.silent_days is None:
        return t("dash.devices.never")
    if line.silent_days == 0:
        return t("dash.devices.today")
    return t("dash.devices.ago", days=tr.plural("dash.days", line.silent_days),
             date=format_datetime(line.last_seen))


def devices(app: ViewContext, lines: list[DeviceLine] | None, problem: str | None,
            retry: Callable[[object], Awaitable[None]]) -> ft.Control:
    """Last contact per device, longest silent first; silent ones flagged in words."""
    t = app.t
    if problem is not None:
        body: list[ft.Control] = [
            ft.Text(t("dash.devices.failed", reason=problem), color=ft.Colors.ERROR),
            ft.OutlinedButton(t("dash.devices.retry"), icon=ft.Icons.REFRESH,
                              height=theme.TOUCH, on_click=retry, key="dash-devices-retry")]
    elif lines is None:
        body = [ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=2),
                        ft.Text(t("dash.devices.loading"))], spacing=8)]
    elif not lines:
        body = [ft.Text(t("dash.devices.none"))]
    else:
        body = []
        for i, x in enumerate(lines):
            words = [device_words(app, x), t("dash.devices.name", name=x.name)]
            if x.replaced:
                words.append(t("dash.devices.replaced"))
            parts: list[ft.Control] = [ft.Text(x.user, weight=ft.FontWeight.W_500),
                                       ft.Text(" · ".join(words), size=13)]
            if x.worth_a_call:
                parts.append(ft.Row([ft.Icon(ft.Icons.PHONE_IN_TALK, color=ft.Colors.ERROR,
                                             size=18),
                                     ft.Text(t("dash.devices.call"), color=ft.Colors.ERROR,
                                             weight=ft.FontWeight.W_600)], spacing=6))
            body.append(ft.Column(parts, spacing=0, tight=True, key=f"dash-device-{i}"))
    return section(t("dash.devices.title"), body, key="dash-devices")
