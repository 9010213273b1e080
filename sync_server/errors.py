"""Every error answer is built here: one ``{"code", "message"}`` shape, stable codes.

Exception tree::

    ApiError(status, code, message)      raised by services and dependencies
      ├── UnauthenticatedError                401 unauthenticated / device_revoked
      ├── ForbiddenError                      403 forbidden
      └── RateLimitedError                    429 rate_limited, with Retry-After

Handlers map them, FastAPI's ``HTTPException`` and ``RequestValidationError``, database
errors (503 with Retry-After: the client retries, pushes being idempotent) and anything else
(500, logged, never a stack trace in the answer). Refusals (401/403/429) are audited here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared_models.messages import explain
from shared_models.protocol import ErrorBody, ErrorCode
from sync_server.audit import audit_refusal

log = logging.getLogger("sync_server")

UPDATE_APP_MESSAGE = (
    "Версія застосунку застаріла: оновіть застосунок «Поруч», щоб продовжити синхронізацію. "
    "(Unsupported protocol version: please update the app.)"
)
_STATUS_CODES: dict[int, tuple[ErrorCode, str]] = {
    400: (ErrorCode.BAD_REQUEST, "Неправильний запит"),
    401: (ErrorCode.UNAUTHENTICATED, "Потрібно увійти"),
    403: (ErrorCode.FORBIDDEN, "Немає доступу"),
    404: (ErrorCode.NOT_FOUND, "Не знайдено"),
    405: (ErrorCode.BAD_REQUEST, "Метод не підтримується"),
    409: (ErrorCode.CONFLICT, "Конфлікт: спробуйте ще раз"),
    413: (ErrorCode.TOO_LARGE, "Запит завеликий"),
    422: (ErrorCode.VALIDATION, "Неправильні дані"),
    426: (ErrorCode.UNSUPPORTED_PROTOCOL, UPDATE_APP_MESSAGE),
    429: (ErrorCode.RATE_LIMITED, "Забагато спроб: зачекайте"),
    503: (ErrorCode.UNAVAILABLE, "Сервер тимчасово недоступний: спробуйте пізніше"),
}
#: Statuses whose refusals are written to the audit log.
AUDITED_STATUSES = frozenset({401, 403, 429})


class ApiError(Exception):
    """An error answer: HTTP status, stable code, human message (Ukrainian first)."""

    def __init__(
        self, status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class UnauthenticatedError(ApiError):
    """No valid token (401); ``device_revoked`` tells the client to wipe its data."""

    def __init__(self, code: ErrorCode = ErrorCode.UNAUTHENTICATED, message: str = "") -> None:
        super().__init__(
            401, code, message or "Потрібно увійти (sign in required)",
            {"WWW-Authenticate": "Bearer"},
        )


class ForbiddenError(ApiError):
    """Signed in, but this role or community may not do this (403)."""

    def __init__(self, message: str = "Немає доступу (forbidden)") -> None:
        super().__init__(403, ErrorCode.FORBIDDEN, message)


class RateLimitedError(ApiError):
    """Too many attempts (429) with the seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429, ErrorCode.RATE_LIMITED,
            f"Забагато невдалих спроб входу: спробуйте через {retry_after} с "
            f"(too many attempts, retry in {retry_after} s)",
            {"Retry-After": str(retry_after)},
        )


def error_response(
    status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one place an error answer is made."""
    body = ErrorBody(code=code, message=message).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=headers)


def validation_message(errors: Iterable[Mapping[str, Any]]) -> str:
    """Readable text of pydantic errors: ``where: what`` for the first few."""
    parts = []
    for err in list(errors)[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "header")]
        where = ".".join(loc)
        text = explain(err)
        if text == explain({}) and err.get("msg"):
            text = f"{text} ({err['msg']})"
        parts.append(f"{where}: {text}" if where else text)
    return "; ".join(parts) or "Неправильні дані"


def _audit_refusal(request: Request, exc: ApiError) -> None:
    try:
        audit_refusal(request, status=exc.status, code=exc.code.value)
    except Exception:  # the answer matters more than its audit row; log loudly
        log.exception("could not audit a refusal")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status in AUDITED_STATUSES:
            await run_in_threadpool(_audit_refusal, request, exc)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, default = _STATUS_CODES.get(exc.status_code, (ErrorCode.BAD_REQUEST, "Помилка"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
        headers = dict(exc.headers or {})
        return error_response(exc.status_code, code, detail or default, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, ErrorCode.VALIDATION, validation_message(exc.errors()))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error (concurrent write?): %s", exc.orig)
        code, message = _STATUS_CODES[409]
        return error_response(409, code, message, {"Retry-After": "1"})

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        code, message = _STATUS_CODES[503]
        return error_response(503, code, message, {"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            500, ErrorCode.SERVER_ERROR, "Внутрішня помилка сервера (internal server error)"
        )
