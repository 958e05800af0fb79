"""The audit log is append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.audit.models import AuditEntry, AuditLogIsAppendOnly
from server.audit.service import record
from server.extensions import db


def test_audit_entries_cannot_be_changed_or_deleted(app):
    entry = record(None, "registration.approve", "registration", 1, after={"status": "approved"})
    db.session.commit()
    entry.after = {"status": "rejected"}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    kept = db.session.scalar(sa.select(AuditEntry))
    assert kept.after == {"status": "approved"}
