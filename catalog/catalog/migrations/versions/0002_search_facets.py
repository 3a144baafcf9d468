"""search: facet postings and packed facet codes (SQLite), a GIN index over facet codes (PostgreSQL)

Facet filters become index lookups instead of scans of every document, and a search counts the facets of its hits
from 8-byte numbers rather than from text.

Revision ID: 0002
Revises: 0001
"""

import sys
from array import array

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_search_documents_facets ON search_documents "
                   "USING gin (string_to_array(facet_codes, ' '))")
        return
    op.execute("ALTER TABLE search_fts_hits ADD COLUMN facets BLOB NOT NULL DEFAULT x''")
    op.execute("CREATE TABLE search_facets (code INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (code, doc)) "
               "WITHOUT ROWID")
    connection = op.get_bind()
    hits, postings = [], []
    for rowid, codes in connection.execute(sa.text("SELECT rowid, facet_codes FROM search_fts_hits")).all():
        numbers = array("q", dict.fromkeys(int(code, 16) for code in codes.split()))
        postings += [{"code": number, "doc": rowid} for number in numbers]
        if sys.byteorder != "little":
            numbers.byteswap()
        hits.append({"rowid": rowid, "facets": numbers.tobytes()})
    if hits:
        connection.execute(sa.text("UPDATE search_fts_hits SET facets = :facets WHERE rowid = :rowid"), hits)
    if postings:
        connection.execute(sa.text("INSERT INTO search_facets (code, doc) VALUES (:code, :doc)"), postings)
    op.execute("ALTER TABLE search_fts_hits DROP COLUMN facet_codes")  # the packed numbers replace it


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_documents_facets")
        return
    op.execute("DROP TABLE search_facets")
    op.execute("ALTER TABLE search_fts_hits ADD COLUMN facet_codes TEXT NOT NULL DEFAULT ''")
    op.execute("UPDATE search_fts_hits SET facet_codes = (SELECT d.facet_codes FROM search_documents d "
               "WHERE d.rowid = search_fts_hits.rowid)")
    op.execute("ALTER TABLE search_fts_hits DROP COLUMN facets")
