"""The supervisors' server calls: when each device last reached the server, and exports.

``SupervisionClient`` is a ``SyncClient`` (same token from the encrypted store, same TLS
rules, retries and error words) with two more calls. Neither writes to the store: activity
is shown and forgotten, an export is handed back as bytes for the app to save.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from field_app.sync.client import SyncClient
from field_app.sync.errors import SyncError
from field_app.sync.pushing import _Refused
from shared_models.supervision import (
    DEVICE_ACTIVITY_PATH,
    EXPORTS_PATH,
    DeviceActivityList,
    ExportFormat,
    ExportTable,
)

_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]{1,120})"')


class ServerRefused(SyncError):
    """The server refused the request (403, 422...). ``server_code`` is the server's error
    code and ``server_message`` its words, "Ukrainian (English)", shown as they are."""

    code = "refused"

    def __init__(self, status: int, server_code: str, server_message: str) -> None:
        super().__init__(f"{status} {server_code}")
        self.status, self.server_code, self.server_message = status, server_code, server_message


@dataclass(frozen=True, slots=True)
class ExportDownload:
    """An export as the server sent it."""

    filename: str
    content: bytes
    rows: int


class SupervisionClient(SyncClient):
    """``SyncClient`` plus the calls of the dashboard and the export screen."""

    def _ask(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self._call(method, path, **kwargs)
        except _Refused as refused:
            raise ServerRefused(refused.status, refused.code, refused.message) from None

    def device_activity(self) -> DeviceActivityList:
        """Devices of the user's communities and when each last reached the server."""
        result: DeviceActivityList = self._ask("GET", DEVICE_ACTIVITY_PATH,
                                               parse=DeviceActivityList.model_validate_json)
        return result

    def export(self, *, fmt: ExportFormat, communities: Sequence[str], start: date, end: date,
               table: ExportTable = ExportTable.VISITS) -> ExportDownload:
        """One export file: the XLSX workbook, or the CSV of ``table``."""
        path = (f"{EXPORTS_PATH}/workbook" if fmt is ExportFormat.XLSX
                else f"{EXPORTS_PATH}/{table.value}")
        params: list[tuple[str, Any]] = [("community", c) for c in communities]
        params += [("start", start.isoformat()), ("end", end.isoformat())]

        def keep(body: bytes) -> bytes:
            return body

        response_headers: dict[str, str] = {}
        self._http.event_hooks["response"].append(
            lambda r: response_headers.update(r.headers))
        try:
            content = self._ask("GET", path, params=params, parse=keep)
        finally:
            self._http.event_hooks["response"].pop()
        match = _FILENAME.search(response_headers.get("content-disposition", ""))
        name = match.group(1) if match else f"poruch-export.{fmt.value}"
        rows = int(response_headers.get("x-poruch-rows", "0") or 0)
        return ExportDownload(name, bytes(content), rows)
