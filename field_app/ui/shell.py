"""The scaffold around every screen.

Phones (narrower than ``theme.WIDE_FROM``): an app bar with the sync indicator, the screen,
and a bottom ``NavigationBar`` of the four places; a detail screen (family card, forms,
settings) is pushed as a second view with a back arrow and no bottom bar. Wide screens: a
``NavigationRail`` beside the content, and the families place as two panes (list | detail).
Setup and unlock are bare: no navigation and no sync indicator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.ui import routes, theme
from field_app.ui.screen import Screen
from field_app.ui.views import (
    account,
    assessment_form,
    card,
    case_forms,
    case_plan,
    conflicts,
    dashboard,
    due_visits,
    exports,
    family_form,
    member_form,
    note_form,
    note_view,
    placement_form,
    placements,
    places,
    review,
    settings,
    setup,
    sync_screen,
    unlock,
    visit_form,
    visit_view,
)

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

PLACE_ICONS = {
    routes.Place.FAMILIES: (ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE),
    routes.Place.VISITS: (ft.Icons.EVENT_OUTLINED, ft.Icons.EVENT),
    routes.Place.SYNC: (ft.Icons.SYNC, ft.Icons.SYNC),
    routes.Place.MORE: (ft.Icons.MORE_HORIZ, ft.Icons.MORE_HORIZ),
}
PLACE_LABELS = {routes.Place.FAMILIES: "nav.families", routes.Place.VISITS: "nav.visits",
                routes.Place.SYNC: "nav.sync", routes.Place.MORE: "nav.more"}


#: Routes outside the families place that show list and detail as two panes when wide.
TWO_PANES = frozenset({"review", "review_item", "conflicts", "conflict"})

ScreenBuilder = Callable[["ViewContext", routes.Route], Screen]


def _builders() -> dict[str, ScreenBuilder]:
    return {
        "setup": setup.build,
        "unlock": unlock.build,
        "families": places.families,
        "family": card.build,
        "family_new": family_form.build_new,
        "family_edit": family_form.build_edit,
        "member_new": member_form.build_new,
        "member": member_form.build_edit,
        "visit_new": visit_form.build,
        "visit": visit_view.build,
        "visit_edit": visit_form.build,
        "note_new": note_form.build,
        "note": note_view.build,
        "visits": due_visits.build,
        "sync": sync_screen.build,
        "more": places.more,
        "settings": settings.build,
        "review": review.queue,
        "review_item": review.item,
        "dashboard": dashboard.build,
        "exports": exports.build,
        "placements": placements.build_list,
        "placement_new": placement_form.build,
        "placement": placement_form.build,
        "case_new": case_forms.intake,
        "case_plan": case_plan.build,
        "task_new": case_forms.task,
        "task": case_forms.task,
        "case_extend": case_forms.extension,
        "case_close": case_forms.closure,
        "assessment": assessment_form.build,
        "change_pin": account.change_pin,
        "sign_out": account.sign_out,
        "conflicts": conflicts.list_screen,
        "conflict": conflicts.detail_screen,
        "not_found": places.not_found,
    }


def build_views(app: ViewContext, route: routes.Route) -> list[ft.View]:
    """The view stack for ``route``: the route's ancestors on phones, then the route."""
    if app.wide and (route.place is routes.Place.FAMILIES or route.name in TWO_PANES):
        chain = [route]            # two panes show list and detail side by side
    else:
        chain = []
        at: routes.Route | None = route
        while at is not None:
            chain.insert(0, at)
            at = at.parent
    return [_view(app, r, top=(i == len(chain) - 1), depth=i) for i, r in enumerate(chain)]


def _view(app: ViewContext, route: routes.Route, *, top: bool, depth: int) -> ft.View:
    screen = _builders()[route.name](app, route)
    content = _padded(screen)
    if screen.bare:
        return ft.View(
            route=route.path,
            controls=[ft.SafeArea(content=content, expand=True)],
            padding=0,
            scroll=ft.ScrollMode.AUTO if screen.scroll else None,
        )
    # On wide screens the stack is one view: a detail screen still needs its way back.
    back = depth > 0 or (app.wide and route.parent is not None)
    appbar = ft.AppBar(
        title=_title(app, screen, back=back),
        actions=[*screen.actions, app.new_indicator().control],
        leading=_back_button(app) if back else None,
        automatically_imply_leading=False,
    )
    place = route.place
    if app.wide:
        rail = _rail(app, place)
        body: ft.Control = ft.Row(
            [rail, ft.VerticalDivider(width=1), ft.Container(content=content, expand=True)],
            expand=True, spacing=0, vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        return ft.View(route=route.path, appbar=appbar, controls=[body], padding=0,
                       floating_action_button=screen.fab)
    nav = _navigation_bar(app, place) if depth == 0 else None
    return ft.View(
        route=route.path, appbar=appbar, controls=[content], padding=0,
        navigation_bar=nav, floating_action_button=screen.fab,
    )


#: What decides whether a title fits the app bar in one line: a character's width at the
#: bar's 22 px (Cyrillic letters run wide: "Редагування" takes 150 px; "і", "ї", "'" and
#: spaces about half), the room the back arrow takes with the spacing (56 + 16), and the
#: sync indicator's (48 px, more with a count).
TITLE_CHAR_PX = 12.5
NARROW = frozenset(" 'іїІЇ.,:·")
BACK_PX = 72
INDICATOR_PX = 60


def title_width(title: str) -> float:
    """About how wide ``title`` is drawn in the app bar, in px."""
    return sum(0.5 if ch in NARROW else 1.0 for ch in title) * TITLE_CHAR_PX


def _title(app: ViewContext, screen: Screen, *, back: bool) -> ft.Text:
    """The app bar's title; one that would be cut off in one line at 22 px (a form's title
    beside its save tick, on a phone) is set smaller, on up to two lines."""
    room = (app.width - (BACK_PX if back else 16) - 16
            - theme.TOUCH * len(screen.actions) - INDICATOR_PX)
    if title_width(screen.title) <= room:
        return ft.Text(screen.title, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS,
                       key="appbar-title")
    return ft.Text(screen.title, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS,
                   theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="appbar-title")


def _back_button(app: ViewContext) -> ft.Control:
    """Back to the parent route; 48 px (Flutter's own is 40 px on desktop and web)."""
    async def back(_e: object) -> None:
        await app.back()

    return ft.IconButton(icon=ft.Icons.ARROW_BACK, tooltip=app.t("common.back"),
                         on_click=back, width=theme.TOUCH, height=theme.TOUCH,
                         key="back")


def _padded(screen: Screen) -> ft.Control:
    """The body with page margins; scrollable in one column when the screen asks for it."""
    if screen.scroll:
        return ft.Column(
            [ft.Container(content=screen.body, padding=ft.Padding.all(16))],
            scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
        )
    return ft.Container(content=screen.body, expand=True)


def _go_place(app: ViewContext) -> Callable[[ft.Event[Any]], None]:
    def handler(e: ft.Event[Any]) -> None:
        index = int(e.control.selected_index or 0)
        app.spawn(app.go(routes.PLACE_PATHS[routes.Place(index)]))

    return handler


def _navigation_bar(app: ViewContext, place: routes.Place | None) -> ft.NavigationBar:
    return ft.NavigationBar(
        destinations=[
            ft.NavigationBarDestination(
                icon=PLACE_ICONS[p][0], selected_icon=PLACE_ICONS[p][1],
                label=app.t(PLACE_LABELS[p]), key=f"nav-{p.name.lower()}",
            )
            for p in routes.Place
        ],
        selected_index=int(place) if place is not None else 0,
        on_change=_go_place(app),
        key="navigation-bar",
    )


def _rail(app: ViewContext, place: routes.Place | None) -> ft.NavigationRail:
    return ft.NavigationRail(
        destinations=[
            ft.NavigationRailDestination(
                icon=PLACE_ICONS[p][0], selected_icon=PLACE_ICONS[p][1],
                label=app.t(PLACE_LABELS[p]), key=f"rail-{p.name.lower()}",
            )
            for p in routes.Place
        ],
        selected_index=int(place) if place is not None else None,
        label_type=ft.NavigationRailLabelType.ALL,
        min_width=96,
        on_change=_go_place(app),
        key="navigation-rail",
    )
