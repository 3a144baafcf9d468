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


# Histories kept in the store itself, not only by convention: an update or a delete of them fails.
APPEND_ONLY = ("incident_changes", "slo_status_changes")


def upgrade() -> None:
    tables = define_trust_tables(sa.MetaData())
    bind = op.get_bind()
    for table in tables.all():
        table.create(bind)
    for name in APPEND_ONLY:
        if bind.dialect.name == "postgresql":
            op.execute(f"""CREATE FUNCTION {name}_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{name} is append-only'; END $$""")
            op.execute(f"""CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name}
                FOR EACH ROW EXECUTE FUNCTION {name}_is_append_only()""")
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {name}_no_{event.lower()} BEFORE {event} ON {name}
                    BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {name}_append_only ON {name}")
            op.execute(f"DROP FUNCTION {name}_is_append_only()")
    for table in reversed(define_trust_tables(sa.MetaData()).all()):
        op.drop_table(table.name)
