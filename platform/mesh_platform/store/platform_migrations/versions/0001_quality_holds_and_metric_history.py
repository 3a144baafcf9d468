"""quality holds and the metric history

Revision ID: platform_0001
Revises:

``quality_holds`` was created outside Alembic (``CREATE TABLE IF NOT EXISTS`` at start-up) before this revision:
a store that already has it keeps it as it is, and from now on Alembic owns it.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "platform_0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
ROW_ID = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("quality_holds"):
        op.create_table(
            "quality_holds",
            sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
            sa.Column("outbox_id", sa.BigInteger(), nullable=False),
            sa.Column("event_id", sa.String(64), nullable=False),
            sa.Column("event_type", sa.String(255), nullable=False),
            sa.Column("topic", sa.String(255), nullable=False),
            sa.Column("message_key", sa.String(255), nullable=False),
            sa.Column("action", sa.String(16), nullable=False),
            sa.Column("rules", sa.JSON(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("released_by", sa.String(255), nullable=True),
            sa.Column("release_reason", sa.Text(), nullable=True),
        )
        op.create_index("ix_quality_holds_event_id", "quality_holds", ["event_id"])
        op.create_index("ix_quality_holds_status", "quality_holds", ["status"])
    op.create_table(
        "quality_metric_history",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("contract_id", sa.String(255), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(512), nullable=False),
        sa.Column("measure", sa.String(64), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("center", sa.Float(), nullable=True),
        sa.Column("sigma", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("marked_by", sa.String(255), nullable=True),
        sa.Column("marked_reason", sa.Text(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_quality_metric_history_series", "quality_metric_history", ["contract_id", "major", "series", "measured_at"]
    )
    op.create_index("ix_quality_metric_history_verdict", "quality_metric_history", ["verdict"])


def downgrade() -> None:
    op.drop_table("quality_metric_history")
    op.drop_table("quality_holds")
