"""Bulk insert-or-update on SQLite and PostgreSQL (both speak ``ON CONFLICT``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
           key: str = "id") -> None:
    """Insert ``rows`` into ``table``, replacing the non-key columns of existing ones."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    cols = [c for c in rows[0] if c != key]
    stmt = stmt.on_conflict_do_update(
        index_elements=[key], set_={c: stmt.excluded[c] for c in cols}
    )
    conn.execute(stmt, list(rows))
