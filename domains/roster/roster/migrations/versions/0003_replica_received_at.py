"""when roster stored each copy of stats' records and rankings (the fighters product's change time counts them)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: copies stored before this revision have no receipt time; the product reads them as unchanged.
    for table in ("stats_record_copies", "stats_ranking_copies"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("stats_record_copies", "stats_ranking_copies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("received_at")
