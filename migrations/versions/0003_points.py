"""points: rules, the append-only ledger, kept-up balances, star levels, manual awards,
feedback comments

Revision ID: 0003_points
Revises: 0002_activities
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_points"
down_revision = "0002_activities"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('point_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_type', sa.String(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('monthly_cap', sa.Integer(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_point_rules_created_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_rules')),
    sa.UniqueConstraint('scope_type', 'scope_id', 'kind', 'category', 'effective_from', name=op.f('uq_point_rules_scope_type_scope_id_kind_category_effective_from'))
    )
    op.create_table('star_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_type', sa.String(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('min_points', sa.Integer(), nullable=True),
    sa.Column('min_hours_centi', sa.Integer(), nullable=True),
    sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['users.id'], name=op.f('fk_star_levels_updated_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_levels')),
    sa.UniqueConstraint('scope_type', 'scope_id', 'year', 'level', name=op.f('uq_star_levels_scope_type_scope_id_year_level'))
    )
    op.create_table('feedback_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('written_by_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_feedback_comments_community_id_communities')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_feedback_comments_member_id_members')),
    sa.ForeignKeyConstraint(['written_by_user_id'], ['users.id'], name=op.f('fk_feedback_comments_written_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_comments')),
    sa.UniqueConstraint('member_id', 'community_id', 'period', name=op.f('uq_feedback_comments_member_id_community_id_period'))
    )
    op.create_table('point_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('hours_centi', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('employer_unit_id', sa.Integer(), nullable=True),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.Column('member_type', sa.String(length=20), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_balances_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_balances')),
    sa.UniqueConstraint('member_id', 'period', name=op.f('uq_point_balances_member_id_period'))
    )
    with op.batch_alter_table('point_balances', schema=None) as batch_op:
        batch_op.create_index('ix_point_balances_board_building', ['period', 'building_id', 'points'], unique=False)
        batch_op.create_index('ix_point_balances_board_community', ['period', 'community_id', 'points'], unique=False)
        batch_op.create_index('ix_point_balances_board_grid', ['period', 'grid_id', 'points'], unique=False)
        batch_op.create_index('ix_point_balances_board_street', ['period', 'street_id', 'points'], unique=False)
        batch_op.create_index('ix_point_balances_board_unit', ['period', 'employer_unit_id', 'points'], unique=False)

    op.create_table('point_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('hours_centi', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('rule_key', sa.String(length=64), nullable=False),
    sa.Column('source_type', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.String(length=40), nullable=False),
    sa.Column('source_key', sa.String(length=120), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_point_entries_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_point_entries_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_entries_member_id_members')),
    sa.ForeignKeyConstraint(['rule_id'], ['point_rules.id'], name=op.f('fk_point_entries_rule_id_point_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_entries')),
    sa.UniqueConstraint('source_key', 'revision', name=op.f('uq_point_entries_source_key_revision'))
    )
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.create_index('ix_point_entries_member_id_id', ['member_id', 'id'], unique=False)
        batch_op.create_index('ix_point_entries_member_month', ['member_id', 'month'], unique=False)
        batch_op.create_index('ix_point_entries_member_rule_day', ['member_id', 'rule_key', 'earned_on'], unique=False)

    op.create_table('manual_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_user_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_manual_awards_community_id_communities')),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['users.id'], name=op.f('fk_manual_awards_decided_by_user_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['point_entries.id'], name=op.f('fk_manual_awards_entry_id_point_entries')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_manual_awards_member_id_members')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['users.id'], name=op.f('fk_manual_awards_requested_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_awards'))
    )
    with op.batch_alter_table('manual_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_awards_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manual_awards_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('manual_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_awards_member_id'))
        batch_op.drop_index(batch_op.f('ix_manual_awards_community_id'))

    op.drop_table('manual_awards')
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_point_entries_member_rule_day')
        batch_op.drop_index('ix_point_entries_member_month')
        batch_op.drop_index('ix_point_entries_member_id_id')

    op.drop_table('point_entries')
    with op.batch_alter_table('point_balances', schema=None) as batch_op:
        batch_op.drop_index('ix_point_balances_board_unit')
        batch_op.drop_index('ix_point_balances_board_street')
        batch_op.drop_index('ix_point_balances_board_grid')
        batch_op.drop_index('ix_point_balances_board_community')
        batch_op.drop_index('ix_point_balances_board_building')

    op.drop_table('point_balances')
    op.drop_table('feedback_comments')
    op.drop_table('star_levels')
    op.drop_table('point_rules')
