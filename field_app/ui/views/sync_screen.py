"""The sync place: where sync stands, what stopped it and what to do, what needs attention.

Drawn from ``SyncStatus``, with what the store holds — refused changes, conflicts, the last
success — read by the app into ``SyncStatus.overview``. The screen follows every status change
*in place* (``refresh``): its controls are created once and their values updated, so the
progress bar moves without rebuilding the page and a tap is never lost to a rebuilt widget.
A refused change is never dropped here: the worker opens its record to correct it, then
sends it again (folded with the corrections).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_datetime
from field_app.services.device import DeviceError
from field_app.services.record_names import kind_key
from field_app.services.state import Connectivity, SyncStatus
from field_app.services.sync_overview import RefusedChange, ago, retry_refused
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import problem_text, reveal_toggle

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)

_STATE_ICONS = {Connectivity.ONLINE: ft.Icons.CLOUD_DONE_OUTLINED,
                Connectivity.OFFLINE: ft.Icons.CLOUD_OFF,
                Connectivity.UNKNOWN: ft.Icons.CLOUD_QUEUE}
_STATE_WORDS = {Connectivity.ONLINE: "sync.online", Connectivity.OFFLINE: "sync.offline",
                Connectivity.UNKNOWN: "sync.unknown"}


def build(app: ViewContext, _route: Route) -> Screen:
    """The sync screen."""
    view = SyncView(app)
    app.follow_status(view)
    return Screen(title=app.t("sync.title"), body=form_column(app, view.controls, spacing=8))


def _go(app: ViewContext, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


class SyncView:
    """The controls of the sync screen, filled from ``SyncStatus`` by ``refresh``."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        t = app.t
        self.state_icon = ft.Icon(ft.Icons.CLOUD_QUEUE)
        self.state_title = ft.Text("", weight=ft.FontWeight.W_500)
        self.state_when = ft.Text("")
        self.state = ft.ListTile(leading=self.state_icon, title=self.state_title,
                                 subtitle=self.state_when, key="sync-state")
        self.error_text = ft.Text("", color=ft.Colors.ON_ERROR_CONTAINER, key="sync-error")
        self.error = ft.Container(
            content=ft.Row([
                ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ON_ERROR_CONTAINER),
                ft.Column([ft.Text(t("sync.what_to_do"), weight=ft.FontWeight.BOLD,
                                   color=ft.Colors.ON_ERROR_CONTAINER), self.error_text],
                          spacing=4, expand=True, tight=True),
            ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=12),
            bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=12, padding=ft.Padding.all(16))
        # Signing in again when the server no longer accepts the token (keeps everything).
        self.password = reveal_toggle(app, ft.TextField(
            label=t("sync.relogin_password"), key="relogin-password", autocorrect=False,
            enable_suggestions=False, on_submit=self._sign_in_again, error_max_lines=3))
        self.relogin = ft.Column([
            self.password,
            ft.FilledButton(t("sync.relogin"), icon=ft.Icons.LOGIN, height=theme.TOUCH,
                            on_click=self._sign_in_again, key="relogin-submit"),
        ], spacing=8, tight=True, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.pending_icon = ft.Icon(ft.Icons.PHONE_ANDROID)
        self.pending_title = ft.Text("")
        self.pending_hint = ft.Text(t("sync.saved_hint"))
        self.pending = ft.ListTile(leading=self.pending_icon, title=self.pending_title,
                                   subtitle=self.pending_hint, key="sync-pending")
        self.last_title = ft.Text("")
        self.last_when = ft.Text("", key="sync-last-when")
        self.last = ft.ListTile(leading=ft.Icon(ft.Icons.HISTORY), title=self.last_title,
                                subtitle=self.last_when, key="sync-last")
        self.stage = ft.Text("", key="sync-stage")
        self.progress = ft.ProgressBar(key="sync-progress", semantics_label=t("sync.syncing"))
        self.counts_title = ft.Text("")
        self.counts = ft.ListTile(leading=ft.Icon(ft.Icons.SWAP_VERT), title=self.counts_title,
                                  key="sync-counts")
        self.button = ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC, height=theme.TOUCH,
                                      on_click=self._sync_now, key="sync-now")
        self.conflicts_icon = ft.Icon(ft.Icons.CALL_SPLIT)
        self.conflicts_title = ft.Text("")
        self.conflicts = ft.ListTile(
            leading=self.conflicts_icon, title=self.conflicts_title,
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), on_click=_go(app, "/more/conflicts"),
            key="sync-conflicts")
        self.attention = ft.Column(spacing=8, tight=True,
                                   horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._attention_shown: tuple[object, ...] | None = None
        self.controls: list[ft.Control] = [
            self.state, self.error, self.relogin, self.pending, self.last, self.stage,
            self.progress, self.counts, self.button, self.conflicts, self.attention,
        ]
        self._fill()

    def refresh(self) -> None:
        """Show the current status (if the screen is still on the page)."""
        self._fill()
        with contextlib.suppress(RuntimeError):  # the screen was replaced meanwhile
            for control in self.controls:
                control.update()

    async def _sync_now(self, _e: object) -> None:
        await self.app.sync_now()

    async def _sign_in_again(self, _e: object) -> None:
        app = self.app
        password = self.password.value or ""
        if not password:
            self.password.error = app.t("err.required")
            self.password.update()
            return
        try:
            await app.blocking(app.services.device.sign_in_again, password)
        except DeviceError as exc:
            self.password.error = problem_text(app, exc.problem)
            self.password.update()
            return
        self.password.value, self.password.error = "", None
        await app.sync_now()

    def _fill(self) -> None:
        app, t, status = self.app, self.app.t, self.app.services.sync
        self._fill_state(status)
        self.error.visible = status.error is not None and not status.syncing
        self.error_text.value = problem_text(app, status.error) if status.error else ""
        self.relogin.visible = (self.error.visible and status.error is not None
                                and status.error.key == "sync.err.login")
        self.pending_icon.icon = (ft.Icons.PHONE_ANDROID if status.pending
                                  else ft.Icons.CLOUD_DONE_OUTLINED)
        self.pending_title.value = (app.tr.plural("sync.saved_count", status.pending)
                                    if status.pending else t("sync.all_sent"))
        self.pending_hint.visible = status.pending > 0
        self._fill_last(status)
        self.stage.visible = self.progress.visible = status.syncing
        self.stage.value = self._stage_words(status)
        self.progress.value = status.progress
        counts = status.last_counts
        self.counts.visible = counts is not None and not status.syncing and status.error is None
        if counts is not None:
            self.counts_title.value = t("sync.done", pushed=counts[0], pulled=counts[1])
        self.button.disabled = status.syncing
        overview = status.overview
        self.conflicts.visible = overview is not None
        count = overview.open_conflicts if overview is not None else 0
        self.conflicts_title.value = (app.tr.plural("sync.conflicts", count) if count
                                      else t("sync.conflicts_none"))
        self.conflicts_icon.color = ft.Colors.ERROR if count else None
        self._fill_attention(overview.refused if overview is not None else [], status.syncing)

    def _fill_state(self, status: SyncStatus) -> None:
        t = self.app.t
        self.state_icon.icon = (ft.Icons.SYNC if status.syncing
                                else _STATE_ICONS[status.connectivity])
        self.state_title.value = (t("sync.syncing") if status.syncing
                                  else t(_STATE_WORDS[status.connectivity]))
        self.state_when.visible = status.last_attempt is not None
        if status.last_attempt is not None:
            self.state_when.value = t("sync.last_attempt",
                                      when=format_datetime(status.last_attempt))

    def _fill_last(self, status: SyncStatus) -> None:
        t = self.app.t
        if status.last_success is None:
            self.last_title.value = t("sync.never")
            self.last_when.visible = False
            return
        key, n = ago(status.last_success, datetime.now(UTC))
        words = self.app.tr.plural(key, n) if key == "sync.ago.days" else t(key, n=n)
        self.last_title.value = t("sync.last_success")
        self.last_when.value = f"{format_datetime(status.last_success)} · {words}"
        self.last_when.visible = True

    def _stage_words(self, status: SyncStatus) -> str:
        t = self.app.t
        if status.stage == "push":
            if status.step_total:
                return t("sync.stage.push", done=status.step_done, total=status.step_total)
            return t("sync.stage.push_start")
        if status.stage == "pull":
            return t("sync.stage.pull", done=status.step_done)
        if status.stage == "done":
            return t("sync.stage.done")
        return t("sync.stage.start")

    def _fill_attention(self, refused: list[RefusedChange], syncing: bool) -> None:
        shown = (tuple(refused), syncing)
        if shown == self._attention_shown:
            return      # unchanged: keep the cards (and any tap on them) as they are
        self._attention_shown = shown
        t = self.app.t
        self.attention.visible = bool(refused)
        self.attention.controls = [
            ft.Divider(),
            ft.Text(t("sync.attention_title", n=len(refused)),
                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM, key="attention-title"),
            ft.Text(t("sync.attention_intro")),
            *(self._refused_card(item, syncing) for item in refused),
        ] if refused else []

    def _refused_card(self, item: RefusedChange, syncing: bool) -> ft.Control:
        app, t = self.app, self.app.t
        mid = item.mutation_id
        kind = t(kind_key(item.record.kind)).capitalize()
        name = t("sync.not_on_phone") if item.record.name is None else item.record.name
        title = f"{kind} · {name}" if name else kind

        async def retry(_e: object) -> None:
            try:
                store = app.services.device.records()
                await app.blocking(retry_refused, store, item.record.id)
            except Exception:
                log.exception("sending a refused change again failed")
            await app.refresh_overview()
            await app.sync_now()

        family = item.record.family_id
        buttons = ft.Row([
            ft.OutlinedButton(t("sync.attention_open"), icon=ft.Icons.OPEN_IN_NEW,
                              height=theme.TOUCH, disabled=family is None,
                              on_click=_go(app, f"/families/{family}"),
                              key=f"attention-open-{mid}"),
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
