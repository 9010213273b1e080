"""``/api/v1/exports``: a community's visits, services and cases for a period, CSV or XLSX
(audited).

``community`` may be repeated (a coordinator exporting several communities in one file);
every one must be readable by the caller. Supervisors export their own communities,
coordinators and admins any; social workers cannot export.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared_models.communities import CommunityCode
from shared_models.protocol import ErrorCode
from shared_models.supervision import ExportFormat, ExportTable
from shared_models.validators import AnyDate
from shared_models.work_calendar import WorkCalendar
from sync_server.db import write_tx
from sync_server.deps import CurrentDevice, EngineDep, SettingsDep
from sync_server.errors import ApiError, ForbiddenError
from sync_server.export_run import ExportFile, period_problem, run_export
from sync_server.export_xlsx import XLSX_MEDIA_TYPE
from sync_server.permissions import EXPORT_ROLES

router = APIRouter(prefix="/exports", tags=["exports"])
CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                      "description": "CSV, UTF-8 with BOM"}}
XLSX_RESPONSE = {200: {"content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string",
                                                                "format": "binary"}}},
                       "description": "XLSX workbook: visits, services, cases, parameters"}}
Communities = Annotated[list[CommunityCode], Query(min_length=1, max_length=11)]
#: A day of an export's period: 1900 to 2099 (``validators.AnyDate``, the one date bound).
Day = Annotated[AnyDate, Query()]


def _export(*, principal: CurrentDevice, engine: EngineDep, calendar: WorkCalendar,
            codes: list[CommunityCode],
            start: date, end: date, fmt: ExportFormat, table: ExportTable | None) -> Response:
    if principal.role not in EXPORT_ROLES or not all(principal.may_read(c) for c in codes):
        raise ForbiddenError("Експорт доступний супервізорам своїх громад і координаторам "
                             "(export: supervisors of the community, coordinators, admins)")
    problem = period_problem(start, end)
    if problem:
        raise ApiError(422, ErrorCode.VALIDATION, problem)
    tables = [table] if table is not None else list(ExportTable)
    with write_tx(engine) as conn:
        [file] = run_export(conn, codes=codes, start=start, end=end, fmt=fmt, tables=tables,
                            actor=principal.username, device_id=principal.device_id,
                            calendar=calendar)
    return _response(file)


def _response(file: ExportFile) -> Response:
    return Response(file.content, media_type=file.media_type, headers={
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        "X-Poruch-Rows": str(file.rows)})


@router.get("/visits", response_class=Response, responses=CSV_RESPONSE)  # type: ignore[arg-type]
def visits(*, principal: CurrentDevice, engine: EngineDep, settings: SettingsDep,
           community: Communities, start: Day, end: Day) -> Response:
    """Visits of the communities in a period (inclusive, Kyiv days), one CSV row each."""
    return _export(principal=principal, engine=engine, calendar=settings.calendar,
                   codes=community, start=start, end=end,
                   fmt=ExportFormat.CSV, table=ExportTable.VISITS)


@router.get("/services", response_class=Response, responses=CSV_RESPONSE)  # type: ignore[arg-type]
def services(*, principal: CurrentDevice, engine: EngineDep, settings: SettingsDep,
             community: Communities, start: Day, end: Day) -> Response:
    """Visits and families per service and community in a period (CSV, with ЄІССС codes)."""
    return _export(principal=principal, engine=engine, calendar=settings.calendar,
                   codes=community, start=start, end=end,
                   fmt=ExportFormat.CSV, table=ExportTable.SERVICES)


@router.get("/cases", response_class=Response, responses=CSV_RESPONSE)  # type: ignore[arg-type]
def cases(*, principal: CurrentDevice, engine: EngineDep, settings: SettingsDep,
          community: Communities, start: Day, end: Day) -> Response:
    """Cases that ran during the period (CSV): stage, the needs assessment's term and whether
    it was met, support, closure reason and result; families by id only."""
    return _export(principal=principal, engine=engine, calendar=settings.calendar,
                   codes=community, start=start, end=end,
                   fmt=ExportFormat.CSV, table=ExportTable.CASES)


@router.get("/workbook", response_class=Response, responses=XLSX_RESPONSE)  # type: ignore[arg-type]
def workbook(*, principal: CurrentDevice, engine: EngineDep, settings: SettingsDep,
             community: Communities, start: Day, end: Day) -> Response:
    """Every table of the period as one XLSX workbook (sheets «Візити», «Послуги»,
    «Випадки»)."""
    return _export(principal=principal, engine=engine, calendar=settings.calendar,
                   codes=community, start=start, end=end,
                   fmt=ExportFormat.XLSX, table=None)
