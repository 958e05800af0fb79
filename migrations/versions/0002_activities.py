"""activities: activities, sign-ups, clock records, hours records, appeals, hours rules

Revision ID: 0002_activities
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_activities"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('radius_m', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('organiser', sa.String(length=100), nullable=False),
    sa.Column('leader_name', sa.String(length=50), nullable=False),
    sa.Column('leader_user_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('signup_deadline', sa.DateTime(), nullable=True),
    sa.Column('audience_grid_ids', sa.JSON(), nullable=False),
    sa.Column('audience_member_types', sa.JSON(), nullable=False),
    sa.Column('audience_street_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('code_secret', sa.String(length=64), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['audience_street_id'], ['streets.id'], name=op.f('fk_activities_audience_street_id_streets')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_activities_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_activities_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['leader_user_id'], ['users.id'], name=op.f('fk_activities_leader_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_community_starts', ['community_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_activities_status_ends', ['status', 'ends_at'], unique=False)
        batch_op.create_index('ix_activities_street', ['audience_street_id'], unique=False)
    op.create_table('community_hours_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('missing_clockout', sa.String(length=30), nullable=False),
    sa.Column('rounding', sa.String(length=30), nullable=False),
    sa.Column('min_share', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_hours_rules_community_id_communities')),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['users.id'], name=op.f('fk_community_hours_rules_updated_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_hours_rules')),
    sa.UniqueConstraint('community_id', name=op.f('uq_community_hours_rules_community_id'))
    )
    op.create_table('activity_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('absent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_signups_activity_id_activities')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_activity_signups_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_signups')),
    sa.UniqueConstraint('activity_id', 'member_id', name=op.f('uq_activity_signups_activity_id_member_id'))
    )
    with op.batch_alter_table('activity_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_signups_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_activity_signups_queue', ['activity_id', 'status', 'queued_at'], unique=False)
    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('clock_in_at', sa.DateTime(), nullable=False),
    sa.Column('clock_in_method', sa.String(length=10), nullable=False),
    sa.Column('clock_in_latitude', sa.Float(), nullable=True),
    sa.Column('clock_in_longitude', sa.Float(), nullable=True),
    sa.Column('clock_in_accuracy_m', sa.Float(), nullable=True),
    sa.Column('clock_out_at', sa.DateTime(), nullable=True),
    sa.Column('clock_out_method', sa.String(length=10), nullable=True),
    sa.Column('clock_out_latitude', sa.Float(), nullable=True),
    sa.Column('clock_out_longitude', sa.Float(), nullable=True),
    sa.Column('clock_out_accuracy_m', sa.Float(), nullable=True),
    sa.Column('closed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_attendances_activity_id_activities')),
    sa.ForeignKeyConstraint(['closed_by_user_id'], ['users.id'], name=op.f('fk_attendances_closed_by_user_id_users')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendances_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('activity_id', 'member_id', name=op.f('uq_attendances_activity_id_member_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_attendances_status', ['status'], unique=False)
    op.create_table('hours_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('activity_name', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('organiser', sa.String(length=100), nullable=False),
    sa.Column('leader', sa.String(length=50), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('approved_by_user_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('rejected_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_hours_records_activity_id_activities')),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['users.id'], name=op.f('fk_hours_records_approved_by_user_id_users')),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendances.id'], name=op.f('fk_hours_records_attendance_id_attendances')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_hours_records_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_hours_records_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_hours_records_member_id_members')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['hours_records.id'], name=op.f('fk_hours_records_supersedes_id_hours_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_records'))
    )
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.create_index('ix_hours_records_activity', ['activity_id', 'member_id'], unique=False)
        batch_op.create_index('ix_hours_records_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index('ix_hours_records_member_date', ['member_id', 'service_date'], unique=False)
        batch_op.create_index('uq_hours_records_one_approved', ['activity_id', 'member_id'], unique=True, sqlite_where=sa.text("status = 'approved'"), postgresql_where=sa.text("status = 'approved'"))
        batch_op.create_index('uq_hours_records_one_pending', ['activity_id', 'member_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_table('hours_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('hours_record_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.String(length=500), nullable=True),
    sa.Column('resolved_by_user_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_hours_appeals_activity_id_activities')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_hours_appeals_community_id_communities')),
    sa.ForeignKeyConstraint(['hours_record_id'], ['hours_records.id'], name=op.f('fk_hours_appeals_hours_record_id_hours_records')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_hours_appeals_member_id_members')),
    sa.ForeignKeyConstraint(['resolved_by_user_id'], ['users.id'], name=op.f('fk_hours_appeals_resolved_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_appeals'))
    )
    with op.batch_alter_table('hours_appeals', schema=None) as batch_op:
        batch_op.create_index('ix_hours_appeals_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_appeals_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_hours_appeals_one_open', ['activity_id', 'member_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade():
    with op.batch_alter_table('hours_appeals', schema=None) as batch_op:
        batch_op.drop_index('uq_hours_appeals_one_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_hours_appeals_member_id'))
        batch_op.drop_index('ix_hours_appeals_community_status')
    op.drop_table('hours_appeals')
    with op.batch_alter_table('hours_records', schema=None) as batch_op:
        batch_op.drop_index('uq_hours_records_one_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('uq_hours_records_one_approved', sqlite_where=sa.text("status = 'approved'"), postgresql_where=sa.text("status = 'approved'"))
        batch_op.drop_index('ix_hours_records_member_date')
        batch_op.drop_index('ix_hours_records_community_status')
        batch_op.drop_index('ix_hours_records_activity')
    op.drop_table('hours_records')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index('ix_attendances_status')
        batch_op.drop_index(batch_op.f('ix_attendances_member_id'))
    op.drop_table('attendances')
    with op.batch_alter_table('activity_signups', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_signups_queue')
        batch_op.drop_index(batch_op.f('ix_activity_signups_member_id'))
    op.drop_table('activity_signups')
    op.drop_table('community_hours_rules')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_street')
        batch_op.drop_index('ix_activities_status_ends')
        batch_op.drop_index('ix_activities_community_starts')
    op.drop_table('activities')
