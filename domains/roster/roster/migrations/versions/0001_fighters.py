"""fighters and the platform tables

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
        "fighters",
        sa.Column("fighter_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("nickname", sa.String(200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False, index=True),
        sa.Column("weight_class", sa.String(40), nullable=False, index=True),
        sa.Column("stance", sa.String(20), nullable=False),
        sa.Column("height_cm", sa.Integer(), nullable=False),
        sa.Column("reach_cm", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_platform_tables(op)


def downgrade() -> None:
    drop_platform_tables(op)
    op.drop_table("fighters")
