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
from shared_models.supervision import (
    DEVICE_ACTIVITY_PATH,
    EXPORTS_PATH,
    DeviceActivityList,
    ExportFormat,
    ExportTable,
)

_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]{1,120})"')


@dataclass(frozen=True, slots=True)
class ExportDownload:
    """An export as the server sent it."""

    filename: str
    content: bytes
    rows: int


class SupervisionClient(SyncClient):
    """``SyncClient`` plus the calls of the dashboard and the export screen."""

    def device_activity(self) -> DeviceActivityList:
        """Devices of the user's communities and when each last reached the server."""
        return self._call("GET", DEVICE_ACTIVITY_PATH,
                          parse=DeviceActivityList.model_validate_json)

    def export(self, *, fmt: ExportFormat, communities: Sequence[str], start: date, end: date,
               table: ExportTable = ExportTable.VISITS) -> ExportDownload:
        """One export file: the XLSX workbook, or the CSV of ``table``."""
        path = (f"{EXPORTS_PATH}/workbook" if fmt is ExportFormat.XLSX
                else f"{EXPORTS_PATH}/{table.value}")
        params: list[tuple[str, Any]] = [("community", c) for c in communities]
        params += [("start", start.isoformat()), ("end", end.isoformat())]
        holder: dict[str, Any] = {}

        def keep(body: bytes) -> bytes:
            holder["body"] = body
            return body

        response_headers: dict[str, str] = {}
        self._http.event_hooks["response"].append(
            lambda r: response_headers.update(r.headers))
        try:
            content = self._call("GET", path, params=params, parse=keep)
        finally:
            self._http.event_hooks["response"].pop()
        match = _FILENAME.search(response_headers.get("content-disposition", ""))
        name = match.group(1) if match else f"poruch-export.{fmt.value}"
        rows = int(response_headers.get("x-poruch-rows", "0") or 0)
        return ExportDownload(name, bytes(content), rows)
