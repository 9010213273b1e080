"""Bulk insert (and insert-or-update) of many rows in one statement, on SQLite and PostgreSQL.

A push of hundreds of changes writes thousands of rows (one history row per field write).
Row-by-row statements, and even SQLAlchemy's ``executemany`` (which runs every value of
every row through a Python bind processor, a ``json.dumps`` per JSON column), were most of a
push's time. So all rows travel as **one JSON document** — a list of rows, each a list of
column values — encoded by one C-level ``json.dumps``, and the database unpacks it in C:
``json_each`` on SQLite, ``jsonb_array_elements`` on PostgreSQL.

Values are stored exactly as SQLAlchemy would store them, so rows written here and rows
written through the ORM read back alike: on SQLite a UUID as its 32-digit hex, a timestamp as
``YYYY-MM-DD HH:MM:SS.ffffff``, booleans as 0/1 and JSON columns as JSON text; on PostgreSQL
the native types, JSON columns as ``jsonb`` (a Python ``None`` as JSON ``null``, as
SQLAlchemy's ``JSON`` type does).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

#: A converter from a Python value to its JSON-document form (``None`` passes through).
Converter = Callable[[Any], Any] | None


def _uuid_hex(value: Any) -> Any:
    if value is None or isinstance(value, uuid.UUID):
        return value and value.hex
    return uuid.UUID(str(value)).hex


def _uuid_text(value: Any) -> Any:
    return None if value is None else str(value)


def _sqlite_datetime(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format (its fields as they are, no zone).
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(col: sa.Column[Any], dialect: str) -> Converter:
    kind = col.type
    if isinstance(kind, sa.JSON):
        return None                                       # nested as JSON as it is
    if isinstance(kind, sa.Uuid):
        return _uuid_hex if dialect == "sqlite" else _uuid_text
    if isinstance(kind, sa.DateTime):
        return _sqlite_datetime if dialect == "sqlite" else _iso
    if isinstance(kind, sa.Date):
        return _iso
    return None


def _is_json(col: sa.Column[Any]) -> bool:
    return isinstance(col.type, sa.JSON)


@cache
def _plan(table: sa.Table, names: tuple[str, ...], key: str | None,
          dialect: sa.engine.Dialect) -> tuple[str, tuple[Converter, ...]]:
    """The statement and the per-column converters for rows with these ``names``."""
    cols = [table.c[n] for n in names]
    columns = ", ".join(f'"{n}"' for n in names)
    if dialect.name == "postgresql":
        selected = [
            f"v -> {i}" if _is_json(c) else f"(v ->> {i})::{c.type.compile(dialect=dialect)}"
            for i, c in enumerate(cols)]
        source = "jsonb_array_elements(%s::jsonb) AS e(v)"
    else:
        selected = [f"value {'->' if _is_json(c) else '->>'} '$[{i}]'"
                    for i, c in enumerate(cols)]
        # ``WHERE true``: SQLite's documented way to let ON CONFLICT follow INSERT ... SELECT.
        source = "json_each(?) WHERE true"
    sql = (f'INSERT INTO "{table.name}" ({columns}) '  # noqa: S608  (names from our tables)
           f"SELECT {', '.join(selected)} FROM {source}")
    if key is not None:
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != key)
        sql += f' ON CONFLICT ("{key}") DO UPDATE SET {updates}'
    return sql, tuple(_converter(c, dialect.name) for c in cols)


def _convert(values: list[Any], f: Converter) -> list[Any]:
    if f is None:
        return values
    # Rows of one batch share value objects (its timestamp, a mutation's record id): convert
    # each object once. Keyed by identity, not equality: equal datetimes in different zones
    # are stored with their own fields, as SQLAlchemy stores them.
    seen: dict[int, Any] = {}
    out = []
    for v in values:
        c = seen.get(id(v), seen)
        if c is seen:
            c = seen[id(v)] = f(v)
        out.append(c)
    return out


def _write(conn: Connection, table: sa.Table, rows: Sequence[Any],
           columns: Sequence[str] | None, key: str | None) -> None:
    if not rows:
        return
    if columns is None:  # dicts with the same keys
        names = tuple(rows[0])
        lists = [[r[n] for r in rows] for n in names]
    else:
        names = tuple(columns)
        lists = [list(col) for col in zip(*rows, strict=True)]
    sql, converters = _plan(table, names, key, conn.dialect)
    packed = list(zip(*(_convert(v, f) for v, f in zip(lists, converters, strict=True)),
                      strict=True))
    document = json.dumps(packed, ensure_ascii=False, separators=(",", ":"))
    conn.exec_driver_sql(sql, (document,))


def bulk_insert(conn: Connection, table: sa.Table, rows: Sequence[Any],
                columns: Sequence[str] | None = None) -> None:
    """Insert ``rows`` into ``table``: dicts with the same keys, or sequences of ``columns``."""
    _write(conn, table, rows, columns, None)


def upsert(conn: Connection, table: sa.Table, rows: Sequence[Any],
           columns: Sequence[str] | None = None, key: str = "id") -> None:
    """Insert ``rows`` (as for ``bulk_insert``), replacing the non-key columns of existing ones."""
    _write(conn, table, rows, columns, key)
