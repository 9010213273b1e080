"""``/api/v1/sync``: push a batch of mutations, pull a page of the change feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared_models.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    ErrorCode,
    PullResponse,
    PushRequest,
    PushResponse,
    decode_cursors,
)
from sync_server import pull as pull_service
from sync_server import push as push_service
from sync_server.deps import ClockDep, CurrentDevice, EngineDep, SettingsDep
from sync_server.errors import ApiError

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse)
def push(body: PushRequest, principal: CurrentDevice, engine: EngineDep, clock: ClockDep,
         settings: SettingsDep) -> Response:
    """Apply a batch of mutations (idempotent per mutation id); one result per mutation."""
    result = push_service.push(engine, principal=principal, request=body, clock=clock,
                               max_drift_ms=settings.max_clock_drift_ms)
    # Built from validated data: serialised directly, not validated again by FastAPI.
    return Response(result.model_dump_json(), media_type="application/json")


@router.get("/pull", response_model=PullResponse)
def pull(
    *,
    principal: CurrentDevice,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    since: Annotated[str, Query(max_length=2000, description="community:position,...")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    """The next page of changes after the cursors in ``since`` (missing communities from 0)."""
    try:
        cursors = decode_cursors(since)
    except ValueError as exc:
        raise ApiError(422, ErrorCode.VALIDATION, f"since: {exc}") from None
    page = pull_service.pull(engine, principal=principal, since=cursors,
                             limit=min(limit, settings.pull_page_cap), clock=clock)
    return Response(page.to_json(), media_type="application/json")
