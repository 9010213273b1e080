"""Periodic clean-up while the server runs: login failures that no longer count are deleted.

A failed login leaves a ``login_failure`` row per account name and per client address; a
successful login clears its account's rows, but rows of names nobody signs in as (typos,
guessing) and of addresses were never deleted, so the table grew with every attempt. Rows
older than the rate-limit window no longer count (``accounts._retry_after`` reads only the
window), so ``LoginFailurePruner`` deletes them once per window, on a worker thread, for as
long as the app runs (started and stopped by its lifespan, like the WAL checkpointer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from sync_server.accounts import prune_failures
from sync_server.db import write_tx

log = logging.getLogger(__name__)


def prune_login_failures(engine: Engine, *, window_seconds: int,
                         now: datetime | None = None) -> int:
    """Delete the login failures older than the window; how many went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=window_seconds)
    with write_tx(engine) as conn:
        return prune_failures(conn, older_than=cutoff)


class LoginFailurePruner:
    """Runs ``prune_login_failures`` every ``interval_s`` seconds on the running loop."""

    def __init__(self, engine: Engine, *, window_seconds: int,
                 interval_s: float | None = None) -> None:
        self._engine, self._window = engine, window_seconds
        self._interval = float(window_seconds if interval_s is None else interval_s)
        self._task: asyncio.Task[None] | None = None
        self.pruned = 0  # rows deleted so far, for tests

    def start(self) -> None:
        """Start the periodic task (call from the event loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the task and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                self.pruned += await asyncio.to_thread(
                    prune_login_failures, self._engine, window_seconds=self._window)
            except Exception:  # a busy or unreachable database: try again next time
                log.warning("pruning login failures failed", exc_info=True)
