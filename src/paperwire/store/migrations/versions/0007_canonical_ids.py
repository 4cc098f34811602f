"""canonical ids: papers stored with a malformed paperwire id or arXiv id get canonical ones

Revision ID: 0007
Revises: 0001

What changes is described in paperwire.store.canonical_ids. It cannot be undone (the
old ids were the fault), so the downgrade changes nothing.
"""

from alembic import op

from paperwire.store.canonical_ids import canonicalise_ids

revision = "0007"
down_revision = "0001"
branch_labels = ("canonical_ids",)
depends_on = None


def upgrade() -> None:
    canonicalise_ids(op.get_bind())


def downgrade() -> None:
    pass
