"""notices: notices, their recipients, subscribe templates and credits, the outbox

Revision ID: 0005_notices
Revises: 0004_pledges
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_notices"
down_revision = "0004_pledges"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subscribe_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('page', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribe_templates')),
    sa.UniqueConstraint('purpose', name=op.f('uq_subscribe_templates_purpose')),
    sa.UniqueConstraint('template_id', name=op.f('uq_subscribe_templates_template_id'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('event_key', sa.String(length=120), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('send_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('message_data', sa.JSON(), nullable=True),
    sa.Column('content_check', sa.String(length=10), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by_user_id'], ['users.id'], name=op.f('fk_notices_cancelled_by_user_id_users')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_notices_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_notices_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['subscribe_templates.id'], name=op.f('fk_notices_template_id_subscribe_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('event_key', name=op.f('uq_notices_event_key'))
    )
    op.create_index(op.f('ix_notices_activity_id'), 'notices', ['activity_id'], unique=False)
    op.create_index(op.f('ix_notices_community_id'), 'notices', ['community_id'], unique=False)
    op.create_index('ix_notices_status_send_at', 'notices', ['status', 'send_at'], unique=False)
    op.create_table('notice_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_notice_recipients_member_id_members')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_recipients_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_recipients')),
    sa.UniqueConstraint('notice_id', 'member_id', name=op.f('uq_notice_recipients_notice_id_member_id'))
    )
    op.create_index('ix_notice_recipients_member_read', 'notice_recipients', ['member_id', 'read_at'], unique=False)
    op.create_table('subscribe_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=False),
    sa.Column('last_result', sa.String(length=10), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_subscribe_credits_member_id_members')),
    sa.ForeignKeyConstraint(['template_id'], ['subscribe_templates.id'], name=op.f('fk_subscribe_credits_template_id_subscribe_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribe_credits')),
    sa.UniqueConstraint('member_id', 'template_id', name=op.f('uq_subscribe_credits_member_id_template_id'))
    )
    op.create_index(op.f('ix_subscribe_credits_template_id'), 'subscribe_credits', ['template_id'], unique=False)
    op.create_table('subscribe_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('errmsg', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_subscribe_outbox_member_id_members')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_subscribe_outbox_notice_id_notices')),
    sa.ForeignKeyConstraint(['template_id'], ['subscribe_templates.id'], name=op.f('fk_subscribe_outbox_template_id_subscribe_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribe_outbox')),
    sa.UniqueConstraint('notice_id', 'member_id', 'template_id', name=op.f('uq_subscribe_outbox_notice_id_member_id_template_id'))
    )
    op.create_index('ix_subscribe_outbox_due', 'subscribe_outbox', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_subscribe_outbox_member_id'), 'subscribe_outbox', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_subscribe_outbox_member_id'), table_name='subscribe_outbox')
    op.drop_index('ix_subscribe_outbox_due', table_name='subscribe_outbox')
    op.drop_table('subscribe_outbox')
    op.drop_index(op.f('ix_subscribe_credits_template_id'), table_name='subscribe_credits')
    op.drop_table('subscribe_credits')
    op.drop_index('ix_notice_recipients_member_read', table_name='notice_recipients')
    op.drop_table('notice_recipients')
    op.drop_index('ix_notices_status_send_at', table_name='notices')
    op.drop_index(op.f('ix_notices_community_id'), table_name='notices')
    op.drop_index(op.f('ix_notices_activity_id'), table_name='notices')
    op.drop_table('notices')
    op.drop_table('subscribe_templates')
