"""trust: incidents and their history, check states, SLI samples and SLO status changes, notifications, webhooks

Revision ID: 0005
Revises: 0004 (client registration)
"""

import sqlalchemy as sa
from alembic import op

from catalog.adapters.trust_tables import define_trust_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = define_trust_tables(sa.MetaData())
    bind = op.get_bind()
    for table in tables.all():
        table.create(bind)


def downgrade() -> None:
    for table in reversed(define_trust_tables(sa.MetaData()).all()):
        op.drop_table(table.name)
