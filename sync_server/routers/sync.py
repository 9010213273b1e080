"""``/api/v1/sync``: push a batch of mutations, pull a page of the change feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic.json_schema import models_json_schema

from shared_models.enums import Role
from shared_models.protocol import (
    DEFAULT_PULL_LIMIT,
    ErrorCode,
    PullLimit,
    PullResponse,
    PushRequest,
    PushResponse,
    decode_cursors,
)
from sync_server import pull as pull_service
from sync_server import push as push_service
from sync_server.deps import (
    ClockDep,
    Credentials,
    CurrentDevice,
    EngineDep,
    SettingsDep,
    current_device,
)
from sync_server.errors import ApiError
from sync_server.wire import parse_push

router = APIRouter(prefix="/sync", tags=["sync"])


#: The push body is read by the route itself (see ``push``); this documents it in OpenAPI.
PUSH_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/PushRequest"}}}}}


@router.post("/push", response_model=PushResponse, openapi_extra=PUSH_BODY_DOC)
async def push(request: Request, principal: CurrentDevice, engine: EngineDep, clock: ClockDep,
               settings: SettingsDep) -> Response:
    """Apply a batch of mutations (idempotent per mutation id); one result per mutation.

    The body (``PushRequest``, gzip allowed) is validated straight from its bytes into plain
    dicts (``wire.parse_push``): for a batch of hundreds of mutations that is much cheaper
    than a declared body parameter (JSON to Python objects, then to models).
    """
    raw = await request.body()

    def parse_and_push() -> PushResponse:  # on a worker thread: the event loop stays free
        try:
            body = parse_push(raw)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        return push_service.push(engine, principal=principal, request=body, clock=clock,
                                 max_drift_ms=settings.max_clock_drift_ms)

    result = await run_in_threadpool(parse_and_push)
    # Built from validated data: serialised directly, not validated again by FastAPI.
    return Response(result.model_dump_json(), media_type="application/json")


def document_push_body(openapi: dict[str, Any]) -> None:
    """Add ``PushRequest`` and the models it uses to the components of ``openapi``."""
    _, top = models_json_schema([(PushRequest, "validation")],
                                ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in top.get("$defs", {}).items():
        schemas.setdefault(name, schema)


@router.get("/pull", response_model=PullResponse)
def pull(
    *,
    request: Request,
    credentials: Credentials,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    since: Annotated[str, Query(max_length=2000, description="community:position,...")] = "",
    limit: Annotated[PullLimit, Query()] = DEFAULT_PULL_LIMIT,
    role: Annotated[Role | None, Query(
        description="the role the device's held feed was served as (the `role` of its last "
                    "page); when the account's role filters conflicts differently since, the "
                    "answer names communities to read again in `rescan`")] = None,
) -> Response:
    """The next page of changes after the cursors in ``since`` (missing communities from 0)."""
    principal = current_device(request, engine, settings, credentials)  # see current_device
    try:
        cursors = decode_cursors(since)
    except ValueError as exc:
        raise ApiError(422, ErrorCode.VALIDATION, f"since: {exc}") from None
    page = pull_service.pull(engine, principal=principal, since=cursors,
                             limit=min(limit, settings.pull_page_cap), clock=clock,
                             served_as=role)
    return Response(page.to_json(), media_type="application/json")
