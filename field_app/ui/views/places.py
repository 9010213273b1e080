"""The four places (families, due visits, sync, more) and the screens still to be filled.

Families and visits read the store, which is not wired yet: they show their empty states.
The sync place shows ``SyncStatus`` in words; its button waits for the sync client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.reviews import is_reviewer_role
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.sync_indicator import last_sync_words, pending_words, state_words
from field_app.ui.views import family_records
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
    """The family card; until it is built: the family's visits and notes."""
    t = app.t
    detail = family_records.section_control(app, route.params["family_id"])
    if app.wide:
        scrolled = ft.Column([detail], scroll=ft.ScrollMode.AUTO, expand=True)
        return Screen(title=t("family.title"), body=_two_panes(app, scrolled), scroll=False)
    return Screen(title=t("family.title"), body=form_column(app, [detail]))


def placeholder(title_key: str) -> Callable[[App, Route], Screen]:
    """A screen that says it comes in the next version (forms that need the store)."""
    def build(app: App, _route: Route) -> Screen:
        body = empty_state(ft.Icons.CONSTRUCTION, app.t(title_key), app.t("common.not_ready"))
        return Screen(title=app.t(title_key), body=body)

    return build


def sync(app: App, _route: Route) -> Screen:
    """Sync status in words: connection, pending changes, last sync, progress, errors."""
    t, status = app.t, app.services.sync
    rows: list[ft.Control] = [
        ft.ListTile(leading=ft.Icon(ft.Icons.WIFI_TETHERING),
                    title=ft.Text(state_words(app, status)), key="sync-state"),
        ft.ListTile(leading=ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED),
                    title=ft.Text(pending_words(app, status)), key="sync-pending"),
        ft.ListTile(leading=ft.Icon(ft.Icons.HISTORY),
                    title=ft.Text(last_sync_words(app, status)), key="sync-last"),
    ]
    if status.last_counts is not None and not status.syncing:
        rows.append(ft.ListTile(leading=ft.Icon(ft.Icons.SWAP_VERT),
                                title=ft.Text(t("sync.done", pushed=status.last_counts[0],
                                                pulled=status.last_counts[1])),
                                key="sync-counts"))
    if status.syncing:
        rows.append(ft.ProgressBar(value=status.progress, key="sync-progress",
                                   semantics_label=t("sync.syncing")))

    async def sync_now(_e: object) -> None:
        await app.sync_now()

    rows.append(ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC, height=theme.TOUCH,
                                disabled=status.syncing, on_click=sync_now, key="sync-now"))
    return Screen(title=t("sync.title"), body=form_column(app, rows, spacing=8))


def more(app: App, _route: Route) -> Screen:
    """Settings, returned work, lock, who is signed in."""
    t = app.t

    def go(path: str) -> Callable[[object], None]:
        return lambda _e: app.spawn(app.go(path))

    async def lock(_e: object) -> None:
        await app.lock_now()

    reviewer = is_reviewer_role(app.session.role)
    tiles: list[ft.Control] = [
        ft.ListTile(leading=ft.Icon(ft.Icons.SETTINGS_OUTLINED), title=ft.Text(t("more.settings")),
                    on_click=go("/more/settings"), key="more-settings"),
        ft.ListTile(leading=ft.Icon(ft.Icons.FACT_CHECK_OUTLINED if reviewer
                                    else ft.Icons.ASSIGNMENT_RETURN_OUTLINED),
                    title=ft.Text(t("review.queue.title") if reviewer else t("more.review")),
                    on_click=go("/more/review"), key="more-review"),
        ft.ListTile(leading=ft.Icon(ft.Icons.LOCK_OUTLINE), title=ft.Text(t("more.lock")),
                    on_click=lock, key="more-lock"),
    ]
    if app.session.username:
        tiles.append(ft.ListTile(leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                                 title=ft.Text(t("more.user", username=app.session.username))))
    return Screen(title=t("more.title"), body=form_column(app, tiles, spacing=0))


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
