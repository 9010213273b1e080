"""The places (families, due visits, more) and the screens still to be filled.

The sync place is ``sync_screen``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import empty_state
from field_app.ui.views.family_list import FamilyList

if TYPE_CHECKING:
    from field_app.ui.app import App
    from field_app.ui.routes import Route


def _families_list(app: App) -> ft.Control:
    return FamilyList(app).root


def _two_panes(app: App, detail: ft.Control) -> ft.Control:
    return ft.Row([
        ft.Container(content=_families_list(app), width=theme.LIST_PANE),
        ft.VerticalDivider(width=1),
        ft.Container(content=detail, expand=True, padding=ft.Padding.all(16)),
    ], expand=True, spacing=0, vertical_alignment=ft.CrossAxisAlignment.STRETCH)


def families(app: App, _route: Route) -> Screen:
    """The families place: search and list (two panes with an empty detail when wide)."""
    t = app.t
    if app.wide:
        detail = empty_state(ft.Icons.ARTICLE_OUTLINED, t("families.choose"))
        return Screen(title=t("families.title"), body=_two_panes(app, detail), scroll=False)
    return Screen(title=t("families.title"), body=_families_list(app), scroll=False)


def family(app: App, route: Route) -> Screen:
    """The family card (filled in with the store)."""
    t = app.t
    detail = empty_state(ft.Icons.CONSTRUCTION, t("family.title"), t("common.not_ready"))
    if app.wide:
        return Screen(title=t("family.title"), body=_two_panes(app, detail), scroll=False)
    return Screen(title=t("family.title"), body=detail)


def placeholder(title_key: str) -> Callable[[App, Route], Screen]:
    """A screen that says it comes in the next version (forms that need the store)."""
    def build(app: App, _route: Route) -> Screen:
        body = empty_state(ft.Icons.CONSTRUCTION, app.t(title_key), app.t("common.not_ready"))
        return Screen(title=app.t(title_key), body=body)

    return build


def visits(app: App, _route: Route) -> Screen:
    """Due and overdue visits."""
    t = app.t
    return Screen(title=t("visits.title"),
                  body=empty_state(ft.Icons.EVENT_AVAILABLE, t("visits.empty")))


def more(app: App, _route: Route) -> Screen:
    """Settings, returned work, lock, who is signed in."""
    t = app.t

    def go(path: str) -> Callable[[object], None]:
        return lambda _e: app.spawn(app.go(path))

    async def lock(_e: object) -> None:
        await app.lock_now()

    tiles: list[ft.Control] = [
        ft.ListTile(leading=ft.Icon(ft.Icons.SETTINGS_OUTLINED), title=ft.Text(t("more.settings")),
                    on_click=go("/more/settings"), key="more-settings"),
        ft.ListTile(leading=ft.Icon(ft.Icons.ASSIGNMENT_RETURN_OUTLINED),
                    title=ft.Text(t("more.review")), on_click=go("/more/review"),
                    key="more-review"),
        _conflicts_tile(app, go("/more/conflicts")),
        ft.ListTile(leading=ft.Icon(ft.Icons.LOCK_OUTLINE), title=ft.Text(t("more.lock")),
                    on_click=lock, key="more-lock"),
    ]
    if app.session.username:
        tiles.append(ft.ListTile(leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                                 title=ft.Text(t("more.user", username=app.session.username))))
    return Screen(title=t("more.title"), body=form_column(app, tiles, spacing=0))


def _conflicts_tile(app: App, on_click: Callable[[object], None]) -> ft.Control:
    overview = app.services.sync.overview
    count = overview.open_conflicts if overview is not None else 0
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.CALL_SPLIT), title=ft.Text(app.t("conflicts.title")),
        subtitle=ft.Text(app.tr.plural("sync.conflicts", count)) if count else None,
        on_click=on_click, key="more-conflicts")


def not_found(app: App, route: Route) -> Screen:
    """An unknown route."""
    t = app.t

    async def home(_e: object) -> None:
        await app.go("/families")

    body = ft.Column([
        ft.Text(t("not_found.body", route=route.path)),
        ft.FilledButton(t("not_found.home"), height=theme.TOUCH, on_click=home),
    ], spacing=16, tight=True)
    return Screen(title=t("not_found.title"), body=body)
