"""Edit conflicts: the list, and one conflict with its two values side by side (stacked on
phones) and the ways to resolve it — keep one value, or write a merged text.

Both read the store through ``field_app.services.conflicts`` off the event loop. On a wide
screen the list stays beside the conflict that is open. A resolution is an ordinary edit: it
waits on the phone like any other and closes the conflict everywhere after the sync.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_datetime
from field_app.services.conflicts import (
    ConflictGone,
    ConflictRow,
    ConflictSide,
    ResolveInvalid,
    get_conflict,
    list_conflicts,
    merged_prefill,
    resolve,
)
from field_app.services.record_names import kind_key
from field_app.services.values import TEXT_FIELDS, field_label_key, present
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.common import DetailHint, empty_state, message_text, problem_text, two_panes

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)

#: Merged texts being written, per session and conflict (kept across re-renders).
_MERGED_TEXTS: weakref.WeakKeyDictionary[ViewContext, dict[str, str]] = weakref.WeakKeyDictionary()


def _reader(app: ViewContext) -> tuple[str, str]:
    account = app.services.device.account()
    if account is not None:
        return account.username, account.role
    return app.session.username or "", "social_worker"


def _go(app: ViewContext, path: str) -> Callable[[object], Awaitable[None]]:
    async def handler(_e: object) -> None:
        await app.go(path)
    return handler


def record_words(app: ViewContext, row: ConflictRow) -> str:
    """"Сім'я · Коваленко, Малин"."""
    t = app.t
    kind = t(kind_key(row.record.kind)).capitalize()
    name = t("conflicts.not_on_phone") if row.record.name is None else row.record.name
    return f"{kind} · {name}" if name else kind


def side_heading(app: ViewContext, side: ConflictSide, row: ConflictRow) -> str:
    """"Моє", "Колеги petro", or the author's name when the reader wrote neither."""
    if side.mine:
        return app.t("conflicts.mine")
    if any(s.mine for s in row.sides):
        return app.t("conflicts.colleague", name=side.author)
    return side.author


def _when(side: ConflictSide) -> str:
    return format_datetime(side.at) if side.at is not None else ""


def list_screen(app: ViewContext, _route: Route) -> Screen:
    """The list of open conflicts (with an empty detail pane when wide)."""
    t = app.t
    if app.wide:
        hint = DetailHint(ft.Icons.CALL_SPLIT, t("conflicts.choose"),
                          (t("conflicts.none_pane"), t("conflicts.none_pane_hint")))
        return Screen(title=t("conflicts.title"), scroll=False,
                      body=two_panes(ConflictList(app, None, hint.list_loaded).root,
                                     hint.control))
    return Screen(title=t("conflicts.title"), body=ConflictList(app, None).root, scroll=False)


def detail_screen(app: ViewContext, route: Route) -> Screen:
    """One conflict (beside the list when wide)."""
    t = app.t
    cid = route.params["conflict_id"]
    detail = ConflictDetail(app, cid).root
    if app.wide:
        return Screen(title=t("conflicts.detail_title"),
                      body=two_panes(ConflictList(app, cid).root, detail),
                      scroll=False)
    return Screen(title=t("conflicts.detail_title"), body=detail, scroll=False)


class ConflictList:
    """The open conflicts this reader may see, loaded off the loop."""

    def __init__(self, app: ViewContext, selected: str | None,
                 on_loaded: Callable[[bool | None], None] | None = None) -> None:
        self.app = app
        self.selected = selected
        #: Told after each load whether the list is empty (the detail pane says so).
        self.on_loaded = on_loaded
        self.items = ft.Column(spacing=0, tight=True)
        self.root = ft.Column([
            ft.Container(content=ft.Text(app.t("conflicts.intro")),
                         padding=ft.Padding(16, 16, 16, 8)),
            self.items,
        ], scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH, key="conflicts-list")
        app.spawn(self.reload())

    async def reload(self) -> None:
        """Read the conflicts and draw them."""
        app = self.app
        username, role = _reader(app)
        try:
            store = app.services.device.records()
            rows = await app.blocking(list_conflicts, store, username=username, role=role)
        except Exception:
            log.exception("listing conflicts failed")
            rows = []
        self.items.controls = self._draw(rows)
        with contextlib.suppress(RuntimeError):  # the screen was left meanwhile
            self.root.update()
        if self.on_loaded is not None:
            self.on_loaded(not rows)

    def _draw(self, rows: list[ConflictRow]) -> list[ft.Control]:
        t = self.app.t
        if not rows:
            return [empty_state(ft.Icons.CHECK_CIRCLE_OUTLINE, t("conflicts.empty"),
                                t("conflicts.empty_hint"))]
        waiting = [r for r in rows if not r.settled_here]
        settled = [r for r in rows if r.settled_here]
        out: list[ft.Control] = []
        if waiting:
            out.append(self._heading(t("conflicts.open_section", n=len(waiting))))
            out += [self._tile(r) for r in waiting]
        if settled:
            out.append(self._heading(t("conflicts.settled_section")))
            out += [self._tile(r) for r in settled]
        return out

    def _heading(self, text: str) -> ft.Control:
        return ft.Container(content=ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_SMALL),
                            padding=ft.Padding(16, 12, 16, 4))

    def _tile(self, row: ConflictRow) -> ft.Control:
        app, t = self.app, self.app.t
        first, second = row.sides
        authors = t("conflicts.sides", first=side_heading(app, first, row),
                    second=side_heading(app, second, row))
        when = format_datetime(row.changed_at) if row.changed_at else ""
        field = t("conflicts.field_of", field=t(field_label_key(row.record.kind, row.field)))
        return ft.ListTile(
            leading=ft.Icon(ft.Icons.CHECK if row.settled_here else ft.Icons.CALL_SPLIT,
                            color=None if row.settled_here else ft.Colors.ERROR),
            title=ft.Text(record_words(app, row), weight=ft.FontWeight.W_500),
            subtitle=ft.Text(f"{field}\n{authors} · {when}"),
            selected=row.id == self.selected, is_three_line=True,
            on_click=_go(app, f"/more/conflicts/{row.id}"), key=f"conflict-{row.id}")


class ConflictDetail:
    """One conflict: the two values and the ways to resolve it."""

    def __init__(self, app: ViewContext, conflict_id: str) -> None:
        self.app = app
        self.cid = conflict_id
        self.row: ConflictRow | None = None
        self._words: dict[int, str] = {}
        self._current_words: str | None = None
        self.merged: ft.TextField | None = None
        self.message = message_text("conflict-message")
        self.body = ft.Column(spacing=16, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.root = ft.Column([ft.Container(content=self.body, padding=ft.Padding.all(16))],
                              scroll=ft.ScrollMode.AUTO, expand=True, spacing=0,
                              key="conflict-detail")
        app.spawn(self.reload())

    @property
    def merged_texts(self) -> dict[str, str]:
        """Merged texts being written in this session."""
        return _MERGED_TEXTS.setdefault(self.app, {})

    async def reload(self) -> None:
        """Read the conflict and draw it."""
        app = self.app
        username, role = _reader(app)
        try:
            store = app.services.device.records()
            self.row = await app.blocking(get_conflict, store, self.cid, username=username,
                                          role=role)
            row = self.row
            self._words = {id(s): present(row.record.kind, row.field, s.value, app.tr, store)
                           for s in row.sides}
            # Someone edited the field again since: say what the record holds now.
            self._current_words = None if any(s.current for s in row.sides) else present(
                row.record.kind, row.field, row.current_value, app.tr, store)
        except ConflictGone as exc:
            self.row = None
            self.body.controls = [empty_state(ft.Icons.CHECK_CIRCLE_OUTLINE, app.t(exc.key))]
        except Exception:
            log.exception("reading a conflict failed")
            self.row = None
            self.body.controls = [empty_state(ft.Icons.ERROR_OUTLINE, app.t("conflicts.gone"))]
        else:
            self.body.controls = self._draw(self.row)
        with contextlib.suppress(RuntimeError):
            self.root.update()

    def _draw(self, row: ConflictRow) -> list[ft.Control]:
        app, t = self.app, self.app.t
        label = t(field_label_key(row.record.kind, row.field))
        out: list[ft.Control] = [
            ft.Text(record_words(app, row), theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                    key="conflict-record"),
            ft.Text(t("conflicts.field_of", field=label), weight=ft.FontWeight.W_500,
                    key="conflict-field"),
        ]
        if not app.wide:        # beside the list, which says it already
            out.append(ft.Text(t("conflicts.intro")))
        if row.record.family_id:
            out.append(ft.Row([ft.OutlinedButton(
                t("conflicts.open_record"), icon=ft.Icons.OPEN_IN_NEW, height=theme.TOUCH,
                on_click=_go(app, f"/families/{row.record.family_id}"),
                key="conflict-open-record")]))
        if row.settled_here:
            now = self._current_words or next(
                (self._words[id(s)] for s in row.sides if s.current), "")
            out.append(_banner(t("conflicts.settled_value", value=now), "conflict-settled"))
        cards = [self._side(i, side, row) for i, side in enumerate(row.sides)]
        # Side by side where there is room, one above the other on a phone.
        out.append(ft.Row([ft.Container(content=c, expand=True) for c in cards], spacing=12,
                          vertical_alignment=ft.CrossAxisAlignment.START)
                   if app.wide else ft.Column(cards, spacing=12, tight=True))
        if self._current_words is not None and not row.settled_here:
            out.append(ft.Text(t("conflicts.now_in_record", value=self._current_words),
                               key="conflict-current"))
        if row.text:
            out += self._merge_controls(row)
        out.append(self.message)
        return out

    def _side(self, index: int, side: ConflictSide, row: ConflictRow) -> ft.Control:
        app, t = self.app, self.app.t
        heading = side_heading(app, side, row)
        top: list[ft.Control] = [ft.Text(heading, theme_style=ft.TextThemeStyle.TITLE_SMALL,
                                         weight=ft.FontWeight.BOLD, expand=True)]
        if side.current:
            top.append(ft.Container(
                content=ft.Text(t("conflicts.current"), theme_style=ft.TextThemeStyle.LABEL_MEDIUM,
                                color=ft.Colors.ON_SECONDARY_CONTAINER),
                bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=8,
                padding=ft.Padding.symmetric(horizontal=8, vertical=4)))
        parts: list[ft.Control] = [
            ft.Row(top, spacing=8),
            ft.Text(f"{side.author}, {_when(side)}", theme_style=ft.TextThemeStyle.BODY_SMALL),
        ]
        parts += [
            ft.Text(self._words[id(side)], key=f"conflict-value-{index}"),
            ft.OutlinedButton(t("conflicts.keep_named", who=heading), icon=ft.Icons.CHECK,
                              height=theme.TOUCH, on_click=self._keep(side),
                              key=f"conflict-keep-{index}"),
        ]
        return ft.Container(
            content=ft.Column(parts, spacing=8, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=12,
            padding=ft.Padding.all(12), key=f"conflict-side-{index}")

    def _merge_controls(self, row: ConflictRow) -> list[ft.Control]:
        t = self.app.t
        paragraph = TEXT_FIELDS[row.record.kind][row.field] == "paragraph"
        self.merged = ft.TextField(
            label=t("conflicts.merged"), helper=t("conflicts.merged_help"),
            value=self.merged_texts.get(self.cid, merged_prefill(row)), multiline=paragraph,
            min_lines=3 if paragraph else 1, max_lines=12 if paragraph else 1,
            on_change=self._typed, error_max_lines=3, helper_max_lines=3,
            key="conflict-merged")
        return [
            ft.Divider(),
            self.merged,
            ft.FilledButton(t("conflicts.save_merged"), icon=ft.Icons.MERGE_TYPE,
                            height=theme.TOUCH, on_click=self._save_merged,
                            key="conflict-save-merged"),
        ]

    def _typed(self, e: ft.Event[ft.TextField]) -> None:
        self.merged_texts[self.cid] = e.control.value or ""
        self.app.session.touch()
        if e.control.error:
            e.control.error = None
            e.control.update()

    def _keep(self, side: ConflictSide) -> Callable[[object], Awaitable[None]]:
        async def keep(_e: object) -> None:
            await self._resolve(side.value)
        return keep

    async def _save_merged(self, _e: object) -> None:
        if self.merged is not None:
            await self._resolve(self.merged.value or "")

    async def _resolve(self, value: Any) -> None:
        app = self.app
        username, role = _reader(app)
        self.message.visible = False
        try:
            store = app.services.device.records()
            await app.blocking(resolve, store, self.cid, value, username=username, role=role)
        except ResolveInvalid as exc:
            text = problem_text(app, exc.problem)
            if self.merged is not None and isinstance(value, str):
                self.merged.error = text
            else:
                self._say(text)
            app.update()
            return
        except ConflictGone as exc:
            self._say(app.t(exc.key))
            app.update()
            return
        self.merged_texts.pop(self.cid, None)
        await app.refresh_overview()
        app.render()     # the list (when wide) and this conflict, as they are now

    def _say(self, text: str) -> None:
        self.message.value = text
        self.message.visible = True


def _banner(text: str, key: str) -> ft.Control:
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, color=ft.Colors.PRIMARY),
                        ft.Text(text, expand=True)], spacing=12),
        bgcolor=ft.Colors.PRIMARY_CONTAINER, border_radius=12, padding=ft.Padding.all(12),
        key=key)
