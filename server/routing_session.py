"""The session class of `db.session`: reads inside `reading_from_replica()` go to the replica.

Only a plain SELECT (no FOR UPDATE) outside a flush is routed; inserts, updates, deletes and
locks always go to the primary, so a write inside a replica block still lands where it must.
The session keeps one connection per engine, both ended with the request's transaction.
"""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.session import Session

REPLICA_KEY = "party_replica_engine"


def _is_plain_read(clause: Any) -> bool:
    return bool(getattr(clause, "is_select", False)) and getattr(
        clause, "_for_update_arg", None) is None


class RoutingSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        replica = self.info.get(REPLICA_KEY)
        if replica is not None and bind is None and not self._flushing and _is_plain_read(
                clause):
            return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
