"""An httpx transport that breaks the link between a device and a real server on purpose.

Whether a request is hit is decided by a seeded random source (replayable); the kind of fault
cycles through this list, so a short run still meets every kind:

- ``drop_request``:   the request never reaches the server (connection error);
- ``drop_response``:  the server handles the request and commits, the answer is lost;
- ``duplicate``:      the request is delivered twice; the device sees the second answer;
- ``truncate``:       the answer's body is cut in half;
- ``http_500`` / ``http_503``: the answer is a server error (the server did nothing);
- ``timeout``:        the request times out before the server sees it.
"""

from __future__ import annotations

import random
from collections import Counter

import httpx

FAULTS = ("drop_request", "drop_response", "duplicate", "truncate", "http_500", "http_503",
          "timeout")


class FaultyTransport(httpx.BaseTransport):
    """Forwards to ``inner`` over the real network, injecting faults at ``rate``."""

    def __init__(self, inner: httpx.BaseTransport, *, rate: float, seed: int,
                 faults: tuple[str, ...] = FAULTS) -> None:
        self.inner = inner
        self.rate = rate
        self.rng = random.Random(seed)
        self.faults = faults
        self.injected: Counter[str] = Counter()
        self.enabled = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = None
        if self.enabled and self.rng.random() < self.rate:
            fault = self.faults[sum(self.injected.values()) % len(self.faults)]
            self.injected[fault] += 1
        if fault == "drop_request":
            raise httpx.ConnectError("injected: request dropped", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("injected: timed out", request=request)
        if fault in ("http_500", "http_503"):
            status = 500 if fault == "http_500" else 503
            return httpx.Response(status, json={"code": "server_error", "message": "injected"},
                                  headers={"Retry-After": "0"} if status == 503 else None,
                                  request=request)
        response = self._forward(request)
        if fault == "drop_response":
            raise httpx.ReadError("injected: response lost after the server committed",
                                  request=request)
        if fault == "duplicate":
            response = self._forward(request)
        if fault == "truncate":
            body = response.content
            return httpx.Response(response.status_code, headers=response.headers,
                                  content=body[: len(body) // 2], request=request)
        return response

    def _forward(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()  # decoded: drop the encoding headers that described the wire form
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")]
        return httpx.Response(response.status_code, headers=headers,
                              content=response.content, request=request)

    def close(self) -> None:
        self.inner.close()
