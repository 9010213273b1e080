"""Real server processes on loopback for end-to-end server tests (over ``tools.live_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tools.live_server import LiveServer


@contextmanager
def live_server(database_url: str, instance_id: str, *, secret: str,
                workers: int = 1) -> Iterator[str]:
    """Start a server instance on an already migrated database; yield its base URL."""
    env = {"PORUCH_INSTANCE_ID": instance_id, "PORUCH_SECRET_KEY": secret}
    with LiveServer(database_url, extra_env=env, workers=workers) as live:
        yield live.base_url
