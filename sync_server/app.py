"""The FastAPI app factory: settings -> engine, clock, middleware, error handlers, routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine, text
from starlette_compress import CompressMiddleware

from shared_models.clock import HybridClock
from shared_models.protocol import ErrorBody
from sync_server import __doc__ as package_doc
from sync_server.db import make_engine, read_tx
from sync_server.deps import EngineDep, SettingsDep, check_protocol
from sync_server.errors import install_error_handlers
from sync_server.housekeeping import LoginFailurePruner
from sync_server.middleware import BodyLimitMiddleware
from sync_server.routers import admin, auth, calendar, devices, exports, sync
from sync_server.schemas import HealthResponse
from sync_server.settings import Settings
from sync_server.walcheckpoint import WalCheckpointer

log = logging.getLogger("sync_server")
API_PREFIX = "/api/v1"
_ERR = {"model": ErrorBody}
#: Error answers every API route may give, in the one shape (documented for clients and tests).
API_ERRORS: dict[int | str, dict[str, Any]] = {
    s: _ERR for s in (400, 401, 403, 404, 409, 413, 415, 422, 426, 429, 500, 503)
}


def _document_push_body(app: FastAPI) -> None:
    """The push route reads its own body (see ``routers.sync.push``): put its model in the
    OpenAPI components so ``/docs`` and schema-driven clients still know it."""
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            sync.document_push_body(default())
        return app.openapi_schema or default()

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """A configured app. Pass ``engine`` to share one (tests); migrations are not run here."""
    settings = settings or Settings()
    owns_engine = engine is None  # an engine made here is disposed when the app stops
    engine = engine or make_engine(settings.database_url, pool_size=settings.db_pool_size,
                                   busy_timeout_ms=settings.sqlite_busy_timeout_ms)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (SQLAlchemy, pydantic, FastAPI, our models) lives as long as
        # the process: move it out of the garbage collector's sight. A push or pull allocates
        # hundreds of thousands of objects, and each full collection they trigger would walk
        # all of these again (measured: a quarter of a bulk push's server CPU).
        gc.collect()
        gc.freeze()
        checkpointer = WalCheckpointer.for_engine(engine)  # SQLite files only
        if checkpointer is not None:
            checkpointer.start()
        pruner = LoginFailurePruner(engine, window_seconds=settings.login_window_seconds)
        app.state.login_failure_pruner = pruner  # for tests and operators
        pruner.start()
        try:
            yield
        finally:
            await pruner.stop()
            if checkpointer is not None:
                checkpointer.stop()
            if owns_engine:
                engine.dispose()

    # The docs pages load Swagger UI and ReDoc from files shipped in fastapi-offline, not from
    # a CDN: an office server may have no internet, and a CDN would see who reads our docs.
    app = FastAPIOffline(
        title="Поруч — sync server", version="1", description=package_doc or "",
        lifespan=lifespan, responses={500: _ERR},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = HybridClock(settings.server_node, max_drift_ms=settings.max_clock_drift_ms)
    install_error_handlers(app)
    # zstd for clients that accept it (ours do): an initial sync of 10,000 records is 1.42 MB
    # at level 1 for 17 ms of server CPU, where gzip took 173 ms at level 6 (1.28 MB) and
    # 106 ms at level 5 (1.40 MB) — gzip was most of the server's work in a pull. Level 6
    # gzip stays for other clients; brotli is left off (no client of ours asks for it).
    app.add_middleware(CompressMiddleware, minimum_size=settings.gzip_min_bytes,
                       zstd_level=settings.zstd_level, brotli=False, gzip_level=6)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(check_protocol)],
                    responses=API_ERRORS)
    api.include_router(auth.router)
    api.include_router(sync.router)
    api.include_router(admin.router)
    api.include_router(exports.router)
    api.include_router(devices.router)
    api.include_router(calendar.router)
    app.include_router(api)
    _document_push_body(app)

    @app.get("/health", response_model=HealthResponse, tags=["health"],
             responses={503: _ERR})
    def health(engine: EngineDep, settings: SettingsDep) -> HealthResponse:
        """Liveness; 503 when the database cannot be reached."""
        with read_tx(engine) as conn:
            conn.execute(text("SELECT 1"))
        return HealthResponse(status="ok", database="ok", instance=settings.instance_id)

    return app
