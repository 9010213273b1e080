"""Charts of the dashboard, always beside the same figures as text.

``week_chart`` draws visits per week with ``flet-charts`` (checked to render in the browser
view with ``no_cdn``: the Flet web client bundles the charts extension). The chart is one
image to a screen reader: it carries a label with every value, and the numbers are also
listed under it. ``count_bars`` draws categorical counts (families by risk) as rows of
Flet containers: word, number and a proportional bar in one row, so nothing depends on
colour or on seeing the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import flet as ft
import flet_charts as fch

from field_app.i18n import format_date
from field_app.services.dashboard import WeekVisits

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

CHART_HEIGHT = 180
#: Width from which every week gets an axis label (below it, every other one).
ALL_LABELS_FROM = 560


def _short(week: WeekVisits) -> str:
    return f"{week.start.day:02d}.{week.start.month:02d}"


def nice_step(top: int) -> int:
    """A round interval for about four grid lines up to ``top`` (1, 2, 5, 10, 20, 50...)."""
    rough = max(1.0, top / 4)
    magnitude = 10 ** (len(str(int(rough))) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)


def week_chart(app: ViewContext, weeks: Sequence[WeekVisits], *, key: str) -> ft.Control:
    """A bar per week (Monday's date under it); labelled for screen readers."""
    top = max((w.total for w in weeks), default=0)
    step = nice_step(top)
    every = 1 if app.width >= ALL_LABELS_FROM else 2
    color = ft.Colors.PRIMARY
    chart = fch.BarChart(
        groups=[fch.BarChartGroup(x=i, rods=[fch.BarChartRod(
            from_y=0, to_y=w.total, width=14, color=color,
            border_radius=ft.BorderRadius.only(top_left=3, top_right=3),
            tooltip=f"{_short(w)}: {w.total}")]) for i, w in enumerate(weeks)],
        max_y=max(step, -(-top // step) * step),
        left_axis=fch.ChartAxis(label_size=32, label_spacing=step),
        bottom_axis=fch.ChartAxis(label_size=28, labels=[
            fch.ChartAxisLabel(value=i, label=ft.Text(_short(w), size=11))
            for i, w in enumerate(weeks) if (len(weeks) - 1 - i) % every == 0]),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.OUTLINE_VARIANT, width=1,
                                                 interval=step),
        interactive=True, height=CHART_HEIGHT, expand=True,
    )
    values = ", ".join(f"{_short(w)}: {w.total}" for w in weeks)
    label = app.t("dash.weeks.chart", first=format_date(weeks[0].start) if weeks else "",
                  last=format_date(weeks[-1].end) if weeks else "", values=values)
    return ft.Semantics(label=label, exclude_semantics=True, key=key,
                        content=ft.Container(content=chart, height=CHART_HEIGHT))


def count_bars(rows: Sequence[tuple[str, int, str | None]], *, key: str,
               amount: Callable[[int], str] = str) -> ft.Control:
    """One row per ``(words, count, colour)``: the words, the amount, a bar of its share."""
    top = max((n for _, n, _ in rows), default=0) or 1
    lines: list[ft.Control] = []
    for i, (words, n, color) in enumerate(rows):
        bar_color = color or ft.Colors.OUTLINE
        share = round(100 * n / top)
        bar = ft.Row([
            ft.Container(bgcolor=bar_color, height=10, border_radius=3, expand=max(share, 1))
            if n else ft.Container(width=2, height=10, bgcolor=bar_color),
            ft.Container(expand=100 - share) if share < 100 else ft.Container(width=0),
        ], spacing=0)
        lines.append(ft.Semantics(label=f"{words}: {amount(n)}", exclude_semantics=True,
                                  key=f"{key}-{i}", content=ft.Column([
            ft.Row([ft.Text(words, color=color, weight=ft.FontWeight.W_600, expand=True),
                    ft.Text(amount(n), weight=ft.FontWeight.W_600)]),
            bar,
        ], spacing=4, tight=True)))
    return ft.Column(lines, spacing=10, tight=True, key=key)
