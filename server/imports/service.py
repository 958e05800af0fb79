"""Excel imports (导入): a community's buildings, a street's employer units, a unit's roster.

Upload → preview (every row's errors, what would be created or changed; nothing written but the
import's own record) → confirm → one transaction. Rows are matched on their natural keys
(building name in the community, unit name, phone in the unit's roster), so importing the same
file again changes nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import joinedload

from server.audit.service import record as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    admin_street_ids,
    place_editor_community_ids,
    roster_unit_ids,
)
from server.errors import conflict, invalid, not_found
from server.excel import workbook_bytes
from server.extensions import db
from server.imports import xlsx
from server.imports.kinds import KINDS, MAX_STORED_ERRORS, Kind, Plan, RowErrors, kind_named
from server.imports.models import ImportBatch, ImportStatus, RosterEntry
from server.members.models import Member
from server.pagination import paginate
from server.timeutil import utcnow


def template_xlsx(principal: Principal, kind: str, params: dict[str, Any]) -> tuple[bytes, str]:
    """The template to fill in: headers, one example row, drop-down lists for this place."""
    spec = kind_named(kind)
    place = spec.scope(principal, params)
    return workbook_bytes(spec.template(place)), f"{spec.title}.xlsx"


def _check(spec: Kind, content: bytes, place: dict[str, Any]) -> tuple[int, Plan, RowErrors]:
    rows = xlsx.read_rows(content, spec.headers, current_app.config["IMPORTS_MAX_ROWS"])
    errors = RowErrors()
    plan = spec.check(rows, place, errors)
    return len(rows), plan, errors


def preview(principal: Principal, kind: str, params: dict[str, Any], filename: str,
            content: bytes) -> ImportBatch:
    """Check an uploaded file and say what importing it would do; nothing is imported."""
    spec = kind_named(kind)
    place = spec.scope(principal, params)
    xlsx.check_upload(filename, content, current_app.config["IMPORTS_MAX_BYTES"])
    row_count, plan, errors = _check(spec, content, place)
    batch = ImportBatch(
        kind=kind, status=ImportStatus.PREVIEWED, filename=(filename or "")[-200:],
        sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        content=None if errors.items else content,
        community_id=place["community_id"], street_id=place["street_id"],
        unit_id=place["unit_id"], row_count=row_count, error_count=len(errors.items),
        errors=errors.items[:MAX_STORED_ERRORS], counts=plan.counts(),
        created_by_user_id=principal.user_id, created_at=utcnow(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _visible_clause(principal: Principal) -> sa.ColumnElement[bool]:
    clauses = []
    communities = place_editor_community_ids(principal)
    if communities:
        clauses.append(ImportBatch.community_id.in_(communities))
    streets = admin_street_ids(principal)
    if streets:
        clauses.append(ImportBatch.street_id.in_(streets))
    units = roster_unit_ids(principal)
    if units:
        clauses.append(ImportBatch.unit_id.in_(units))
    return sa.or_(*clauses) if clauses else sa.false()


def get_batch(principal: Principal, batch_id: int) -> ImportBatch:
    batch = db.session.scalar(sa.select(ImportBatch).where(
        ImportBatch.id == batch_id, _visible_clause(principal)))
    if batch is None:
        raise not_found("导入记录")
    return batch


def batches_query(principal: Principal, kind: str | None = None) -> sa.Select:
    statement = sa.select(ImportBatch).where(_visible_clause(principal))
    if kind:
        statement = statement.where(ImportBatch.kind == kind)
    return statement.order_by(ImportBatch.id.desc())


def confirm(principal: Principal, batch_id: int) -> ImportBatch:
    """Apply a previewed file in one transaction (re-checked: places may have changed)."""
    batch = get_batch(principal, batch_id)
    if batch.status == ImportStatus.APPLIED:
        raise conflict("import_already_applied", "此文件已经导入，无需重复确认")
    if batch.error_count:
        raise invalid("import_has_errors", "文件中有错误，请按提示修改后重新上传",
                      {"errors": batch.errors})
    # one confirmation wins: a second, concurrent one finds the batch no longer previewed
    claimed = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == ImportStatus.PREVIEWED)
        .values(status=ImportStatus.APPLIED, applied_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise conflict("import_already_applied", "此文件已经导入，无需重复确认")
    spec = KINDS[batch.kind]
    place = {"community_id": batch.community_id, "street_id": batch.street_id,
             "unit_id": batch.unit_id}
    _rows, plan, errors = _check(spec, batch.content, place)
    if errors.items:
        raise invalid("import_has_errors", "预览之后数据有变化，文件中出现错误，请重新上传",
                      {"errors": errors.items[:MAX_STORED_ERRORS]})
    now = utcnow()
    extra = {"import_batch_id": batch.id, "updated_at": now} if spec.model is RosterEntry else {}
    if plan.creates:  # one executemany: 10,000 roster rows in one round trip per batch
        db.session.execute(sa.insert(spec.model), [{**values, **extra} for values in plan.creates])
    for row, values in plan.updates:
        for name, value in {**values, **extra}.items():
            setattr(row, name, value)
    db.session.flush()
    db.session.refresh(batch)
    batch.counts = plan.counts()
    batch.content = None
    scope = spec.scope(principal, {"community_id": batch.community_id,
                                   "street_id": batch.street_id, "unit_id": batch.unit_id})
    audit(principal.user_id, "import.apply", "import_batch", batch.id, **scope["audit"],
          after={"kind": batch.kind, "filename": batch.filename, **plan.counts()})
    return batch


def roster_page(
    principal: Principal, pagination: PaginationParameters, unit_id: int | None = None,
    community_id: int | None = None, name: str | None = None,
) -> list[dict[str, Any]]:
    """Roster entries the caller may read (the unit's secretary, its street's admins, and the
    staff of the community where the member lives), each with whether they have reported."""
    clauses = []
    units = roster_unit_ids(principal)
    if units:
        clauses.append(RosterEntry.unit_id.in_(units))
    communities = principal.community_ids(COMMUNITY_MANAGERS)
    if communities:
        clauses.append(RosterEntry.community_id.in_(communities))
    statement = (sa.select(RosterEntry)
                 .options(joinedload(RosterEntry.unit), joinedload(RosterEntry.community))
                 .where(sa.or_(*clauses) if clauses else sa.false()))
    if unit_id is not None:
        statement = statement.where(RosterEntry.unit_id == unit_id)
    if community_id is not None:
        statement = statement.where(RosterEntry.community_id == community_id)
    if name:
        statement = statement.where(RosterEntry.name.contains(name, autoescape=True))
    entries = paginate(statement.order_by(RosterEntry.id), pagination)
    reported: set[tuple[str, int]] = set()
    if entries:
        reported = {(phone, cid) for phone, cid in db.session.execute(
            sa.select(Member.phone, Member.community_id)
            .where(Member.phone.in_({e.phone for e in entries})))}
    return [{"entry": e, "reported": (e.phone, e.community_id) in reported} for e in entries]
