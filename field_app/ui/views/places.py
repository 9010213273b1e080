"""The places (families, due visits, more) and the screens still to be filled.

The families place shows the list; its detail screens (the card, the family and member
forms) go beside the list on wide screens and fill the screen on phones
(``families_detail``). The sync place is ``sync_screen``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import flet as ft

from field_app.services.reviews import is_reviewer_role
from field_app.ui import routes, theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import DetailHint, empty_state, two_panes
from field_app.ui.views.family_list import FamilyList
from field_app.ui.views.more_entries import supervision_entries

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)


def families_detail(app: ViewContext, title: str, body: ft.Control, *, form: bool = False,
                    actions: list[ft.Control] | None = None,
                    column: ft.Column | None = None) -> Screen:
    """A detail screen of the families place: beside the list when wide, alone on phones.

    ``body`` scrolls in its own column (``column``, when the caller wants to scroll it)
    with page margins; a form is kept to a readable width on wide screens.
    """
    content: ft.Control = ft.Container(content=body, padding=ft.Padding(16, 16, 16, 32))
    if form and app.wide:
        content = ft.Row([ft.Container(content=content, width=theme.FORM_MAX + 32)],
                         alignment=ft.MainAxisAlignment.START)
    if column is None:
        column = ft.Column(scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                           horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    column.controls = [content]
    if app.wide:
        return Screen(title=title, body=two_panes(FamilyList(app).root, column), scroll=False,
                      actions=actions or [])
    return Screen(title=title, body=column, scroll=False, actions=actions or [])


def loading(app: ViewContext) -> ft.Control:
    """A spinner with words, while a screen reads the store."""
    return ft.Container(
        content=ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                        ft.Text(app.t("family.card.loading"))], spacing=12, tight=True),
        padding=ft.Padding.all(16))


def families_title(app: ViewContext) -> str:
    """"Сім'ї громади", or "Сім'ї 11 громад" when the device holds several communities."""
    n = len(app.session.communities)
    return app.t("families.title_many", n=n) if n > 1 else app.t("families.title")


def families(app: ViewContext, _route: Route) -> Screen:
    """The families place: search and list (two panes with a hint beside it when wide)."""
    t = app.t
    fab = ft.FloatingActionButton(content=t("family.form.new"), icon=ft.Icons.ADD,
                                  key="families-add",
                                  on_click=lambda _e: app.spawn(app.go("/families/new")))
    if app.wide:
        hint = DetailHint(ft.Icons.ARTICLE_OUTLINED, t("families.choose"),
                          (t("families.none_yet"), t("families.none_yet_hint")))
        return Screen(title=families_title(app), scroll=False, fab=fab,
                      body=two_panes(FamilyList(app, hint.list_loaded).root, hint.control))
    return Screen(title=families_title(app), body=FamilyList(app).root, scroll=False, fab=fab)


def placeholder(title_key: str) -> Callable[[ViewContext, Route], Screen]:
    """A screen that says it comes in the next version (forms that need the store)."""
    def build(app: ViewContext, route: Route) -> Screen:
        body = empty_state(ft.Icons.CONSTRUCTION, app.t(title_key), app.t("common.not_ready"))
        if route.place is routes.Place.FAMILIES:
            return families_detail(app, app.t(title_key), body)  # beside the list when wide
        return Screen(title=app.t(title_key), body=body)

    return build




def more(app: ViewContext, _route: Route) -> Screen:
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
        _conflicts_tile(app, go("/more/conflicts")),
        supervision_entries(app),
        ft.ListTile(leading=ft.Icon(ft.Icons.LOCK_OUTLINE), title=ft.Text(t("more.lock")),
                    on_click=lock, key="more-lock"),
    ]
    if app.session.username:
        tiles.append(ft.ListTile(leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                                 title=ft.Text(t("more.user", username=app.session.username))))
    return Screen(title=t("more.title"), body=form_column(app, tiles, spacing=0))


def _conflicts_tile(app: ViewContext, on_click: Callable[[object], None]) -> ft.Control:
    overview = app.services.sync.overview
    count = overview.open_conflicts if overview is not None else 0
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.CALL_SPLIT), title=ft.Text(app.t("conflicts.title")),
        subtitle=ft.Text(app.tr.plural("sync.conflicts", count)) if count else None,
        on_click=on_click, key="more-conflicts")


def not_found(app: ViewContext, route: Route) -> Screen:
    """An unknown route."""
    t = app.t

    async def home(_e: object) -> None:
        await app.go("/families")

    body = ft.Column([
        ft.Text(t("not_found.body", route=route.path)),
        ft.FilledButton(t("not_found.home"), height=theme.TOUCH, on_click=home),
    ], spacing=16, tight=True)
    return Screen(title=t("not_found.title"), body=body)
