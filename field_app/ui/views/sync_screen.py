"""The sync place: where sync stands, what stopped it and what to do, what needs attention.

Rendered from ``SyncStatus`` (re-rendered on every change, so the progress bar moves and the
outcome appears), with what the store holds — refused changes, conflicts, the last success —
read by the app into ``SyncStatus.overview``. A refused change is never dropped here: the
worker opens its record to correct it, then sends it again (folded with the corrections).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services.record_names import kind_key
from field_app.services.state import Connectivity, SyncStatus
from field_app.services.sync_overview import RefusedChange, ago, retry_refused
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import problem_text

if TYPE_CHECKING:
    from field_app.ui.app import App
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)

_STATE_ICONS = {Connectivity.ONLINE: ft.Icons.CLOUD_DONE_OUTLINED,
                Connectivity.OFFLINE: ft.Icons.CLOUD_OFF,
                Connectivity.UNKNOWN: ft.Icons.CLOUD_QUEUE}


def build(app: App, _route: Route) -> Screen:
    """The sync screen."""
    t, status = app.t, app.services.sync
    rows: list[ft.Control] = [_state(app, status)]
    if status.error is not None and not status.syncing:
        rows.append(_error(app, problem_text(app, status.error)))
    rows += [_pending(app, status), _last_success(app, status)]
    if status.syncing:
        rows += [ft.Text(_stage_words(app, status), key="sync-stage"),
                 ft.ProgressBar(value=status.progress, key="sync-progress",
                                semantics_label=t("sync.syncing"))]
    elif status.last_counts is not None and status.error is None:
        rows.append(ft.ListTile(leading=ft.Icon(ft.Icons.SWAP_VERT),
                                title=ft.Text(t("sync.done", pushed=status.last_counts[0],
                                                pulled=status.last_counts[1])),
                                key="sync-counts"))

    async def sync_now(_e: object) -> None:
        await app.sync_now()

    rows.append(ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC, height=theme.TOUCH,
                                disabled=status.syncing, on_click=sync_now, key="sync-now"))
    overview = status.overview
    if overview is not None:
        rows.append(_conflicts_tile(app, overview.open_conflicts))
        if overview.refused:
            rows += _attention(app, overview.refused, status.syncing)
    return Screen(title=t("sync.title"), body=form_column(app, rows, spacing=8))


def _state(app: App, status: SyncStatus) -> ft.Control:
    t = app.t
    subtitle = (ft.Text(t("sync.last_attempt", when=format_datetime(status.last_attempt)))
                if status.last_attempt is not None else None)
    icon = ft.Icons.SYNC if status.syncing else _STATE_ICONS[status.connectivity]
    words = t("sync.syncing") if status.syncing else t(
        {Connectivity.ONLINE: "sync.online", Connectivity.OFFLINE: "sync.offline",
         Connectivity.UNKNOWN: "sync.unknown"}[status.connectivity])
    return ft.ListTile(leading=ft.Icon(icon), title=ft.Text(words, weight=ft.FontWeight.W_500),
                       subtitle=subtitle, key="sync-state")


def _error(app: App, advice: str) -> ft.Control:
    return ft.Container(
        content=ft.Row([
            ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ON_ERROR_CONTAINER),
            ft.Column([
                ft.Text(app.t("sync.what_to_do"), weight=ft.FontWeight.BOLD,
                        color=ft.Colors.ON_ERROR_CONTAINER),
                ft.Text(advice, color=ft.Colors.ON_ERROR_CONTAINER, key="sync-error"),
            ], spacing=4, expand=True, tight=True),
        ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=12),
        bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=12,
        padding=ft.Padding.all(16),
    )


def _pending(app: App, status: SyncStatus) -> ft.Control:
    t = app.t
    if status.pending == 0:
        return ft.ListTile(leading=ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED),
                           title=ft.Text(t("sync.all_sent")), key="sync-pending")
    return ft.ListTile(leading=ft.Icon(ft.Icons.PHONE_ANDROID),
                       title=ft.Text(app.tr.plural("sync.saved_count", status.pending)),
                       subtitle=ft.Text(t("sync.saved_hint")), key="sync-pending")


def _last_success(app: App, status: SyncStatus) -> ft.Control:
    t = app.t
    if status.last_success is None:
        return ft.ListTile(leading=ft.Icon(ft.Icons.HISTORY), title=ft.Text(t("sync.never")),
                           key="sync-last")
    key, n = ago(status.last_success, datetime.now(UTC))
    words = app.tr.plural(key, n) if key == "sync.ago.days" else t(key, n=n)
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.HISTORY),
        title=ft.Text(t("sync.last_success", when=format_datetime(status.last_success))),
        subtitle=ft.Text(words, key="sync-last-ago"), key="sync-last")


def _stage_words(app: App, status: SyncStatus) -> str:
    t = app.t
    if status.stage == "push":
        if status.step_total:
            return t("sync.stage.push", done=status.step_done, total=status.step_total)
        return t("sync.stage.push_start")
    if status.stage == "pull":
        return t("sync.stage.pull", done=status.step_done)
    if status.stage == "done":
        return t("sync.stage.done")
    return t("sync.stage.start")


def _go(app: App, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


def _conflicts_tile(app: App, count: int) -> ft.Control:
    t = app.t
    words = app.tr.plural("sync.conflicts", count) if count else t("sync.conflicts_none")
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.CALL_SPLIT, color=ft.Colors.ERROR if count else None),
        title=ft.Text(words), trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
        on_click=_go(app, "/more/conflicts"), key="sync-conflicts")


def _attention(app: App, refused: list[RefusedChange], syncing: bool) -> list[ft.Control]:
    t = app.t
    out: list[ft.Control] = [
        ft.Divider(),
        ft.Text(t("sync.attention_title", n=len(refused)),
                theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="attention-title"),
        ft.Text(t("sync.attention_intro")),
    ]
    for item in refused:
        out.append(_refused_card(app, item, syncing))
    return out


def _refused_card(app: App, item: RefusedChange, syncing: bool) -> ft.Control:
    t = app.t
    mid = item.mutation_id
    name = item.record.name or t("sync.not_on_phone")
    title = f"{t(kind_key(item.record.kind)).capitalize()} · {name}"

    async def retry(_e: object) -> None:
        try:
            store = app.services.device.records()
            await app.blocking(retry_refused, store, item.record.id)
        except Exception:
            log.exception("retrying a refused change failed")
        await app.refresh_overview()
        await app.sync_now()

    family = item.record.family_id
    buttons = ft.Row([
        ft.OutlinedButton(t("sync.attention_open"), icon=ft.Icons.OPEN_IN_NEW,
                          height=theme.TOUCH, disabled=family is None,
                          on_click=_go(app, f"/families/{family}"), key=f"attention-open-{mid}"),
        ft.FilledButton(t("sync.attention_retry"), icon=ft.Icons.REPLAY, height=theme.TOUCH,
                        disabled=syncing, on_click=retry, key=f"attention-retry-{mid}"),
    ], wrap=True, spacing=8, run_spacing=8)
    return ft.Card(content=ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.REPORT_GMAILERRORRED, color=ft.Colors.ERROR),
                    ft.Text(title, weight=ft.FontWeight.W_500, expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START),
            ft.Text(problem_text(app, item.reason), key=f"attention-reason-{mid}"),
            buttons,
        ], spacing=8, tight=True),
        padding=ft.Padding.all(12)), key=f"attention-{mid}")
