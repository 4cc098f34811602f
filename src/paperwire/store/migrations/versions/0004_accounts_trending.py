"""accounts and trending: users, sign-in tokens, marks, views, precomputed scores

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = ("accounts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "login_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_tokens_token_hash")),
    )
    op.create_index("ix_login_tokens_email_created", "login_tokens", ["email", "created_at"])
    op.create_table(
        "paper_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_marks_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_paper_marks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "paper_id", "kind", name=op.f("pk_paper_marks")),
    )
    op.create_index("ix_paper_marks_created", "paper_marks", ["created_at"])
    op.create_index("ix_paper_marks_paper_kind", "paper_marks", ["paper_id", "kind"])
    op.create_table(
        "paper_views",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_views_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "visitor_id", "day", name=op.f("pk_paper_views")),
    )
    op.create_index("ix_paper_views_hour", "paper_views", ["hour"])
    op.create_table(
        "trending_scores",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_trending_scores_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period", "paper_id", name=op.f("pk_trending_scores")),
    )
    op.create_index("ix_trending_scores_period_score", "trending_scores", ["period", "score"])


def downgrade() -> None:
    op.drop_index("ix_trending_scores_period_score", table_name="trending_scores")
    op.drop_table("trending_scores")
    op.drop_index("ix_paper_views_hour", table_name="paper_views")
    op.drop_table("paper_views")
    op.drop_index("ix_paper_marks_paper_kind", table_name="paper_marks")
    op.drop_index("ix_paper_marks_created", table_name="paper_marks")
    op.drop_table("paper_marks")
    op.drop_index("ix_login_tokens_email_created", table_name="login_tokens")
    op.drop_table("login_tokens")
    op.drop_table("users")
