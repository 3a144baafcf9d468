"""identity and access: OAuth2 clients (hashed secrets), access requests, grants, the append-only audit log

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(100), primary_key=True),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(100), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(100), nullable=False, index=True),
        sa.Column("domain", sa.String(100), nullable=False, index=True),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("pii", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("requested_at", _AT, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(100), nullable=False, index=True),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", _AT, nullable=False),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", _AT, nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", _AT, nullable=False, index=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    # Append-only in the store itself, not only by convention: an update or a delete of the audit log fails.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""")
        op.execute("""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_is_append_only()")
    for table in ("audit_log", "grants", "access_requests", "oauth_clients"):
        op.drop_table(table)
