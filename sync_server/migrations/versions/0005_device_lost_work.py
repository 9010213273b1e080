"""What a revoked device reported it lost: ``device.lost_reported_at`` and ``device.lost_work``.

Both nullable, empty for every existing device (none had a way to report before). Going down
drops them and the reports with them.

Revision ID: 0005_device_lost_work
Revises: 0004_mutation_history
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_device_lost_work"
down_revision = "0004_mutation_history"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lost_reported_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("lost_work", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("lost_work")
        batch_op.drop_column("lost_reported_at")
