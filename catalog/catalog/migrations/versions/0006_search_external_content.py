"""search (SQLite): the FTS5 table indexes the text of ``search_documents`` instead of keeping its own copy

``search_fts`` kept every document's text a second time beside ``search_documents``; as an external-content table
it indexes the text of ``search_documents`` itself (same rowids), so indexing writes the text once. PostgreSQL's
text index is unchanged.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FTS_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
_COLUMNS = "product_key, name, description, field_names, tags"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("DROP TABLE search_fts")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({_COLUMNS.replace('product_key', 'product_key UNINDEXED')}, "
               f"content = 'search_documents', content_rowid = 'rowid', {_FTS_OPTIONS})")
    op.execute("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute("DROP TABLE search_fts")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({_COLUMNS.replace('product_key', 'product_key UNINDEXED')}, "
               f"{_FTS_OPTIONS})")
    op.execute(f"INSERT INTO search_fts (rowid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM search_documents")
