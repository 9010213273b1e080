"""ASGI middleware: the request body limit (413) and compressed request bodies.

A declared ``Content-Length`` over the limit is refused before reading; a chunked body is
counted as it arrives and refused once it passes the limit (the app never sees it).

A body sent with ``Content-Encoding: zstd`` or ``gzip`` (the sync client compresses its
pushes: zstd, or gzip for a server from before zstd) is inflated here, before the app sees
it, and the limit applies to **both** sizes: the bytes on the wire and the inflated bytes.
Inflating stops as soon as the output passes the limit, so a small "zip bomb" costs at most
``max_bytes`` of memory and is answered 413 like any other oversized body. A damaged or cut
short stream is a 400 ``bad_request``; another content encoding a 415. Coding names are
case-insensitive and ``identity`` means no coding, as HTTP defines them (RFC 9110 §8.4.1).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import zstandard
from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_models.protocol import ErrorCode
from sync_server.errors import error_response

#: Compressed bodies above this size are inflated on a worker thread, not on the event loop.
_INFLATE_IN_THREAD_BYTES = 64 * 1024
_CHUNK = 256 * 1024


class BodyTooLarge(Exception):
    """The inflated body passed the limit."""


class DamagedBody(Exception):
    """The body is not a complete stream of its encoding."""


def inflate(data: bytes, max_bytes: int) -> bytes:
    """The gzip stream ``data`` inflated; ``BodyTooLarge`` past ``max_bytes``; ``DamagedBody``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer required
    out: list[bytes] = []
    size = 0
    pending = data
    try:
        while not inflater.eof:
            # ``max_length`` bounds each step's output: memory never exceeds the limit.
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLarge
            out.append(chunk)
            if not chunk and not pending:
                break  # no input left and no progress: the stream was cut short
    except zlib.error:
        raise DamagedBody from None
    if not inflater.eof or inflater.unused_data:
        raise DamagedBody  # cut short, or something after the gzip stream
    return b"".join(out)


#: Largest zstd window a body may ask the decoder for (the app's bodies need 2 MiB at most).
_ZSTD_MAX_WINDOW = 1 << 24


def inflate_zstd(data: bytes, max_bytes: int) -> bytes:
    """The zstd frames ``data`` decoded; ``BodyTooLarge`` past ``max_bytes``; ``DamagedBody``.

    Read through a bounded stream first (memory never exceeds the limit); a stream cut short
    decodes without complaint that way, so each frame's end is then checked by a second,
    already bounded pass — cheap next to the JSON parse that follows.
    """
    if not data:
        raise DamagedBody  # an empty body is no zstd stream
    decoder = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
    out: list[bytes] = []
    size = 0
    try:
        with decoder.stream_reader(data, read_across_frames=True) as reader:
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise BodyTooLarge
                out.append(chunk)
        rest = data
        while rest:
            frame = decoder.decompressobj()
            frame.decompress(rest)
            if not frame.eof:
                raise DamagedBody  # the last frame was cut short
            rest = frame.unused_data
    except zstandard.ZstdError:
        raise DamagedBody from None
    return b"".join(out)


#: Request body encodings read here, and how.
INFLATERS: dict[bytes, Callable[[bytes, int], bytes]] = {
    b"zstd": inflate_zstd, b"gzip": inflate, b"x-gzip": inflate}


class BodyLimitMiddleware:
    """Refuse bodies larger than ``max_bytes`` with 413; inflate compressed request bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        # Read the whole body (bounded) so the app gets it only when it is within the limit.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding not in (b"", b"identity"):
            inflated = await self._inflate(encoding, body, scope, receive, send)
            if inflated is None:
                return
            body = inflated
            scope = {**scope, "headers": [
                (k, v) for k, v in scope["headers"]
                if k not in (b"content-encoding", b"content-length")
            ] + [(b"content-length", str(len(body)).encode())]}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _inflate(self, encoding: bytes, body: bytes, scope: Scope, receive: Receive,
                       send: Send) -> bytes | None:
        """The inflated body, or ``None`` once an error answer was sent."""
        inflater = INFLATERS.get(encoding)
        if inflater is None:
            response = error_response(
                415, ErrorCode.BAD_REQUEST,
                "Непідтримуване стиснення запиту: лише zstd або gzip "
                "(unsupported Content-Encoding: only zstd or gzip)")
            await response(scope, receive, send)
            return None
        try:
            if len(body) > _INFLATE_IN_THREAD_BYTES:
                return await to_thread.run_sync(inflater, body, self.max_bytes)
            return inflater(body, self.max_bytes)
        except BodyTooLarge:
            await self._too_large(scope, receive, send)
        except DamagedBody:
            response = error_response(
                400, ErrorCode.BAD_REQUEST,
                "Пошкоджене стиснене тіло запиту: надішліть ще раз "
                "(damaged compressed request body)")
            await response(scope, receive, send)
        return None

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, ErrorCode.TOO_LARGE,
            f"Запит завеликий: не більше {self.max_bytes} байтів; надсилайте меншими "
            "порціями (request body too large)")
        await response(scope, receive, send)
