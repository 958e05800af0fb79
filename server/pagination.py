"""The one pagination: flask-smorest's page/page_size and X-Pagination header, over a select."""

from __future__ import annotations

import sqlalchemy as sa

from server.extensions import db


def paginate(statement: sa.Select, pagination_parameters) -> list:
    """Run `statement` for one page, telling flask-smorest the total for the header."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    pagination_parameters.item_count = total
    page, size = pagination_parameters.page, pagination_parameters.page_size
    return list(db.session.scalars(statement.limit(size).offset((page - 1) * size)))


def filtered(statement: sa.Select, query: dict, *names: str) -> sa.Select:
    """`statement` narrowed by each of `names` the query string gives (status=…, category=…):
    the one way a list filters by its query."""
    for name in names:
        if query.get(name) is not None:
            statement = statement.filter_by(**{name: query[name]})
    return statement
