"""Bulk insert (and insert-or-update) of many rows in one statement, on SQLite and PostgreSQL.

A push of hundreds of changes writes thousands of rows (one history row per field write).
SQLAlchemy's ``executemany`` runs every value of every row through a Python bind processor
(a ``json.dumps`` per JSON column, a hex per UUID); that, and row-by-row statements before
it, were most of a push's time. Here values are converted once per column, with plain
functions (a value object shared by many rows — the batch's timestamp, a mutation's record
id — converted once), then:

* PostgreSQL: all rows travel as **one JSON document** (a list of rows, each a list of
  column values, one C-level ``json.dumps``) that ``jsonb_array_elements`` unpacks in C: one
  round trip, no Python per value on the server side;
* SQLite: the driver's ``executemany`` of plain tuples, a C loop (in-process, there is no
  round trip to save, and it beat unpacking a JSON document with ``json_each``).

Values are stored as SQLAlchemy stores them, so rows written here and rows written through
SQLAlchemy read back alike (``tests/server/test_upsert.py``): type decorators' own bind step
first (``tables.UtcDateTime``: aware times as UTC); then on SQLite a UUID as its 32-digit hex,
a timestamp as ``YYYY-MM-DD HH:MM:SS.ffffff``, booleans as 0/1 and JSON columns as compact
JSON text (``None`` as ``null``); on PostgreSQL the native types, JSON columns as ``jsonb``
(``None`` as JSON ``null``, as SQLAlchemy's ``JSON`` type does).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Connection

#: A value's stored (SQLite) or JSON-document (PostgreSQL) form; each one maps None to
#: what SQLAlchemy stores for it. ``None`` as a converter: the value is taken as it is.
Converter = Callable[[Any], Any] | None


def _uuid_hex(value: Any) -> str | None:
    if value is None:
        return None
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).hex


def _uuid_text(value: Any) -> Any:
    return None if value is None else str(value)


def _sqlite_datetime(v: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format (its fields as they are, no zone).
    if v is None:
        return None
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}")


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


_UNSET = object()
#: The server's one JSON encoder for stored text: compact, not ASCII-escaped, keys sorted —
#: ``merge.canonical``'s text, so equal values give equal text (fingerprints, history, states,
#: JSON columns; pull texts are the protocol's, ``pullwire.wire_json``).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
#: JSON text of a ``str`` (the C function behind the encoder, ``ensure_ascii=False``).
json_str = json.encoder.encode_basestring


def json_text(value: Any) -> str:
    """Canonical JSON text of ``value`` (``merge.canonical``): what stored JSON holds."""
    # Most values are strings, booleans, null or empty lists: skip the encoder's per-call
    # overhead for them (the output is the same).
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return json_str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is list and not value:
        return "[]"
    return _ENCODER.encode(value)


#: Converters by column type: (SQLite, PostgreSQL). Other types are taken as they are.
_BY_TYPE: tuple[tuple[type[Any], Converter, Converter], ...] = (
    (sa.Uuid, _uuid_hex, _uuid_text),
    (sa.DateTime, _sqlite_datetime, _iso),
    (sa.Date, _iso, _iso),
)


def _converter(kind: sa.types.TypeEngine[Any], dialect: sa.engine.Dialect,
               as_text: bool) -> Converter:
    if isinstance(kind, sa.types.TypeDecorator):
        # Its own bind step first (e.g. ``tables.UtcDateTime``: aware times to UTC), then
        # what its underlying type stores.
        inner = _converter(kind.impl_instance, dialect, as_text)
        if type(kind).process_bind_param is sa.types.TypeDecorator.process_bind_param:
            return inner  # no bind step of its own (e.g. SQLModel's AutoString)
        bind = kind.process_bind_param
        return (lambda v: bind(v, dialect)) if inner is None else \
            (lambda v: inner(bind(v, dialect)))
    sqlite = dialect.name == "sqlite"
    if isinstance(kind, sa.JSON):
        # As text already: SQLite stores it, PostgreSQL casts it. Otherwise SQLite gets JSON
        # text and PostgreSQL the value nested in the document.
        return json_text if sqlite and not as_text else None
    for base, on_sqlite, on_postgres in _BY_TYPE:
        if isinstance(kind, base):
            return on_sqlite if sqlite else on_postgres
    return None


def _is_json(col: sa.Column[Any]) -> bool:
    return isinstance(col.type, sa.JSON)



@cache
def _plan(table: sa.Table, names: tuple[str, ...], key: str | None, dialect: sa.engine.Dialect,
          as_text: frozenset[str]) -> tuple[str, tuple[Converter, ...]]:
    """The statement and the per-column converters for rows with these ``names``."""
    cols = [table.c[n] for n in names]
    columns = ", ".join(f'"{n}"' for n in names)
    if dialect.name == "postgresql":
        selected = [
            (f"(v ->> {i})::jsonb" if c.name in as_text else f"v -> {i}") if _is_json(c)
            else f"(v ->> {i})::{c.type.compile(dialect=dialect)}"
            for i, c in enumerate(cols)]
        sql = (f'INSERT INTO "{table.name}" ({columns}) '  # noqa: S608  (our table names)
               f"SELECT {', '.join(selected)} FROM jsonb_array_elements(%s::jsonb) AS e(v)")
    else:
        sql = (f'INSERT INTO "{table.name}" ({columns}) '  # noqa: S608  (our table names)
               f"VALUES ({', '.join('?' * len(cols))})")
    if key is not None:
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != key)
        sql += f' ON CONFLICT ("{key}") DO UPDATE SET {updates}'
    return sql, tuple(_converter(c.type, dialect, c.name in as_text) for c in cols)


def _convert(values: list[Any], f: Converter) -> list[Any]:
    if f is None:
        return values
    if f is json_text:
        return [json_text(v) for v in values]
    # Consecutive rows share value objects (the batch's timestamp, a mutation's record id in
    # each of its history rows): convert each run once. By identity, not equality: equal
    # datetimes in different zones are stored with their own fields, as SQLAlchemy does.
    out = []
    last: Any = _UNSET
    converted: Any = None
    for v in values:
        if v is not last:
            last, converted = v, f(v)
        out.append(converted)
    return out


class StoredForm(NamedTuple):
    """How this database stores UUIDs and timestamps: for rows built ``ready`` to write."""

    uuid: Callable[[Any], Any]
    timestamp: Callable[[Any], Any]


def stored_form(conn: Connection, timestamp: sa.types.TypeEngine[Any]) -> StoredForm:
    """The converters ``bulk_insert`` would apply on ``conn``'s database to UUIDs and to
    ``timestamp`` columns (the type the tables use for them)."""
    stamp = _converter(timestamp, conn.dialect, False)
    assert stamp is not None  # noqa: S101  (a timestamp type always converts)
    return StoredForm(_uuid_hex if conn.dialect.name == "sqlite" else _uuid_text, stamp)


def _write(conn: Connection, table: sa.Table, rows: Sequence[Any], *,
           columns: Sequence[str] | None, key: str | None, as_text: frozenset[str],
           ready: bool = False) -> None:
    if not rows:
        return
    if ready:  # sequences of ``columns`` in stored form (``stored_form``), JSON as text
        sql, _ = _plan(table, tuple(columns or ()), key, conn.dialect, as_text)
        _execute(conn, sql, rows)
        return
    if columns is None:  # dicts with the same keys
        names = tuple(rows[0])
        lists = [[r[n] for r in rows] for n in names]
    else:
        names = tuple(columns)
        lists = [list(col) for col in zip(*rows, strict=True)]
    sql, converters = _plan(table, names, key, conn.dialect, as_text)
    _execute(conn, sql, list(zip(*(_convert(v, f) for v, f in zip(lists, converters,
                                                                   strict=True)), strict=True)))


def _execute(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(sql, (_ENCODER.encode(rows),))
    else:
        conn.exec_driver_sql(sql, rows)


def bulk_insert(conn: Connection, table: sa.Table, rows: Sequence[Any],
                columns: Sequence[str] | None = None, *,
                as_text: frozenset[str] = frozenset(), ready: bool = False) -> None:
    """Insert ``rows`` into ``table``: dicts with the same keys, or sequences of ``columns``.

    JSON columns named in ``as_text`` come as JSON text already (``json_text``), so values
    encoded once for another purpose are not encoded again. ``ready`` rows are sequences
    whose UUIDs and timestamps are in ``stored_form`` already: they go to the database as
    they are, with no pass over their values here.
    """
    _write(conn, table, rows, columns=columns, key=None, as_text=as_text, ready=ready)


def upsert(conn: Connection, table: sa.Table, rows: Sequence[Any],
           columns: Sequence[str] | None = None, key: str = "id", *,
           as_text: frozenset[str] = frozenset(), ready: bool = False) -> None:
    """Insert ``rows`` (as for ``bulk_insert``), replacing the non-key columns of existing ones."""
    _write(conn, table, rows, columns=columns, key=key, as_text=as_text, ready=ready)
