"""党员管理 for the console: personal details are masked by default; showing one in full is a
deliberate act, audited (who saw whose what, when) — the access log the privacy law expects."""

from __future__ import annotations

from typing import Any

from server.audit.service import record as audit
from server.auth.scope import Principal, get_visible_member

# what may be revealed, and what it is called in the audit log
REVEALABLE = {"phone": "手机号"}


def reveal_member_field(principal: Principal, member_id: int, field: str) -> dict[str, Any]:
    """The field in full, for a member the caller looks after (else 404); audited each time."""
    member = get_visible_member(principal, member_id)
    value = getattr(member, field) or ""
    audit(principal.user_id, "member.reveal", "member", member.id,
          community_id=member.community_id,
          after={"member_name": member.name, "field": REVEALABLE[field]})
    return {"member_id": member.id, "field": field, "value": value}
