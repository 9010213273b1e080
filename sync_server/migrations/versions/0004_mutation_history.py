"""History as one row per accepted mutation (``mutation_history``) instead of one per field write.

A bulk push of 10,000 new records wrote 123,000 history rows; the same writes now make
10,000. Existing ``history`` rows are grouped by the mutation that wrote them (consecutive
rows of the same record, mutation, author and time) into ``writes`` objects —
``{field: [value, clock, supersedes, previous_value, previous_clock]}`` with trailing empty
parts left out — and the old table is dropped. Going down expands them again.

The tables are declared here as they were at this revision (not imported from the code,
which moves on).

Revision ID: 0004_mutation_history
Revises: 0003_perf_pull
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_mutation_history"
down_revision = "0003_perf_pull"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 5000
_OLD = sa.table(
    "history", sa.column("id", _BIG_ID), sa.column("record_id", sa.Uuid()),
    sa.column("kind", sa.String()), sa.column("community", sa.String()),
    sa.column("field", sa.String()), sa.column("value", _JSON), sa.column("clock", sa.String()),
    sa.column("author", sa.String()), sa.column("supersedes", _JSON),
    sa.column("previous_value", _JSON), sa.column("previous_clock", sa.String()),
    sa.column("mutation_id", sa.Uuid()), sa.column("recorded_at", sa.DateTime(timezone=True)),
)
_NEW = sa.table(
    "mutation_history", sa.column("id", _BIG_ID), sa.column("record_id", sa.Uuid()),
    sa.column("kind", sa.String()), sa.column("community", sa.String()),
    sa.column("author", sa.String()), sa.column("writes", _JSON),
    sa.column("mutation_id", sa.Uuid()), sa.column("recorded_at", sa.DateTime(timezone=True)),
)


def _pages(conn: sa.Connection, table: Any, *columns: Any) -> Iterator[Any]:
    """All rows of ``table`` in id order, read a page at a time."""
    last = None
    while True:
        query = sa.select(*columns).order_by(table.c.id).limit(_BATCH)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _entry(row: Any) -> list[Any]:
    if row.previous_clock is not None:
        return [row.value, row.clock, list(row.supersedes or []), row.previous_value,
                row.previous_clock]
    if row.supersedes:
        return [row.value, row.clock, list(row.supersedes)]
    return [row.value, row.clock]


def _group_old(conn: sa.Connection) -> None:
    c = _OLD.c
    out: list[dict[str, Any]] = []
    key: tuple[Any, ...] | None = None
    for row in _pages(conn, _OLD, *c):
        row_key = (row.record_id, row.mutation_id, row.author, row.recorded_at)
        if row_key != key or row.field in out[-1]["writes"]:
            key = row_key
            out.append({"record_id": row.record_id, "kind": row.kind,
                        "community": row.community, "author": row.author, "writes": {},
                        "mutation_id": row.mutation_id, "recorded_at": row.recorded_at})
        out[-1]["writes"][row.field] = _entry(row)
        if len(out) > _BATCH:
            conn.execute(sa.insert(_NEW), out[:-1])
            del out[:-1]
    if out:
        conn.execute(sa.insert(_NEW), out)


def _expand_new(conn: sa.Connection) -> None:
    rows: list[dict[str, Any]] = []
    for row in _pages(conn, _NEW, *_NEW.c):
        for name, (value, clock, *rest) in row.writes.items():
            rows.append({
                "record_id": row.record_id, "kind": row.kind, "community": row.community,
                "field": name, "value": value, "clock": clock, "author": row.author,
                "supersedes": rest[0] if rest else [],
                "previous_value": rest[1] if len(rest) > 1 else None,
                "previous_clock": rest[2] if len(rest) > 1 else None,
                "mutation_id": row.mutation_id, "recorded_at": row.recorded_at})
        if len(rows) >= _BATCH:
            conn.execute(sa.insert(_OLD), rows)
            rows = []
    if rows:
        conn.execute(sa.insert(_OLD), rows)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "mutation_history",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("community", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("writes", _JSON, nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mutation_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mutation_history_record_id"), ["record_id"],
                              unique=False)
    _group_old(op.get_bind())
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_record_id"))
    op.drop_table("history")


def downgrade() -> None:
    """Revert this revision."""
    op.create_table(
        "history",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("community", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", _JSON, nullable=False),
        sa.Column("clock", sa.String(length=100), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("supersedes", _JSON, nullable=False),
        sa.Column("previous_value", _JSON, nullable=False),
        sa.Column("previous_clock", sa.String(length=100), nullable=True),
        sa.Column("mutation_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_record_id"), ["record_id"], unique=False)
    _expand_new(op.get_bind())
    with op.batch_alter_table("mutation_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mutation_history_record_id"))
    op.drop_table("mutation_history")
