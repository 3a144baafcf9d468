"""replicas of fighters and results, fighter records, rankings, the announcement log and the platform tables

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
        "fighter_replica",
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("weight_class", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "result_replica",
        sa.Column("bout_id", sa.String(36), primary_key=True),
        sa.Column("bout_date", sa.Date(), nullable=False, index=True),
        sa.Column("weight_class", sa.String(40), nullable=False, index=True),
        sa.Column("red_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("blue_fighter_id", sa.String(36), nullable=False, index=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("winner_fighter_id", sa.String(36), nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "fighter_records",
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("weight_class", sa.String(40), nullable=False, index=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in (
            "wins", "losses", "draws", "no_contests", "wins_by_ko_tko", "wins_by_submission", "wins_by_decision",
            "wins_by_dq", "losses_by_ko_tko", "losses_by_submission", "losses_by_decision", "current_streak",
        )),
        sa.Column("last_fight_date", sa.Date(), nullable=True),
        sa.Column("fights_per_year", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rankings",
        sa.Column("weight_class", sa.String(40), primary_key=True),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("product", sa.String(40), primary_key=True),
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
    for table in ("announcements", "rankings", "fighter_records", "result_replica", "fighter_replica"):
        op.drop_table(table)
