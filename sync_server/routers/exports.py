"""``/api/v1/exports``: CSV of a community's visits or services for a period (audited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared_models.communities import CommunityCode
from shared_models.protocol import ErrorCode
from sync_server import export
from sync_server.audit import AuditEvent, write_events
from sync_server.db import write_tx
from sync_server.deps import CurrentDevice, EngineDep
from sync_server.errors import ApiError, ForbiddenError
from sync_server.permissions import EXPORT_ROLES

router = APIRouter(prefix="/exports", tags=["exports"])
MAX_DAYS = 3 * 366
CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                      "description": "CSV, UTF-8 with BOM"}}


def _export(*, kind: str, principal: CurrentDevice, engine: EngineDep, community: CommunityCode,
            start: date, end: date) -> Response:
    if principal.role not in EXPORT_ROLES or not principal.may_read(community):
        raise ForbiddenError("Експорт доступний керівникам своїх громад і координаторам "
                        "(export: supervisors of the community, coordinators, admins)")
    if end < start or (end - start).days > MAX_DAYS:
        raise ApiError(422, ErrorCode.VALIDATION,
                       "end: період має бути від 1 дня до 3 років (period must be 1 day-3 years)")
    make = export.visits_csv if kind == "visits" else export.services_csv
    with write_tx(engine) as conn:
        text, count = make(conn, code=community, start=start, end=end)
        write_events(conn, [AuditEvent(
            "export", "ok", actor=principal.username, device_id=principal.device_id,
            community=community.value, detail=f"{kind} {start}..{end} rows={count}")])
    filename = f"{kind}-{community.value}-{start}-{end}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/visits", response_class=Response, responses=CSV_RESPONSE)  # type: ignore[arg-type]
def visits(*, principal: CurrentDevice, engine: EngineDep, community: CommunityCode,
           start: Annotated[date, Query()], end: Annotated[date, Query()]) -> Response:
    """Visits of a community in a period (inclusive), one row each."""
    return _export(kind="visits", principal=principal, engine=engine, community=community,
                   start=start, end=end)


@router.get("/services", response_class=Response, responses=CSV_RESPONSE)  # type: ignore[arg-type]
def services(*, principal: CurrentDevice, engine: EngineDep, community: CommunityCode,
             start: Annotated[date, Query()], end: Annotated[date, Query()]) -> Response:
    """Number of visits per service of a community in a period (inclusive)."""
    return _export(kind="services", principal=principal, engine=engine, community=community,
                   start=start, end=end)
