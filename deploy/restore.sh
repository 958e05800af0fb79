#!/usr/bin/env bash
# Restore a pg_dump (from backup.sh) into a NEW database, then count the rows of the key tables
# (deploy/README.md, "Backups and restore").
#
#   restore.sh DUMP_FILE TARGET_URL
#
# TARGET_URL: libpq URL of the database to create, e.g. postgresql://postgres@127.0.0.1:5432/party_restored
# It must not exist yet: restore.sh never writes over a database. To put the restored copy in
# service, point PARTY_DATABASE_URL at it (or rename it, with the app servers stopped).
# PG_BIN as in backup.sh. Prints "table rows" lines, one a key table.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: restore.sh DUMP_FILE TARGET_URL" >&2; exit 2; }
file=$1 target=$2
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }

pg_tool() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; return; fi
  if command -v "$1" >/dev/null; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] || { echo "restore.sh: $1 not found (set PG_BIN)" >&2; exit 2; }
  echo "$found"
}
say() { echo "[restore $(date -u +%H:%M:%S)] $*" >&2; }

# the database name is the URL's path; the maintenance database is "postgres" on the same server
name=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).path.lstrip("/"))' "$target")
admin=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/postgres")))' "$target")
[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "restore.sh: unusable database name '$name'" >&2; exit 2; }
psql=$(pg_tool psql)
exists=$("$psql" "$admin" -XAtc "SELECT 1 FROM pg_database WHERE datname = '$name'")
[ -z "$exists" ] || { echo "restore.sh: database $name exists; restore into a new one" >&2; exit 3; }

say "creating $name"
"$psql" "$admin" -Xq -c "CREATE DATABASE \"$name\" TEMPLATE template0 ENCODING 'UTF8'"
say "restoring $file"
"$(pg_tool pg_restore)" --dbname="$target" --no-owner --exit-on-error --jobs=2 "$file"
"$psql" "$target" -Xq -c "ANALYZE"

# the key tables, counted (the same list try-local compares with the source)
"$psql" "$target" -XAt -F ' ' -c "
  SELECT 'alembic_version', (SELECT version_num FROM alembic_version LIMIT 1)
  UNION ALL SELECT t, (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM ' || quote_ident(t), false, true, '')))[1]::text
  FROM unnest(ARRAY['users','members','registrations','communities','buildings','activities',
                    'activity_signups','attendances','hours_records','point_entries',
                    'point_balances','notices','notice_recipients','subscribe_outbox',
                    'audit_entries','auth_sessions','idempotency_records']) AS t
  WHERE to_regclass(t) IS NOT NULL"
say "done: $name"
