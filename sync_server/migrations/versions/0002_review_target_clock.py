"""Reviews name the version of the target they decided on (``review.target_clock``).

Revision ID: 0002_review_target_clock
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_review_target_clock'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_clock', sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('target_clock')
