"""Login failures that no longer count are deleted on a schedule while the server runs.

Before, ``prune_failures`` was never called: rows for names nobody signs in as (typos,
guessing) and for client addresses stayed forever.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select

from sync_server.accounts import FAILURES
from sync_server.app import create_app
from sync_server.db import read_tx, write_tx
from sync_server.housekeeping import LoginFailurePruner, prune_login_failures
from sync_server.settings import Settings

WINDOW = 15 * 60


def _fail(engine: Engine, key: str, at: datetime) -> None:
    with write_tx(engine) as conn:
        conn.execute(insert(FAILURES).values(key=key, at=at))


def _keys(engine: Engine) -> list[str]:
    with read_tx(engine) as conn:
        return sorted(conn.execute(select(FAILURES.c.key)).scalars())


def test_failures_older_than_the_window_are_pruned(engine: Engine) -> None:
    now = datetime.now(UTC)
    _fail(engine, "user:nobody-signs-in-as-this", now - timedelta(seconds=WINDOW + 60))
    _fail(engine, "addr:old", now - timedelta(days=3))
    _fail(engine, "user:olena", now - timedelta(seconds=WINDOW - 60))   # still counts
    assert prune_login_failures(engine, window_seconds=WINDOW, now=now) == 2
    assert _keys(engine) == ["user:olena"]


def test_the_pruner_runs_on_its_own_and_stops(engine: Engine) -> None:
    old = datetime.now(UTC) - timedelta(seconds=WINDOW * 2)
    _fail(engine, "user:typo", old)

    async def run() -> int:
        pruner = LoginFailurePruner(engine, window_seconds=WINDOW, interval_s=0.05)
        pruner.start()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if pruner.pruned:
                break
        await pruner.stop()
        return pruner.pruned

    assert asyncio.run(run()) == 1
    assert _keys(engine) == []


def test_the_app_prunes_while_it_runs(settings: Settings, engine: Engine) -> None:
    # A one-second window, so the app's own schedule (once per window) runs within the test.
    quick = settings.model_copy(update={"login_window_seconds": 1})
    _fail(engine, "user:typo", datetime.now(UTC) - timedelta(hours=1))
    app = create_app(quick, engine=engine)

    async def run() -> int:
        async with app.router.lifespan_context(app):
            pruner = app.state.login_failure_pruner
            for _ in range(150):
                await asyncio.sleep(0.02 if pruner.pruned else 0.05)
                if pruner.pruned:
                    break
            pruned: int = pruner.pruned
        return pruned

    assert asyncio.run(run()) == 1
    assert _keys(engine) == []
