"""harvest: checkpoints per followed source, request slots per remote host

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("harvest",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "harvest_checkpoints",
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("harvested_until", sa.Date(), nullable=True),
        sa.Column("last_success", sa.DateTime(), nullable=True),
        sa.Column("run_from", sa.Date(), nullable=True),
        sa.Column("run_server_date", sa.Date(), nullable=True),
        sa.Column("resumption_token", sa.Text(), nullable=True),
        sa.Column("run_records", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_harvest_checkpoints")),
    )
    op.create_table(
        "request_slots",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_request_slots")),
    )


def downgrade() -> None:
    op.drop_table("request_slots")
    op.drop_table("harvest_checkpoints")
