"""The one place that decides who may read and write what.

A view calls `current_principal()` and hands the Principal to one service function; the
service asks the helpers here whether the caller may act, and never re-implements a rule.
A place outside the caller's scope is answered with 404, as if it did not exist.
The modules go by kind of place: the caller (`caller`), communities with their grids and
buildings (`communities`), members (`members`), activities (`activities`), streets and
districts (`streets`), role grants (`grants`), employer units and what reaches them (`units`).
Services import from here (`from server.auth.scope import require_community`).
"""

from server.auth.scope.activities import (
    activity_candidates_clause,
    member_may_join_activity,
    require_activity,
    visible_activity,
)
from server.auth.scope.caller import (
    COMMUNITY_MANAGERS,
    ON_SITE_STAFF,
    SECRETARIES,
    Principal,
    acting_grants,
    current_member,
    current_principal,
    require_member,
)
from server.auth.scope.communities import (
    can_manage_building,
    require_community,
    require_community_reader,
    require_community_row,
    staff_grid_scope,
)
from server.auth.scope.grants import GRANTABLE_BY, grant_place_allowed, visible_grants_clause
from server.auth.scope.members import (
    get_visible_member,
    sees_full_names,
    staff_members_clause,
    visible_members_clause,
)
from server.auth.scope.streets import (
    PLACE_EDITORS,
    admin_community_ids,
    admin_street_ids,
    appraisal_threshold_place,
    audit_scope,
    district_ids,
    place_editor_community_ids,
    require_admin_street,
    require_admin_unit,
    require_district,
    require_place_community,
    roster_unit_ids,
    statistics_communities,
)
from server.auth.scope.units import (
    SHEET_RECEIVED,
    feedback_sheet_standing,
    feedback_sheets_clause,
    feedback_unit_scope,
    require_feedback_community,
    sees_full_names_on_board,
)

__all__ = [
    "COMMUNITY_MANAGERS", "GRANTABLE_BY", "ON_SITE_STAFF", "PLACE_EDITORS", "SECRETARIES",
    "SHEET_RECEIVED", "Principal", "acting_grants", "activity_candidates_clause",
    "admin_community_ids", "admin_street_ids", "appraisal_threshold_place", "audit_scope",
    "can_manage_building", "current_member", "current_principal", "district_ids",
    "feedback_sheet_standing", "feedback_sheets_clause", "feedback_unit_scope",
    "get_visible_member", "grant_place_allowed", "member_may_join_activity",
    "place_editor_community_ids", "require_activity", "require_admin_street",
    "require_admin_unit", "require_community", "require_community_reader",
    "require_community_row", "require_district", "require_feedback_community",
    "require_member", "require_place_community", "roster_unit_ids", "sees_full_names",
    "sees_full_names_on_board", "staff_grid_scope", "staff_members_clause",
    "statistics_communities", "visible_activity", "visible_grants_clause",
    "visible_members_clause",
]
