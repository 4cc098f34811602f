"""search: paper vectors and the vector space they live in

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

# A paper whose title or abstract changes loses its vector, so `paperwire index`
# embeds it again (SQLite; PostgreSQL will get the same rule in its own migration).
SQLITE_SEARCH_DDL = [
    """CREATE TRIGGER paper_vectors_stale AFTER UPDATE OF title, abstract ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
        DELETE FROM paper_vectors WHERE paper_id = old.id;
    END""",
]

revision = "0002"
down_revision = "0001"
branch_labels = ("search",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_vectors",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_vectors_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_paper_vectors")),
        sa.UniqueConstraint("seq", name=op.f("uq_paper_vectors_seq")),
    )
    op.create_table(
        "vector_space",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vector_space")),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS paper_vectors_stale")
    op.drop_table("vector_space")
    op.drop_table("paper_vectors")
