"""The declared schema (SQLAlchemy Core). Alembic migrations must produce exactly this.

``papers.id`` is an internal integer key (the full-text index's rowid); the public,
URL-safe id is ``papers.paper_id``. Dates are naive UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

papers = sa.Table(
    "papers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("paper_id", sa.String(16), nullable=False, unique=True),
    sa.Column("arxiv_id", sa.String(64), unique=True),
    sa.Column("doi", sa.String(255), index=True),
    sa.Column("title_key", sa.Text, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("abstract", sa.Text, nullable=False, server_default=""),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("primary_category", sa.String(64), index=True),
    sa.Column("published", sa.DateTime, index=True),
    sa.Column("updated", sa.DateTime),
    sa.Column("journal_ref", sa.Text),
    sa.Column("comments", sa.Text),
    sa.Column("license", sa.Text),
    sa.Column("abs_url", sa.Text),
    sa.Column("pdf_url", sa.Text),
    sa.Column("code_url", sa.Text),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    # published if known, else first_seen: the "newest first" order, indexed.
    sa.Column("sort_date", sa.DateTime, nullable=False, index=True),
    sa.Column("last_updated", sa.DateTime, nullable=False),
)

paper_versions = sa.Table(
    "paper_versions",
    metadata,
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("created", sa.DateTime),
    sa.Column("size", sa.String(32)),
)

paper_sources = sa.Table(
    "paper_sources",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("source_id", sa.String(255), primary_key=True),
    sa.Column(
        "paper_id",
        sa.Integer,
        sa.ForeignKey("papers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

paper_categories = sa.Table(
    "paper_categories",
    metadata,
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("category", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_paper_categories_category_paper", "category", "paper_id"),
)

paper_metrics = sa.Table(
    "paper_metrics",
    metadata,
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    sa.Column("observed_at", sa.DateTime, nullable=False),
)

# SQLite's FTS5 index over papers (created by migration 0001, kept in step by triggers)
# and its shadow tables: not part of the declared metadata.
SQLITE_FTS_OBJECTS = {
    "papers_fts",
    "papers_fts_data",
    "papers_fts_idx",
    "papers_fts_docsize",
    "papers_fts_config",
    "papers_fts_content",
}
