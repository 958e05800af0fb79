"""outbox: a partial index of the pending rows in id order, for the batch claim

Without it PostgreSQL reads and sorts every pending row of a broadcast for each batch of 50
(the planner's statistics still count a just-published notice's rows as few).

Revision ID: 0006_outbox_pending_index
Revises: 0005_notices
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_pending_index"
down_revision = "0005_notices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_subscribe_outbox_pending", "subscribe_outbox", ["id"], unique=False,
                    postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))


def downgrade():
    op.drop_index("ix_subscribe_outbox_pending", table_name="subscribe_outbox")
