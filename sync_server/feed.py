"""The change feed: one counter row per community, bumped inside the writing transaction.

Why a pull never skips a change: a push locks the counter rows of its communities (``SELECT
... FOR UPDATE`` on PostgreSQL, the database write lock on SQLite) *before* it reads the
records it merges, and takes its positions from them. A second writer to the same community
waits for the first to commit, so positions in a community are handed out in commit order.
A reader that sees position ``n`` committed therefore also sees every position below ``n``:
no cursor can run past a slower transaction that still holds a smaller position.

The same lock makes the merge safe: every writer of a record holds its community's counter
lock (a record never changes community), so read-merge-write cannot lose an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, text, update

from sync_server.db import is_postgres
from sync_server.tables import FeedCounter, RecordRow

COUNTERS = FeedCounter.__table__  # type: ignore[attr-defined]
RECORDS = RecordRow.__table__  # type: ignore[attr-defined]


def lock_communities(conn: Connection, communities: Iterable[str]) -> None:
    """Lock the counter rows of ``communities`` until commit (sorted: no deadlocks)."""
    codes = sorted(set(communities))
    if not codes or not is_postgres(conn):
        return  # SQLite: BEGIN IMMEDIATE already holds the database write lock
    conn.execute(
        select(COUNTERS.c.community).where(COUNTERS.c.community.in_(codes))
        .order_by(COUNTERS.c.community).with_for_update()
    ).all()


def take_positions(conn: Connection, community: str, count: int) -> list[int]:
    """``count`` consecutive new feed positions in ``community`` (caller holds its lock)."""
    last = conn.execute(
        update(COUNTERS).where(COUNTERS.c.community == community)
        .values(position=COUNTERS.c.position + count).returning(COUNTERS.c.position)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def read_page(conn: Connection, community: str, after: int, limit: int) -> Sequence[Any]:
    """Up to ``limit`` records of ``community`` with positions above ``after``, in order."""
    return conn.execute(
        select(RECORDS.c.id, RECORDS.c.kind, RECORDS.c.community, RECORDS.c.position,
               RECORDS.c.state)
        .where(RECORDS.c.community == community, RECORDS.c.position > after)
        .order_by(RECORDS.c.position).limit(limit)
    ).all()


def head_positions(conn: Connection) -> dict[str, int]:
    """Last position handed out per community."""
    return dict(conn.execute(text("SELECT community, position FROM feed_counter")).tuples().all())
