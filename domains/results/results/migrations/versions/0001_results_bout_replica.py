"""bout results, the bout replica and the platform tables

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from mesh_platform.domain_api import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bout_results",
        sa.Column("bout_id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(36), nullable=False, index=True),
        sa.Column("bout_date", sa.Date(), nullable=False, index=True),
        sa.Column("weight_class", sa.String(40), nullable=False, index=True),
        sa.Column("red_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("blue_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("outcome", sa.String(20), nullable=False, index=True),
        sa.Column("winner_fighter_id", sa.String(36), nullable=True, index=True),
        sa.Column("method", sa.String(10), nullable=False, index=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("time", sa.String(5), nullable=False),
        sa.Column("judges_scores", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bout_replica",
        sa.Column("bout_id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(36), nullable=False),
        sa.Column("card_date", sa.Date(), nullable=False),
        sa.Column("red_fighter_id", sa.String(36), nullable=False),
        sa.Column("blue_fighter_id", sa.String(36), nullable=False),
        sa.Column("weight_class", sa.String(40), nullable=False),
        sa.Column("scheduled_rounds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
    )
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
    op.drop_table("bout_replica")
    op.drop_table("bout_results")
