"""A synchronous in-process client of the ASGI app (httpx ``ASGITransport`` in an anyio portal).

Starlette's ``TestClient`` now warns that its httpx backend is deprecated, and the suite runs
with warnings as errors, so this is the few lines of it we need.
"""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal


class AppClient:
    """``get``/``post``/``request`` against an ASGI app, answered in-process."""

    def __init__(self, app: Any, client_host: str = "127.0.0.1") -> None:
        self._stack = ExitStack()
        self.portal = self._stack.enter_context(start_blocking_portal())
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False,
                                        client=(client_host, 50000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for the answer."""
        return self.portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET ``url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST ``url``."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the client and stop the portal's event loop."""
        self.portal.call(self._client.aclose)
        self._stack.close()

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
