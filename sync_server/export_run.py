"""One export, whoever asks (the API or the CLI): the files, and the audit rows with them.

Audited in the caller's transaction, one row per community: who, when (the row's time), the
format and tables, the period and the number of visits (and of cases, when they are in it) —
never a name or a record's content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from shared_models.communities import CommunityCode
from shared_models.supervision import ExportFormat, ExportTable
from shared_models.validators import EARLIEST_DATE, LATEST_DATE
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar
from sync_server import export
from sync_server.audit import AuditEvent, write_events
from sync_server.export_cases import CASE_HEADERS, case_lines

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: Longest period one export may cover (a few years of visits still fit in memory).
MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One exported file."""

    filename: str
    media_type: str
    content: bytes
    rows: int


def period_problem(start: date, end: date) -> str | None:
    """Why a period cannot be exported (``None`` when it can). The API's dates are bounded by
    their type already (``validators.AnyDate``); the CLI's are checked here."""
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return (f"{name}: дата має бути від 01.01.{EARLIEST_DATE.year} до "
                    f"31.12.{LATEST_DATE.year} (a date from {EARLIEST_DATE} to {LATEST_DATE})")
    if end < start or (end - start).days > MAX_DAYS:
        return "end: період має бути від 1 дня до 3 років (the period must be 1 day to 3 years)"
    return None


def run_export(conn: Connection, *, codes: Sequence[CommunityCode], start: date, end: date,
               fmt: ExportFormat, tables: Sequence[ExportTable], actor: str,
               device_id: uuid.UUID | None = None,
               calendar: WorkCalendar = DEFAULT_CALENDAR) -> list[ExportFile]:
    """Make the files (XLSX: one workbook with every table; CSV: one file per table); the
    cases' due days are counted by ``calendar`` (the server's, ``PORUCH_WORK_CALENDAR``)."""
    codes = sorted(set(codes), key=list(CommunityCode).index)
    visits = export.visit_lines(conn, codes=codes, start=start, end=end)
    services = export.service_lines(visits)
    with_cases = fmt is ExportFormat.XLSX or ExportTable.CASES in tables
    cases = case_lines(conn, codes=codes, start=start, end=end,
                       today=datetime.now(export.KYIV).date(),
                       calendar=calendar) if with_cases else []
    stem = export.file_stem(codes, start, end)
    files: list[ExportFile] = []
    if fmt is ExportFormat.XLSX:
        from sync_server.export_xlsx import XLSX_MEDIA_TYPE, workbook_bytes  # noqa: PLC0415

        content = workbook_bytes(visits=visits, services=services, cases=cases, codes=codes,
                                 start=start, end=end, exported_by=actor,
                                 exported_at=datetime.now(UTC))
        files.append(ExportFile(f"{stem}.xlsx", XLSX_MEDIA_TYPE, content, len(visits)))
    else:
        for table in tables:
            if table is ExportTable.VISITS:
                text, rows = export.visits_csv(visits), len(visits)
            elif table is ExportTable.SERVICES:
                text, rows = export.services_csv(services), len(services)
            else:
                text = export.table_csv(CASE_HEADERS, (line.cells() for line in cases))
                rows = len(cases)
            files.append(ExportFile(f"{stem}-{table.value}.csv", CSV_MEDIA_TYPE,
                                    text.encode("utf-8"), rows))
    per_community = {c: 0 for c in codes}
    for line in visits:
        per_community[line.community] += 1
    cases_of = {c: 0 for c in codes}
    for case in cases:
        cases_of[case.community] += 1
    what = "+".join(t.value for t in (tables if fmt is ExportFormat.CSV else ExportTable))
    write_events(conn, [AuditEvent(
        "export", "ok", actor=actor, device_id=device_id, community=c.value,
        detail=f"{fmt.value} {what} {start}..{end} visits={n}"
               + (f" cases={cases_of[c]}" if with_cases else ""))
        for c, n in per_community.items()])
    return files
