"""view networks: a keyed hash of each anonymous view's network, to cap views per network

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = ("view_networks",)
depends_on = None


def upgrade() -> None:
    # Views already stored keep every column; their network is unknown (NULL).
    op.add_column("paper_views", sa.Column("network", sa.String(length=32), nullable=True))
    op.create_index(
        "ix_paper_views_paper_day_network", "paper_views", ["paper_id", "day", "network"]
    )


def downgrade() -> None:
    op.drop_index("ix_paper_views_paper_day_network", table_name="paper_views")
    with op.batch_alter_table("paper_views") as batch:
        batch.drop_column("network")
