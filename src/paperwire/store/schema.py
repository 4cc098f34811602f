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
    sa.Column("first_seen", sa.DateTime, nullable=False, index=True),
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

# --- search ---
# One vector per paper, in the single vector space (model, dimension) of ``vector_space``.
# ``seq`` grows with every write, so a process holding an index in memory catches up by
# reading the vectors with a larger ``seq`` than it has seen (the space's ``generation``).
paper_vectors = sa.Table(
    "paper_vectors",
    metadata,
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

# At most one row (id 1): the model and dimension of every stored vector; ``epoch`` grows
# whenever all vectors are discarded (a rebuild), ``generation`` is the largest ``seq``.
vector_space = sa.Table(
    "vector_space",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("model", sa.String(255), nullable=False),
    sa.Column("dimension", sa.Integer, nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
)

# --- harvest ---

# Where each followed source's harvest stands: the server-reported date of the last
# complete harvest (the next one asks ``from`` it) and, while a run is under way, the
# resumption token to continue from after an interruption.
harvest_checkpoints = sa.Table(
    "harvest_checkpoints",
    metadata,
    sa.Column("source", sa.String(255), primary_key=True),
    sa.Column("harvested_until", sa.Date),
    sa.Column("last_success", sa.DateTime),
    sa.Column("run_from", sa.Date),
    sa.Column("run_server_date", sa.Date),
    sa.Column("resumption_token", sa.Text),
    sa.Column("run_records", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# One row per remote host: when its next request may start and who holds the one
# connection allowed at a time. Shared by every process of the installation.
request_slots = sa.Table(
    "request_slots",
    metadata,
    sa.Column("host", sa.String(255), primary_key=True),
    sa.Column("next_at", sa.DateTime, nullable=False),
    sa.Column("holder", sa.String(255)),
    sa.Column("lease_until", sa.DateTime),
)

# --- accounts and trending ---
# A user is an email identity, created when a sign-in link is first redeemed.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_login_at", sa.DateTime),
)

# Magic-link tokens: only the sha256 of the token is kept; a token is used once.
# ``email`` (not a user id) so that asking for a link creates no account.
login_tokens = sa.Table(
    "login_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime),
    sa.Index("ix_login_tokens_email_created", "email", "created_at"),
)

# Signed-in sessions: the cookie carries a random token, the store only its sha256, so
# a copy of the database signs no one in. Deleting a row ends that session.
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

# Upvotes and saves: one row per user, paper and kind while it is on (undo deletes it).
paper_marks = sa.Table(
    "paper_marks",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_paper_marks_created", "created_at"),
    sa.Index("ix_paper_marks_paper_kind", "paper_id", "kind"),
)

# Views: at most one per visitor, paper and UTC day (the primary key enforces it).
# ``hour`` (hours since the epoch) lets the refresh aggregate views in SQL. A visitor is
# a cookie's random id, or "user:<id>" for a signed-in reader. ``network`` is a keyed
# hash of an anonymous visitor's network (IPv4 /24, IPv6 /64) and that day, never the
# address: at most a few views per network, paper and day count (store/sql/attention.py). It is
# NULL for signed-in readers and for views recorded before it existed.
paper_views = sa.Table(
    "paper_views",
    metadata,
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("visitor_id", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Column("network", sa.String(32)),
    sa.Index("ix_paper_views_hour", "hour"),
    sa.Index("ix_paper_views_paper_day_network", "paper_id", "day", "network"),
)

# Precomputed trending, rewritten by each refresh; pages only read it.
trending_scores = sa.Table(
    "trending_scores",
    metadata,
    sa.Column("period", sa.String(8), primary_key=True),
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("computed_at", sa.DateTime, nullable=False),
    sa.Index("ix_trending_scores_period_score", "period", "score"),
)

# --- digests ---
# One row per address that asked for the daily digest. ``status``: pending (until the
# confirmation link is followed), active, paused, unsubscribed, bounced. ``hour`` is the
# local hour (0-23) in ``timezone`` (an IANA name) at which the digest is due.
subscribers = sa.Table(
    "subscribers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    # Changed by every subscribe request; a confirmation link names the one it was made for.
    sa.Column("confirm_nonce", sa.String(32)),
    sa.Column("confirm_sent_at", sa.DateTime),
    sa.Column("confirm_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("confirmed_at", sa.DateTime),
    sa.Column("unsubscribed_at", sa.DateTime),
    # Permanent failures since the last delivered digest.
    sa.Column("bounce_count", sa.Integer, nullable=False, server_default="0"),
    # When the last sent digest was composed: its topics cover papers that arrived since.
    sa.Column("last_digest_at", sa.DateTime),
    sa.Index("ix_subscribers_status_timezone", "status", "timezone"),
    # Never reuse an id: unsubscribe and archive links name a subscriber by id forever.
    sqlite_autoincrement=True,
)

# A subscriber's topics in plain words, with the vector they were embedded to on saving.
subscriber_topics = sa.Table(
    "subscriber_topics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("model", sa.String(255)),
    sa.Column("vector", sa.LargeBinary),
)

# One row per subscriber and local date (the unique key makes planning idempotent).
# ``state``: pending, sending, sent, skipped (empty), cancelled, expired (its date
# passed), failed, review (left in flight past its lease: it may or may not have gone).
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("worker", sa.String(255)),
    sa.Column("lease_until", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("smtp_reply", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("message_id", sa.String(255)),
    # What the digest held: [{"kind", "title", "papers": [paper row ids]}].
    sa.Column("sections", sa.JSON),
    sa.Column("paper_count", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("subscriber_id", "local_date", name="uq_deliveries_subscriber_date"),
    sa.Index("ix_deliveries_state_next_attempt", "state", "next_attempt_at"),
    sa.Index("ix_deliveries_local_date", "local_date"),
)

# Every paper a subscriber has been sent, so that no digest repeats one.
digest_papers = sa.Table(
    "digest_papers",
    metadata,
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "delivery_id",
        sa.Integer,
        sa.ForeignKey("deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

# Worker processes and when each last said it was alive (``paperwire status``).
workers = sa.Table(
    "workers",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("heartbeat_at", sa.DateTime, nullable=False),
    sa.Column("activity", sa.Text),
)
