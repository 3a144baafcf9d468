"""registry, consumers, search index and lineage graph

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_products",
        sa.Column("domain", sa.String(100), primary_key=True),
        sa.Column("product", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "product_versions",
        sa.Column("domain", sa.String(100), primary_key=True),
        sa.Column("product", sa.String(100), primary_key=True),
        sa.Column("major", sa.Integer(), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("sunset_date", sa.Date(), nullable=True),
        sa.Column("contract", sa.JSON(), nullable=False),
        sa.Column("service_url", sa.String(500), nullable=True),
        sa.Column("verdict", sa.JSON(), nullable=False),
        sa.Column("registered_at", _NOW, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False, index=True),
        sa.Column("verdict", sa.JSON(), nullable=False),
        sa.Column("service_url", sa.String(500), nullable=True),
        sa.Column("at", _NOW, nullable=False, index=True),
    )
    op.create_table(
        "consumers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("first_seen", _NOW, nullable=False),
        sa.Column("last_seen", _NOW, nullable=False),
        sa.UniqueConstraint("kind", "consumer", "domain", "product", "major", name="uq_consumers_identity"),
    )
    op.create_index("ix_consumers_product", "consumers", ["domain", "product", "major"])
    _create_search_tables()
    _create_lineage_tables()


def _create_search_tables() -> None:
    op.create_table(
        "search_documents",
        sa.Column("product_key", sa.String(201), primary_key=True),
        sa.Column("domain", sa.String(100), nullable=False, index=True),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("field_names", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("facet_codes", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
    )
    op.create_table(
        "search_facet_values",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("facet", sa.String(30), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Weighted text vector kept by PostgreSQL itself; 'simple' keeps field names and tags as written.
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', tags), 'B') || "
            "setweight(to_tsvector('simple', field_names), 'B') || setweight(to_tsvector('simple', description), 'C')"
            ") STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(product_key UNINDEXED, name, description, field_names, tags, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        # What a search reads of every hit, in rows small enough for thousands of hits to stay in the page cache.
        op.execute("CREATE TABLE search_fts_hits (rowid INTEGER PRIMARY KEY, product_key TEXT NOT NULL, "
                   "facet_codes TEXT NOT NULL)")


def _create_lineage_tables() -> None:
    op.create_table(
        "lineage_nodes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("node_id", sa.String(1000), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "lineage_edges",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("origin", sa.Integer(), sa.ForeignKey("lineage_nodes.id"), nullable=False),
        sa.Column("destination", sa.Integer(), sa.ForeignKey("lineage_nodes.id"), nullable=False, index=True),
        sa.Column("created_at", _NOW, nullable=False),
        sa.UniqueConstraint("origin", "destination", name="uq_lineage_edges"),
    )
    op.create_table(
        "lineage_runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("job", sa.Integer(), sa.ForeignKey("lineage_nodes.id"), nullable=False, index=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", _NOW, nullable=True),
        sa.Column("ended_at", _NOW, nullable=True),
        sa.Column("updated_at", _NOW, nullable=False),
        sa.Column("facets", sa.JSON(), nullable=False),
    )
    op.create_table(
        "lineage_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received_at", _NOW, nullable=False),
        sa.Column("event_kind", sa.String(10), nullable=False),
        sa.Column("event_type", sa.String(20), nullable=True),
        sa.Column("event_time", _NOW, nullable=False),
        sa.Column("run_id", sa.String(36), nullable=True, index=True),
        sa.Column("subject", sa.String(1000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("lineage_events", "lineage_runs", "lineage_edges", "lineage_nodes"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts_hits")
        op.execute("DROP TABLE search_fts")
    for table in ("search_facet_values", "search_documents", "consumers", "registrations", "product_versions", "data_products"):
        op.drop_table(table)
