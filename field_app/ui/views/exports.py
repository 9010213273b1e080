"""``/more/exports``: visits and services of a period as XLSX or CSV, from the server.

The server makes the file (and audits it); the app hands the bytes to the system's save
dialog — in the browser view, a download — and keeps no copy: a file in the app's folder
would lie outside the encrypted store. Supervisors export their communities, coordinators
any of theirs (all 11); workers are told the screen is not theirs.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import flet as ft

from field_app.services.device import DeviceError
from field_app.services.supervision import SUPERVISING_ROLES, ExportDownload, ExportForm
from field_app.ui import theme
from field_app.ui.screen import Screen, form_column
from field_app.ui.views.common import empty_state, message_text, problem_text, radio_row
from shared_models.supervision import ExportFormat, ExportTable

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route

log = logging.getLogger(__name__)
_FORMS: WeakKeyDictionary[ViewContext, ExportForm] = WeakKeyDictionary()
#: The format radio's values: (format, table).
_KINDS = {"xlsx": (ExportFormat.XLSX, ExportTable.VISITS),
          "csv-visits": (ExportFormat.CSV, ExportTable.VISITS),
          "csv-services": (ExportFormat.CSV, ExportTable.SERVICES)}


def build(app: ViewContext, _route: Route) -> Screen:
    """The export screen."""
    return Screen(title=app.t("export.title"), body=form_column(app, [ExportView(app).root]))


class ExportView:
    """The export form, the busy line and the file once it arrived."""

    def __init__(self, app: ViewContext) -> None:
        self.app = app
        self.mine: list[str] = []
        self.download: ExportDownload | None = None
        self.fields: dict[str, ft.TextField] = {}
        self.message = message_text("export-message")
        self.busy = ft.Row([ft.ProgressRing(width=24, height=24, stroke_width=3),
                            ft.Text(app.t("export.working"), expand=True)], visible=False,
                           key="export-busy")
        self.result = ft.Column(spacing=8, tight=True, visible=False, key="export-result")
        self.root = ft.Column([ft.Text(app.t("placement.loading"))], spacing=16, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        # Kept while the screen lives: the page holds services only weakly.
        self.picker: ft.FilePicker | None = None
        app.spawn(self.load())

    @property
    def form(self) -> ExportForm:
        """The form of this session (created for this month on first use)."""
        form = _FORMS.get(self.app)
        if form is None or not set(form.communities) <= set(self.mine):
            form = _FORMS[self.app] = ExportForm.for_month(date.today(), list(self.mine))
        return form

    async def load(self) -> None:
        """Check the role, then draw the form."""
        app = self.app
        account = await app.blocking(app.services.device.account)
        if account is None or account.role not in SUPERVISING_ROLES \
                or app.services.supervision is None:
            self.root.controls = [empty_state(ft.Icons.LOCK_OUTLINE,
                                              app.t("export.only_supervisors"))]
        else:
            self.mine = list(account.communities)
            self.root.controls = self._controls()
        self._refresh()

    def _controls(self) -> list[ft.Control]:
        app, form, t = self.app, self.form, self.app.t
        chosen = form.communities[0] if len(form.communities) == 1 and len(self.mine) > 1 else ""
        community = ft.Dropdown(
            label=t("export.community"), key="export-community", value=chosen,
            options=[ft.DropdownOption(key="", text=t("export.all", n=len(self.mine))),
                     *[ft.DropdownOption(key=c, text=app.tr.community(c)) for c in self.mine]],
            on_select=self._community, expand=True, menu_height=420)
        kind = next(k for k, v in _KINDS.items() if v == (form.fmt, form.table)
                    or (form.fmt is ExportFormat.XLSX and k == "xlsx"))
        out: list[ft.Control] = []
        if len(self.mine) > 1:
            # Flet 1.0.5 does not pass a dropdown's label to the semantics tree: name it here.
            out.append(ft.Semantics(label=t("export.community"), content=community))
        out += [
            self._date("start", t("export.start")),
            self._date("end", t("export.end")),
            radio_row([("xlsx", t("export.xlsx")), ("csv-visits", t("export.csv_visits")),
                       ("csv-services", t("export.csv_services"))], kind, self._kind,
                      key="export-format", title=t("export.format")),
            ft.Text(t("export.privacy"), size=13),
            self.message,
            self.busy,
            ft.FilledButton(t("export.get"), icon=ft.Icons.DOWNLOAD, height=theme.TOUCH,
                            on_click=self.submit, key="export-get"),
            self.result,
        ]
        return out

    def _date(self, name: str, label: str) -> ft.TextField:
        tf = ft.TextField(label=label, key=f"export-{name}", data=name,
                          value=getattr(self.form, name), hint_text=self.app.t("export.date_hint"),
                          keyboard_type=ft.KeyboardType.DATETIME, error_max_lines=2,
                          on_change=self._changed)
        self.fields[name] = tf
        return tf

    def _changed(self, e: ft.Event[ft.TextField]) -> None:
        name = str(e.control.data)
        setattr(self.form, name, e.control.value or "")
        self.form.errors.pop(name, None)
        e.control.error = None
        self.app.session.touch()
        with contextlib.suppress(RuntimeError):
            e.control.update()

    def _community(self, e: ft.Event[ft.Dropdown]) -> None:
        value = str(e.control.value or "")
        self.form.communities = [value] if value else list(self.mine)

    def _kind(self, e: ft.Event[ft.RadioGroup]) -> None:
        self.form.fmt, self.form.table = _KINDS[str(e.control.value or "xlsx")]

    async def submit(self, _e: object) -> None:
        """Ask the server for the file, then offer to save it."""
        app, form = self.app, self.form
        supervision = app.services.supervision
        if supervision is None:
            return
        for name, tf in self.fields.items():
            setattr(form, name, tf.value or "")
        if form.period() is None:
            self._show(problem_text(app, _first(form)))
            return
        self._show(None, busy=True)
        try:
            self.download = await app.blocking(supervision.export, form)
        except DeviceError as exc:
            self._show(app.t("export.failed", reason=problem_text(app, exc.problem)))
            return
        except Exception as exc:
            log.exception("export failed")
            self._show(app.t("export.failed", reason=type(exc).__name__))
            return
        self._show(None)
        await self.offer()

    async def offer(self, _e: object = None) -> None:
        """The system's save dialog with the file (a download in the browser view)."""
        d, app = self.download, self.app
        if d is None:
            return
        self.result.controls = [
            ft.Text(app.t("export.ready", name=d.filename, rows=d.rows), key="export-ready"),
            ft.OutlinedButton(app.t("export.save_again"), icon=ft.Icons.SAVE_ALT,
                              height=theme.TOUCH, on_click=self.offer, key="export-save"),
        ]
        self.result.visible = True
        self._refresh()
        if self.picker is None:
            self.picker = ft.FilePicker()
        try:
            await self.picker.save_file(file_name=d.filename, src_bytes=d.content,
                                        dialog_title=app.t("export.title"))
        except Exception:
            # A closed dialog or a platform without one: the button offers it again.
            log.warning("the save dialog did not open", exc_info=True)

    def _show(self, message: str | None, *, busy: bool = False) -> None:
        form, app = self.form, self.app
        for name, tf in self.fields.items():
            problem = form.errors.get(name)
            tf.error = problem_text(app, problem) if problem else None
        self.message.value = message or ""
        self.message.visible = message is not None
        self.busy.visible = busy
        if busy:
            self.result.visible = False
        self._refresh()

    def _refresh(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.root.update()


def _first(form: ExportForm) -> Any:
    return next(iter(form.errors.values()))
