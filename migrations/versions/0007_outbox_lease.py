"""outbox: a lease per row (claimed_by, claimed_until), so that no transaction stays open
while messages are sent, and a worker that dies mid-batch leaves rows that are claimed again
once the lease runs out

Revision ID: 0007_outbox_lease
Revises: 0008_console
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_lease"
down_revision = "0008_console"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subscribe_outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("subscribe_outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
