"""search (SQLite): ``search_documents`` gets an ``INTEGER PRIMARY KEY`` (``doc``), so its rowids are stable

``search_fts`` (external content), ``search_fts_hits`` and ``search_facets`` refer to documents by the rowid of
``search_documents``. Without an ``INTEGER PRIMARY KEY`` that rowid is SQLite's own, which it may renumber: VACUUM
is documented to be free to, and a copy of the table (a rebuild by a later migration, an export and import) does so
unless it copies the rowid by name; the text index and the facet side tables would then point at other documents.
``doc`` is the rowid under a name: every document keeps the rowid it has (so the indexes stay valid as they are),
``product_key`` stays unique, and the adapters' ``rowid`` means ``doc``. PostgreSQL's table is unchanged.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = "product_key, domain, product, name, description, field_names, tags, facet_codes, summary"
_DEFINITIONS = ("product_key VARCHAR(201) NOT NULL, domain VARCHAR(100) NOT NULL, product VARCHAR(100) NOT NULL, "
                "name TEXT NOT NULL, description TEXT NOT NULL, field_names TEXT NOT NULL, tags TEXT NOT NULL, "
                "facet_codes TEXT NOT NULL, summary JSON NOT NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    _rebuild(f"doc INTEGER PRIMARY KEY, {_DEFINITIONS}, UNIQUE (product_key)", f"doc, {_COLUMNS}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    _rebuild(f"{_DEFINITIONS}, PRIMARY KEY (product_key)", f"rowid, {_COLUMNS}")


def _rebuild(definitions: str, into: str) -> None:
    """SQLite's way to change a table's key: a new table, the rows copied with their rowids, the old one dropped.
    ``search_fts`` names its content table, so it reads the new one once it has the old name."""
    op.execute(f"CREATE TABLE search_documents_rebuilt ({definitions})")
    op.execute(f"INSERT INTO search_documents_rebuilt ({into}) SELECT rowid, {_COLUMNS} FROM search_documents")
    op.execute("DROP TABLE search_documents")
    op.execute("ALTER TABLE search_documents_rebuilt RENAME TO search_documents")
    op.execute("CREATE INDEX ix_search_documents_domain ON search_documents (domain)")
