"""Writing to the audit log; every area calls `record` for its staff actions."""

from __future__ import annotations

from typing import Any

from server.audit.models import AuditEntry
from server.extensions import db


def record(
    actor_user_id: int | None,
    action: str,
    target_type: str,
    target_id: Any = None,
    *,
    community_id: int | None = None,
    street_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_user_id=actor_user_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        community_id=community_id,
        street_id=street_id,
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(entry)
    return entry
