"""client registration: who owns a client, where it came from (the clients file or the API), whether it is enabled

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_clients") as table:
        table.add_column(sa.Column("owner_domain", sa.String(100), nullable=True))
        # Clients registered before this revision all came from CATALOG_CLIENTS_FILE.
        table.add_column(sa.Column("source", sa.String(20), nullable=False, server_default="file"))
        table.add_column(sa.Column("registered_by", sa.String(100), nullable=True))
        table.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE oauth_clients SET owner_domain = domain WHERE domain IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("oauth_clients") as table:
        for column in ("disabled_at", "registered_by", "source", "owner_domain"):
            table.drop_column(column)
