#!/usr/bin/env bash
# PostgreSQL from Debian's packages, run from a cluster in $DATA/postgres on 127.0.0.1:$PG_PORT.
# Usage: postgres.sh start|stop|status|createdb NAME|dropdb NAME|datastore MAINDB
# (benchmarks use their own)
source "$(dirname "$0")/../lib.sh"

# CKAN's DataStore (issue 18) keeps the rows of tabular resources in a database of its own per
# catalog database (MAINDB_datastore), written by one role and read by another that can only
# SELECT: the read-only role is what datastore_search runs as. Names match config/*.ini.in.
DS_WRITE_USER=govcatalog_ds
DS_WRITE_PASS=govcatalog_ds
DS_READ_USER=govcatalog_ds_ro
DS_READ_PASS=govcatalog_ds_ro

PGDATA="$DATA/postgres"
PGSOCK="$RUN/pgsocket"
PGLOG="$LOGS/postgres.log"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [ -n "$dir" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/install.sh"
  echo "$dir"
}

# PostgreSQL refuses to run as root: use Debian's postgres account then.
as_pg() {
  # from /: the postgres account may not be allowed into the current folder
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The cluster lives in the checkout, but the server runs as the postgres account, which must be
# able to reach it: a checkout under a private folder (mktemp -d) would otherwise make initdb fail.
ensure_traversable() {
  [ "$(id -u)" -eq 0 ] || return 0
  local dir="$DATA"
  mkdir -p "$dir"
  (cd / && runuser -u postgres -- test -x "$dir") 2>/dev/null && return 0
  while [ "$dir" != "/" ]; do
    if [ "$(stat -c %A "$dir" | cut -c10)" != "x" ] && [ "$(stat -c %A "$dir" | cut -c10)" != "t" ]; then
      say "letting the postgres account traverse $dir (chmod o+x) so the cluster in $DATA is reachable"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

healthy() { as_pg "$(pg_bin)/pg_isready" -q -t 5 -h 127.0.0.1 -p "$PG_PORT"; }

psql_super() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PG_PORT" -d postgres "$@"; }

ensure_db() {
  local name="$1"
  if [ -z "$(psql_super -tAc "SELECT 1 FROM pg_database WHERE datname='$name'")" ]; then
    psql_super -c "CREATE DATABASE $name OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0" \
      || die "could not create database $name (log: $PGLOG)"
    say "created database $name"
  fi
}

ensure_role() {
  local name="$1" pass="$2"
  if [ -z "$(psql_super -tAc "SELECT 1 FROM pg_roles WHERE rolname='$name'")" ]; then
    psql_super -c "CREATE ROLE $name LOGIN PASSWORD '$pass'"
  fi
}

# The DataStore database of catalog database MAINDB, owned by the write role, with the
# permissions CKAN's `ckan datastore set-permissions` emits (rendered from the installed CKAN's
# own set_permissions.sql, so it follows CKAN upgrades). Safe to run again: every statement in
# that script is idempotent.
ensure_datastore() {
  local maindb="$1" dsdb="$1_datastore" template
  ensure_role "$DS_WRITE_USER" "$DS_WRITE_PASS"
  ensure_role "$DS_READ_USER" "$DS_READ_PASS"
  if [ -z "$(psql_super -tAc "SELECT 1 FROM pg_database WHERE datname='$dsdb'")" ]; then
    psql_super -c "CREATE DATABASE $dsdb OWNER $DS_WRITE_USER ENCODING 'UTF8' TEMPLATE template0" \
      || die "could not create database $dsdb (log: $PGLOG)"
    say "created DataStore database $dsdb"
  fi
  template="$("$PY" -c 'import importlib.util, os; spec = importlib.util.find_spec("ckanext.datastore"); print(os.path.join(list(spec.submodule_search_locations)[0], "set_permissions.sql"))')" \
    || die "CKAN's datastore extension is not installed in $VENV; run scripts/install.sh"
  "$PY" - "$template" "$maindb" "$dsdb" "$DB_USER" "$DS_WRITE_USER" "$DS_READ_USER" <<'PYEOF' | PGOPTIONS="-c client_min_messages=warning" psql_super >/dev/null \
    || die "could not set the DataStore permissions on $dsdb (log: $PGLOG)"
import sys
template, maindb, dsdb, mainuser, writeuser, readuser = sys.argv[1:]
with open(template, encoding="utf-8") as f:
    print(f.read().format(maindb=maindb, datastoredb=dsdb, mainuser=mainuser,
                          writeuser=writeuser, readuser=readuser))
PYEOF
}

start() {
  local bin; bin="$(pg_bin)"
  if healthy && [ -s "$PGDATA/postmaster.pid" ]; then
    say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    require_free_port pg "$PG_PORT"
    mkdir -p "$PGSOCK"
    ensure_traversable
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      say "initialising a PostgreSQL cluster in $PGDATA"
      mkdir -p "$PGDATA"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA"
      as_pg "$bin/initdb" -D "$PGDATA" -E UTF8 --locale=C.UTF-8 -U postgres \
        --auth-local=trust --auth-host=scram-sha-256 >"$LOGS/initdb.log" 2>&1 \
        || die "initdb failed; see $LOGS/initdb.log"
    fi
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGSOCK" && touch "$PGLOG" && chown postgres "$PGLOG"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGSOCK -c fsync=off -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$PGLOG" >&2; die "PostgreSQL did not start; its log is $PGLOG"; }
    wait_until 60 PostgreSQL "$PGLOG" healthy
    say "PostgreSQL running on 127.0.0.1:$PG_PORT (data: $PGDATA)"
  fi
  if [ -z "$(psql_super -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" ]; then
    psql_super -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS'"
  fi
  ensure_db "$DB_NAME"
  ensure_db "$DB_TEST_NAME"
  ensure_datastore "$DB_NAME"
  ensure_datastore "$DB_TEST_NAME"
}

stop() {
  if [ -s "$PGDATA/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && say "PostgreSQL stopped"
  else
    say "PostgreSQL not running"
  fi
}

status() {
  if healthy; then echo "postgres: up (127.0.0.1:$PG_PORT, data $PGDATA)"; else echo "postgres: down"; return 1; fi
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  createdb) [ -n "${2:-}" ] || die "usage: $0 createdb NAME"; ensure_db "$2" ;;
  dropdb) [ -n "${2:-}" ] || die "usage: $0 dropdb NAME"; psql_super -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" ;;
  datastore) [ -n "${2:-}" ] || die "usage: $0 datastore MAINDB"; ensure_datastore "$2" ;;
  *) echo "usage: $0 start|stop|status|createdb NAME|dropdb NAME|datastore MAINDB" >&2; exit 2 ;;
esac
