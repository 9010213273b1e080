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

from sqlalchemy import Connection, or_, select, text, update

from shared_models.enums import RecordKind
from sync_server.db import is_postgres
from sync_server.tables import FeedCounter, RecordRow, table_of

COUNTERS = table_of(FeedCounter)
RECORDS = table_of(RecordRow)


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


def read_page(conn: Connection, community: str, after: int, limit: int, *,
              conflicts_of: str | None = None) -> Sequence[Any]:
    """Up to ``limit`` records of ``community`` after position ``after``, in position order.

    Rows are ``(id, position, wire)``. With ``conflicts_of``, conflict records are left out
    unless that user wrote one of their sides (``winner_author``/``loser_author``).
    """
    query = (select(RECORDS.c.id, RECORDS.c.position, RECORDS.c.wire)
             .where(RECORDS.c.community == community, RECORDS.c.position > after))
    if conflicts_of is not None:
        query = query.where(or_(RECORDS.c.kind != RecordKind.CONFLICT.value,
                                RECORDS.c.winner_author == conflicts_of,
                                RECORDS.c.loser_author == conflicts_of))
    return conn.execute(query.order_by(RECORDS.c.position).limit(limit)).all()


def head_positions(conn: Connection) -> dict[str, int]:
    """Last position handed out per community."""
    return {c: p for c, p in conn.execute(text("SELECT community, position FROM feed_counter"))}
