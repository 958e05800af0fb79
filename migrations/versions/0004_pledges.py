"""pledges: building-contract pledges, fulfilment notes, the fixed party day, make-ups

Revision ID: 0004_pledges
Revises: 0003_points
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_pledges"
down_revision = "0003_points"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pledge_images",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_pledge_images")),
    )
    op.create_table(
        "party_day_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_party_day_settings_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_party_day_settings_updated_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_day_settings")),
        sa.UniqueConstraint("community_id", name=op.f("uq_party_day_settings_community_id")),
    )
    op.create_table(
        "pledge_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_pledge_templates_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_pledge_templates_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_templates")),
        sa.UniqueConstraint(
            "community_id",
            "year",
            "title",
            name=op.f("uq_pledge_templates_community_id_year_title"),
        ),
    )
    op.create_index(
        op.f("ix_pledge_templates_community_id"), "pledge_templates", ["community_id"], unique=False
    )
    op.create_table(
        "dedication_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("declared_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_dedication_days_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["declared_by_user_id"],
            ["users.id"],
            name=op.f("fk_dedication_days_declared_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["street_id"], ["streets.id"], name=op.f("fk_dedication_days_street_id_streets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedication_days")),
        sa.UniqueConstraint("street_id", "day", name=op.f("uq_dedication_days_street_id_day")),
    )
    op.create_table(
        "makeup_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked_count", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "booked_count <= capacity", name=op.f("ck_makeup_sessions_within_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_makeup_sessions_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_makeup_sessions_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_makeup_sessions_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_makeup_sessions")),
    )
    op.create_index(
        op.f("ix_makeup_sessions_activity_id"), "makeup_sessions", ["activity_id"], unique=False
    )
    op.create_index(
        op.f("ix_makeup_sessions_community_id"), "makeup_sessions", ["community_id"], unique=False
    )
    op.create_table(
        "party_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_party_days_activity_id_activities")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_party_days_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_days")),
        sa.UniqueConstraint("community_id", "month", name=op.f("uq_party_days_community_id_month")),
    )
    op.create_index(op.f("ix_party_days_activity_id"), "party_days", ["activity_id"], unique=False)
    op.create_table(
        "building_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("appointed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("appointed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointed_by_user_id"],
            ["users.id"],
            name=op.f("fk_building_heads_appointed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_building_heads_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_building_heads_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_building_heads_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building_heads")),
        sa.UniqueConstraint("building_id", name=op.f("uq_building_heads_building_id")),
    )
    op.create_index(
        op.f("ix_building_heads_community_id"), "building_heads", ["community_id"], unique=False
    )
    op.create_index(
        op.f("ix_building_heads_member_id"), "building_heads", ["member_id"], unique=False
    )
    op.create_table(
        "makeup_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("booked_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_makeup_bookings_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_makeup_bookings_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["makeup_sessions.id"],
            name=op.f("fk_makeup_bookings_session_id_makeup_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_makeup_bookings")),
        sa.UniqueConstraint("member_id", "month", name=op.f("uq_makeup_bookings_member_id_month")),
    )
    op.create_index(
        "ix_makeup_bookings_community_month",
        "makeup_bookings",
        ["community_id", "month"],
        unique=False,
    )
    op.create_index(
        op.f("ix_makeup_bookings_session_id"), "makeup_bookings", ["session_id"], unique=False
    )
    op.create_table(
        "party_day_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("attended_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_party_day_attendances_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_party_day_attendances_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_party_day_attendances_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_day_attendances")),
        sa.UniqueConstraint(
            "member_id", "month", name=op.f("uq_party_day_attendances_member_id_month")
        ),
    )
    op.create_index(
        "ix_party_day_attendances_community_month",
        "party_day_attendances",
        ["community_id", "month"],
        unique=False,
    )
    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("own_words", sa.Text(), nullable=False),
        sa.Column("signature_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_pledges_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_pledges_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pledges_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["signature_sha256"],
            ["pledge_images.sha256"],
            name=op.f("fk_pledges_signature_sha256_pledge_images"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["pledge_templates.id"],
            name=op.f("fk_pledges_template_id_pledge_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
        sa.UniqueConstraint(
            "member_id", "building_id", "year", name=op.f("uq_pledges_member_id_building_id_year")
        ),
    )
    op.create_index(op.f("ix_pledges_building_id"), "pledges", ["building_id"], unique=False)
    op.create_index(
        "ix_pledges_community_year_status",
        "pledges",
        ["community_id", "year", "status"],
        unique=False,
    )
    op.create_table(
        "responsibility_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_user_id"],
            ["users.id"],
            name=op.f("fk_responsibility_areas_assigned_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_responsibility_areas_building_id_buildings"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_responsibility_areas_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_responsibility_areas_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility_areas")),
        sa.UniqueConstraint(
            "member_id", "building_id", name=op.f("uq_responsibility_areas_member_id_building_id")
        ),
    )
    op.create_index(
        op.f("ix_responsibility_areas_community_id"),
        "responsibility_areas",
        ["community_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_responsibility_areas_member_id"),
        "responsibility_areas",
        ["member_id"],
        unique=False,
    )
    op.create_table(
        "pledge_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_pledge_notes_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_pledge_notes_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pledge_notes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_pledge_notes_pledge_id_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["users.id"],
            name=op.f("fk_pledge_notes_reviewed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_notes")),
    )
    op.create_index(
        "ix_pledge_notes_community_status", "pledge_notes", ["community_id", "status"], unique=False
    )
    op.create_index(op.f("ix_pledge_notes_member_id"), "pledge_notes", ["member_id"], unique=False)
    op.create_index(op.f("ix_pledge_notes_pledge_id"), "pledge_notes", ["pledge_id"], unique=False)
    op.create_table(
        "pledge_note_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_sha256"],
            ["pledge_images.sha256"],
            name=op.f("fk_pledge_note_photos_image_sha256_pledge_images"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["pledge_notes.id"],
            name=op.f("fk_pledge_note_photos_note_id_pledge_notes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_note_photos")),
        sa.UniqueConstraint(
            "note_id", "position", name=op.f("uq_pledge_note_photos_note_id_position")
        ),
    )


def downgrade():
    op.drop_table("pledge_note_photos")
    op.drop_index(op.f("ix_pledge_notes_pledge_id"), table_name="pledge_notes")
    op.drop_index(op.f("ix_pledge_notes_member_id"), table_name="pledge_notes")
    op.drop_index("ix_pledge_notes_community_status", table_name="pledge_notes")
    op.drop_table("pledge_notes")
    op.drop_index(op.f("ix_responsibility_areas_member_id"), table_name="responsibility_areas")
    op.drop_index(op.f("ix_responsibility_areas_community_id"), table_name="responsibility_areas")
    op.drop_table("responsibility_areas")
    op.drop_index("ix_pledges_community_year_status", table_name="pledges")
    op.drop_index(op.f("ix_pledges_building_id"), table_name="pledges")
    op.drop_table("pledges")
    op.drop_index("ix_party_day_attendances_community_month", table_name="party_day_attendances")
    op.drop_table("party_day_attendances")
    op.drop_index(op.f("ix_makeup_bookings_session_id"), table_name="makeup_bookings")
    op.drop_index("ix_makeup_bookings_community_month", table_name="makeup_bookings")
    op.drop_table("makeup_bookings")
    op.drop_index(op.f("ix_building_heads_member_id"), table_name="building_heads")
    op.drop_index(op.f("ix_building_heads_community_id"), table_name="building_heads")
    op.drop_table("building_heads")
    op.drop_index(op.f("ix_party_days_activity_id"), table_name="party_days")
    op.drop_table("party_days")
    op.drop_index(op.f("ix_makeup_sessions_community_id"), table_name="makeup_sessions")
    op.drop_index(op.f("ix_makeup_sessions_activity_id"), table_name="makeup_sessions")
    op.drop_table("makeup_sessions")
    op.drop_table("dedication_days")
    op.drop_index(op.f("ix_pledge_templates_community_id"), table_name="pledge_templates")
    op.drop_table("pledge_templates")
    op.drop_table("party_day_settings")
    op.drop_table("pledge_images")
