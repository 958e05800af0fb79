#!/usr/bin/env bash
# Backups of the party database (deploy/README.md, "Backups and restore").
#
#   backup.sh dump    a pg_dump in custom format:   $PARTY_BACKUP_DIR/dump/party-<UTC time>.dump
#   backup.sh base    a pg_basebackup (tar, gzip, WAL included): $PARTY_BACKUP_DIR/base/<UTC time>/
#   backup.sh auto    dump, and base when the newest base backup is 7 days old or more
#                     (what party-backup.timer runs every night)
#
# Settings (environment, or /etc/party/backup.env under systemd):
#   PARTY_BACKUP_DATABASE_URL     libpq URL pg_dump reads          (required for dump/auto)
#   PARTY_BACKUP_REPLICATION_URL  libpq URL pg_basebackup copies   (required for base/auto)
#   PARTY_BACKUP_DIR              where backups go                  (default /var/backups/party)
#   PARTY_BACKUP_KEEP_DAYS        dumps older than this are removed (default 14)
#   PARTY_BACKUP_KEEP_BASE        base backups kept                 (default 4)
#   PG_BIN                        folder of pg_dump/pg_basebackup   (default: PATH, else the
#                                 newest /usr/lib/postgresql/*/bin)
# Each file is written under a .partial name and renamed when complete and checked, so a
# crashed run never leaves something that looks like a backup. Exit status 0 = all done.
set -euo pipefail

mode=${1:-auto}
dir=${PARTY_BACKUP_DIR:-/var/backups/party}
keep_days=${PARTY_BACKUP_KEEP_DAYS:-14}
keep_base=${PARTY_BACKUP_KEEP_BASE:-4}
stamp=$(date -u +%Y%m%dT%H%M%SZ)

pg_tool() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; return; fi
  if command -v "$1" >/dev/null; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] || { echo "backup.sh: $1 not found (set PG_BIN)" >&2; exit 2; }
  echo "$found"
}
say() { echo "[backup $(date -u +%H:%M:%S)] $*"; }

dump() {
  : "${PARTY_BACKUP_DATABASE_URL:?set PARTY_BACKUP_DATABASE_URL}"
  mkdir -p "$dir/dump"
  local out="$dir/dump/party-$stamp.dump"
  "$(pg_tool pg_dump)" --format=custom --compress=6 --no-owner \
      --file="$out.partial" "$PARTY_BACKUP_DATABASE_URL"
  # a dump pg_restore cannot list is no backup
  "$(pg_tool pg_restore)" --list "$out.partial" >/dev/null
  mv "$out.partial" "$out"
  say "dump: $out ($(du -h "$out" | cut -f1))"
  find "$dir/dump" -name 'party-*.dump' -mtime +"$keep_days" -print -delete \
    | sed 's/^/removed (older than '"$keep_days"' days): /'
}

base() {
  : "${PARTY_BACKUP_REPLICATION_URL:?set PARTY_BACKUP_REPLICATION_URL}"
  mkdir -p "$dir/base"
  local out="$dir/base/$stamp"
  "$(pg_tool pg_basebackup)" --dbname="$PARTY_BACKUP_REPLICATION_URL" --pgdata="$out.partial" \
      --format=tar --gzip --wal-method=stream --checkpoint=fast --label="party-$stamp" \
      --no-password
  # complete and readable: the manifest is there and every tarball decompresses
  [ -f "$out.partial/backup_manifest" ] || { echo "backup.sh: base backup has no manifest" >&2; exit 1; }
  gzip -t "$out.partial"/*.tar.gz
  mv "$out.partial" "$out"
  say "base: $out ($(du -sh "$out" | cut -f1))"
  # keep the newest $keep_base
  ls -1d "$dir"/base/*/ 2>/dev/null | grep -v '\.partial/$' | sort | head -n -"$keep_base" \
    | while read -r old; do rm -rf "$old"; say "removed (beyond $keep_base kept): $old"; done
}

case "$mode" in
  dump) dump ;;
  base) base ;;
  auto)
    dump
    newest=$(ls -1d "$dir"/base/*/ 2>/dev/null | grep -v '\.partial/$' | sort | tail -1 || true)
    if [ -z "$newest" ] || [ -n "$(find "$newest" -maxdepth 0 -mtime +6)" ]; then base
    else say "base: newest is $newest (less than 7 days old)"; fi ;;
  *) echo "usage: backup.sh dump|base|auto" >&2; exit 2 ;;
esac
