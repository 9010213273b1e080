"""What the dashboard and the export screen ask of the server (no Flet).

``Supervision`` is the interface the views use; ``ServerSupervision`` implements it with the
sync client's ``SupervisionClient``, signed in with the token sealed in the store. Every
call blocks (network): views call them through ``asyncio.to_thread``. Failures come back as
``SupervisionFailed`` with the sync client's plain words in both languages.

Exports are not written to the app's data folder: a file there would sit outside the
encrypted store. The view hands the bytes to the system's save dialog (a download in the
browser view), so the person chooses where the file goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from field_app.dates import parse_date
from field_app.i18n import format_date
from field_app.services.device import Device, DeviceError
from field_app.services.problem import Problem
from field_app.services.store_device import SERVER_SECRET
from field_app.services.sync_problems import sync_problem
from field_app.sync.errors import SyncError
from field_app.sync.supervision import ExportDownload, ServerRefused, SupervisionClient
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.supervision import DeviceActivity, DeviceActivityList, ExportFormat, ExportTable

__all__ = ["SILENT_DAYS", "SUPERVISING_ROLES", "DeviceLine", "ExportDownload", "ExportForm",
           "ServerSupervision", "Supervision", "SupervisionFailed", "device_lines"]

#: Roles that see the dashboard and may export (the server checks again).
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR.value, Role.COORDINATOR.value, Role.ADMIN.value})
#: A device silent for this many days is worth a call.
SILENT_DAYS = 3
#: Longest export period the server accepts, in days.
MAX_EXPORT_DAYS = 3 * 366


class SupervisionFailed(DeviceError):
    """The server could not be asked (offline, refused...): ``problem`` says why."""


class Supervision(Protocol):
    """Server calls of the supervising roles."""

    def device_activity(self) -> DeviceActivityList:
        """Devices of the user's communities and when each last reached the server."""
        ...

    def export(self, form: ExportForm) -> ExportDownload:
        """The export the form describes (validate the form first)."""
        ...


@dataclass(frozen=True, slots=True)
class DeviceLine:
    """A device as the dashboard lists it."""

    user: str
    name: str
    communities: list[str]
    last_seen: datetime | None
    silent_days: int | None         # whole days since the last contact; None: never
    replaced: bool                  # the same user has a device seen more recently

    @property
    def worth_a_call(self) -> bool:
        """Silent for ``SILENT_DAYS`` or more (or never seen), and not replaced."""
        return not self.replaced and (self.silent_days is None
                                      or self.silent_days >= SILENT_DAYS)


def device_lines(activity: DeviceActivityList, *, communities: set[str] | None = None
                 ) -> list[DeviceLine]:
    """The devices to show (of ``communities`` when given), longest silent first.

    Each login registers a device, so an old phone of someone who now uses a new one looks
    silent forever: it is marked ``replaced`` rather than worth a call.
    """
    now = activity.server_time
    newest: dict[str, datetime] = {}
    for d in activity.devices:
        if d.last_seen_at is not None and d.last_seen_at > newest.get(d.user, datetime.min
                                                                       .replace(tzinfo=now.tzinfo)):
            newest[d.user] = d.last_seen_at

    def line(d: DeviceActivity) -> DeviceLine:
        seen = d.last_seen_at
        days = None if seen is None else max(0, (now - seen).days)
        replaced = d.user in newest and (seen is None or seen < newest[d.user])
        return DeviceLine(d.user, d.name, [c.value for c in d.communities], seen, days,
                          replaced)

    lines = [line(d) for d in activity.devices
             if communities is None or {c.value for c in d.communities} & communities]
    lines.sort(key=lambda x: (x.replaced, -(x.silent_days if x.silent_days is not None
                                            else 10**6), x.user))
    return lines


@dataclass
class ExportForm:
    """The export screen's choices as typed, and the problems to show."""

    communities: list[str] = field(default_factory=list)   # the account's, or one chosen
    start: str = ""
    end: str = ""
    fmt: ExportFormat = ExportFormat.XLSX
    table: ExportTable = ExportTable.VISITS                  # for CSV: which table
    errors: dict[str, Problem] = field(default_factory=dict)

    @classmethod
    def for_month(cls, today: date, communities: list[str]) -> ExportForm:
        """This month so far, for ``communities``."""
        return cls(communities=communities, start=format_date(today.replace(day=1)),
                   end=format_date(today))

    def period(self) -> tuple[date, date] | None:
        """The period, or ``None`` with ``errors`` filled."""
        errors: dict[str, Problem] = {}
        values: dict[str, date] = {}
        for name in ("start", "end"):
            try:
                value = parse_date(getattr(self, name))
            except ValueError:
                errors[name] = Problem("export.err.date")
                continue
            if value is None:
                errors[name] = Problem("err.required")
            else:
                values[name] = value
        if not errors and values["end"] < values["start"]:
            errors["end"] = Problem("export.err.order")
        elif not errors and (values["end"] - values["start"]).days > MAX_EXPORT_DAYS:
            errors["end"] = Problem("export.err.too_long")
        if not self.communities:
            errors["communities"] = Problem("err.required")
        self.errors = errors
        return None if errors else (values["start"], values["end"])


def _failed(exc: SyncError) -> SupervisionFailed:
    if isinstance(exc, ServerRefused) and exc.server_message:
        # The server words its refusals itself, "Ukrainian (English)".
        return SupervisionFailed(Problem.literal(exc.server_message, exc.server_message))
    return SupervisionFailed(sync_problem(exc))


class ServerSupervision:
    """``Supervision`` over the server the device signed in to."""

    def __init__(self, device: Device, *,
                 client: Callable[[Any, str], SupervisionClient] = SupervisionClient) -> None:
        self._device = device
        self._client = client

    def _call(self, fn: Callable[[SupervisionClient], Any]) -> Any:
        try:
            store = self._device.records()
        except Exception as exc:
            raise SupervisionFailed(Problem("err.locked")) from exc
        raw = store.get_secret(SERVER_SECRET)
        if not raw:
            raise SupervisionFailed(Problem("err.locked"))
        try:
            client = self._client(store, raw.decode())
        except SyncError as exc:
            raise _failed(exc) from None
        try:
            return fn(client)
        except SyncError as exc:
            raise _failed(exc) from None
        finally:
            client.close()

    def device_activity(self) -> DeviceActivityList:
        """Asks the server (``GET /api/v1/devices/activity``)."""
        result: DeviceActivityList = self._call(lambda c: c.device_activity())
        return result

    def export(self, form: ExportForm) -> ExportDownload:
        """Asks the server for the export file (audited there)."""
        period = form.period()
        if period is None:
            raise SupervisionFailed(Problem("export.err.form"))
        start, end = period
        codes = [CommunityCode(c).value for c in form.communities]
        result: ExportDownload = self._call(lambda c: c.export(
            fmt=form.fmt, communities=codes, start=start, end=end, table=form.table))
        return result
