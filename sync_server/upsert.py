"""Bulk insert (and insert-or-update) of many rows in one statement.

SQLite: ``executemany`` (a C loop in the driver, already fast). PostgreSQL: one statement
that ``unnest``s one array per column — a push of hundreds of changes writes thousands of
history rows, and row-by-row statements (even pipelined) were most of its time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, insert
from sqlalchemy.dialects import sqlite


def _pg_bulk(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
             key: str | None) -> None:
    names = list(rows[0])
    casts, params = [], []
    for name in names:
        col = table.c[name]
        is_json = isinstance(col.type, sa.JSON)
        type_sql = "jsonb" if is_json else col.type.compile(dialect=conn.dialect)
        casts.append(f"CAST(%b AS {type_sql}[])")  # %b: binary parameter
        values = [r[name] for r in rows]
        if is_json:  # arrays of jsonb travel as text, one JSON document per element
            values = [json.dumps(v, ensure_ascii=False) for v in values]
        params.append(values)
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) SELECT * FROM unnest({", ".join(casts)})'  # noqa: S608  (names from our table definitions)
    if key is not None:
        updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n != key)
        sql += f' ON CONFLICT ("{key}") DO UPDATE SET {updates}'
    # Binary parameters: psycopg's text array format escapes every element in Python.
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(sql, params)


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
