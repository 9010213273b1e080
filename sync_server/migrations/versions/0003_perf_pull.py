"""Pull-side columns of ``record``: the stored wire text, and the two authors of a conflict.

``wire`` is each record's ``RecordChange`` JSON as pull pages send it, so a page is assembled
from stored text; ``winner_author``/``loser_author`` let the pull give a conflict record only
to its two authors and the community's reviewers. Existing rows are filled from their state.

Revision ID: 0003_perf_pull
Revises: 0002_placements
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from sync_server.statejson import feed_columns

revision = "0003_perf_pull"
down_revision = "0002_placements"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_RECORD = sa.table(
    "record", sa.column("id", sa.Uuid()), sa.column("kind", sa.String()),
    sa.column("community", sa.String()), sa.column("position", sa.BigInteger()),
    sa.column("state", _JSON), sa.column("wire", sa.Text()),
    sa.column("winner_author", sa.String()), sa.column("loser_author", sa.String()),
)
_BATCH = 1000


def _backfill(conn: sa.Connection) -> None:
    rec = _RECORD.c
    update = (sa.update(_RECORD).where(rec.id == sa.bindparam("rid"))
              .values(wire=sa.bindparam("w"), winner_author=sa.bindparam("wa"),
                      loser_author=sa.bindparam("la")))
    last = None
    while True:
        query = sa.select(rec.id, rec.kind, rec.community, rec.position, rec.state)
        if last is not None:
            query = query.where(rec.id > last)
        rows = conn.execute(query.order_by(rec.id).limit(_BATCH)).all()
        if not rows:
            return
        params = []
        for rid, kind, community, position, state in rows:
            cols = feed_columns(rid, kind, community, position, state)
            params.append({"rid": rid, "w": cols["wire"], "wa": cols["winner_author"],
                           "la": cols["loser_author"]})
        conn.execute(update, params)
        last = rows[-1][0]


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wire", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("winner_author", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("loser_author", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.alter_column("wire", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("loser_author")
        batch_op.drop_column("winner_author")
        batch_op.drop_column("wire")
