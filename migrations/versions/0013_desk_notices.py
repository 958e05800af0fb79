"""desk notices: what staff and secretaries are told (daily digest, appeals)

Revision ID: 0013_desk_notices
Revises: 0012_drills_job_run_heartbeat
Create Date: 2026-12-02 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_desk_notices'
down_revision = '0012_drills_job_run_heartbeat'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('event_key', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_desk_notifications_community_id_communities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_desk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_notifications')),
    sa.UniqueConstraint('user_id', 'event_key', name=op.f('uq_desk_notifications_user_id_event_key'))
    )
    with op.batch_alter_table('desk_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_desk_notifications_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('desk_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_desk_notifications_user_created')
    op.drop_table('desk_notifications')
