"""event cards, bouts, the fighter replica and the platform tables

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
        "event_cards",
        sa.Column("card_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False, index=True),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("city", sa.String(120), nullable=False),
        sa.Column("country", sa.String(2), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bouts",
        sa.Column("bout_id", sa.String(36), primary_key=True),
        sa.Column("card_id", sa.String(36), sa.ForeignKey("event_cards.card_id"), nullable=False, index=True),
        sa.Column("card_date", sa.Date(), nullable=False, index=True),
        sa.Column("red_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("blue_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("weight_class", sa.String(40), nullable=False, index=True),
        sa.Column("title_bout", sa.Boolean(), nullable=False),
        sa.Column("main_event", sa.Boolean(), nullable=False),
        sa.Column("order_on_card", sa.Integer(), nullable=False),
        sa.Column("scheduled_rounds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "fighter_replica",
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("weight_class", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
    )
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
    op.drop_table("fighter_replica")
    op.drop_table("bouts")
    op.drop_table("event_cards")
