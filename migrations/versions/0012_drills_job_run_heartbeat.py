"""job runs: the instance running each and its heartbeat (a killed scheduler's run is taken
over by another instance)

Revision ID: 0012_drills_job_run_heartbeat
Revises: 0011_secretaries_statistics
Create Date: 2026-12-02 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_drills_job_run_heartbeat'
down_revision = '0011_secretaries_statistics'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs') as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('job_runs') as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('owner')
