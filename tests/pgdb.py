"""Create or drop a throw-away PostgreSQL database for one test run: `python -m tests.pgdb`."""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa

ADMIN_URL = os.environ.get(
    "PARTY_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _admin() -> sa.Engine:
    return sa.create_engine(
        ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def reachable() -> bool:
    try:
        with _admin().connect():
            return True
    except sa.exc.OperationalError:
        return False


def create(name: str) -> str:
    with _admin().connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop(name: str) -> None:
    """Drop the database and any its run left behind: pytest-xdist workers' own databases
    (NAME_gw0, …) and the migration test's (NAME_mig_…), should pytest have been killed."""
    with _admin().connect() as conn:
        left = conn.execute(
            sa.text("SELECT datname FROM pg_database WHERE datname = :name"
                    " OR starts_with(datname, :name || '_gw')"
                    " OR starts_with(datname, :name || '_mig_')"),
            {"name": name},
        ).scalars().all()
        for database in left:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "reachable":
        sys.exit(0 if reachable() else 1)
    if command == "create":
        print(create(args[0]))
    elif command == "drop":
        drop(args[0])
