"""statistics: covering indexes for the measures grouped by community (数据统计)

A street's (or a district's) statistics sum a period's balances and a year's party-day
attendances per community; with every column the sums read in the index, PostgreSQL answers
from the index alone instead of visiting each of the street's rows in the table.

Revision ID: 0011_secretaries_statistics
Revises: 0010_secretaries
"""

from alembic import op

revision = "0011_secretaries_statistics"
down_revision = "0010_secretaries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_point_balances_stats", "point_balances",
                    ["period", "community_id", "hours_centi", "points", "stars"], unique=False)
    op.create_index("ix_party_day_attendances_stats", "party_day_attendances",
                    ["month", "community_id", "source"], unique=False)


def downgrade():
    op.drop_index("ix_party_day_attendances_stats", table_name="party_day_attendances")
    op.drop_index("ix_point_balances_stats", table_name="point_balances")
