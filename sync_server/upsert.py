"""Bulk insert (and insert-or-update) of many rows in one statement.

SQLite: ``executemany`` (a C loop in the driver, already fast). PostgreSQL: one statement
that unpacks a JSON array of the rows (``jsonb_to_recordset``) — a push of hundreds of changes
writes thousands of history rows, and row-by-row statements (even pipelined) were most of
its time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, insert
from sqlalchemy.dialects import sqlite


def _json_default(value: Any) -> str:
    # UUIDs, datetimes and dates: their text forms are what PostgreSQL parses back.
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _pg_bulk(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
             key: str | None) -> None:
    names = list(rows[0])
    typed, selected = [], []
    for name in names:
        col = table.c[name]
        if isinstance(col.type, sa.JSON):
            typed.append(f'"{name}" jsonb')
            # A JSON null arrives as SQL NULL: store it as JSON null, as SQLAlchemy does.
            selected.append(f"""COALESCE("{name}", 'null'::jsonb)""")
        else:
            typed.append(f'"{name}" {col.type.compile(dialect=conn.dialect)}')
            selected.append(f'"{name}"')
    columns = ", ".join(f'"{n}"' for n in names)
    # All rows travel as one JSON document that PostgreSQL unpacks in C (jsonb_to_recordset):
    # one json.dumps instead of a Python-level adaptation of every value.
    sql = (f'INSERT INTO "{table.name}" ({columns}) SELECT {", ".join(selected)} '  # noqa: S608  (names from our table definitions)
           f"FROM jsonb_to_recordset(%s::jsonb) AS x({', '.join(typed)})")
    if key is not None:
        updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n != key)
        sql += f' ON CONFLICT ("{key}") DO UPDATE SET {updates}'
    payload = json.dumps(list(rows), ensure_ascii=False, default=_json_default,
                         separators=(",", ":"))
    conn.exec_driver_sql(sql, (payload,))


def bulk_insert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _pg_bulk(conn, table, rows, None)
    else:
        conn.execute(insert(table), list(rows))


def upsert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
           key: str = "id") -> None:
    """Insert ``rows`` into ``table``, replacing the non-key columns of existing ones."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _pg_bulk(conn, table, rows, key)
        return
    stmt = sqlite.insert(table)
    cols = [c for c in rows[0] if c != key]
    stmt = stmt.on_conflict_do_update(
        index_elements=[key], set_={c: stmt.excluded[c] for c in cols}
    )
    conn.execute(stmt, list(rows))
