"""secretaries: feedback sheets sent and acknowledged (反馈单), appraisal thresholds and grades

Revision ID: 0010_secretaries
Revises: 0009_member_rights
Create Date: 2026-12-02 09:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_secretaries'
down_revision = '0009_member_rights'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('employer_unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('signed_rows', sa.JSON(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('signed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_user_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_user_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_feedback_sheets_community_id_communities')),
    sa.ForeignKeyConstraint(['employer_unit_id'], ['employer_units.id'], name=op.f('fk_feedback_sheets_employer_unit_id_employer_units')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_feedback_sheets_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['signed_by_user_id'], ['users.id'], name=op.f('fk_feedback_sheets_signed_by_user_id_users')),
    sa.ForeignKeyConstraint(['sent_by_user_id'], ['users.id'], name=op.f('fk_feedback_sheets_sent_by_user_id_users')),
    sa.ForeignKeyConstraint(['acknowledged_by_user_id'], ['users.id'], name=op.f('fk_feedback_sheets_acknowledged_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_sheets')),
    sa.UniqueConstraint('community_id', 'employer_unit_id', 'period', name=op.f('uq_feedback_sheets_community_id_employer_unit_id_period'))
    )
    with op.batch_alter_table('feedback_sheets', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_sheets_community_period', ['community_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_sheets_employer_unit_id'), ['employer_unit_id'], unique=False)
    op.create_table('appraisal_thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_type', sa.String(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('excellent_points', sa.Integer(), nullable=False),
    sa.Column('qualified_points', sa.Integer(), nullable=False),
    sa.Column('basic_points', sa.Integer(), nullable=False),
    sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['users.id'], name=op.f('fk_appraisal_thresholds_updated_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_thresholds')),
    sa.UniqueConstraint('scope_type', 'scope_id', name=op.f('uq_appraisal_thresholds_scope_type_scope_id'))
    )
    op.create_table('appraisal_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('suggested', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('set_by_user_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_appraisal_grades_member_id_members')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_appraisal_grades_community_id_communities')),
    sa.ForeignKeyConstraint(['set_by_user_id'], ['users.id'], name=op.f('fk_appraisal_grades_set_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_grades')),
    sa.UniqueConstraint('member_id', 'community_id', 'period', name=op.f('uq_appraisal_grades_member_id_community_id_period'))
    )


def downgrade():
    op.drop_table('appraisal_grades')
    op.drop_table('appraisal_thresholds')
    with op.batch_alter_table('feedback_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_sheets_employer_unit_id'))
        batch_op.drop_index('ix_feedback_sheets_community_period')
    op.drop_table('feedback_sheets')
