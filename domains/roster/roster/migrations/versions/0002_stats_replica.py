"""roster's replica of stats' records and rankings (reverse ETL)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_record_copies",
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("losses", sa.Integer(), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("no_contests", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "stats_ranking_copies",
        sa.Column("weight_class", sa.String(40), primary_key=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "stats_ranked_copies",
        sa.Column("weight_class", sa.String(40), primary_key=True),
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stats_ranked_copies")
    op.drop_table("stats_ranking_copies")
    op.drop_table("stats_record_copies")
