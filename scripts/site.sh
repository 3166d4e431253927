#!/usr/bin/env bash
# Prepares the served catalog: database schema and migrations, the sysadmin, the demo catalog.
# Usage: site.sh setup | serve
source "$(dirname "$0")/lib.sh"
CKAN_INI="$DATA/ckan.ini"
ck() { "$CKAN" -c "$CKAN_INI" "$@"; }

setup() {
  say "initialising the catalog database"
  ck db init >"$LOGS/db-init.log" 2>&1 || { tail -n 20 "$LOGS/db-init.log" >&2; die "ckan db init failed; see $LOGS/db-init.log"; }
  ck db upgrade -p activity >>"$LOGS/db-init.log" 2>&1 || die "activity migrations failed; see $LOGS/db-init.log"
  ck db upgrade -p govcatalog >>"$LOGS/db-init.log" 2>&1 || die "govcatalog migrations failed; see $LOGS/db-init.log"

  local pwfile="$DATA/admin-password"
  [ -s "$pwfile" ] || { umask 077; "$PY" -c 'import secrets; print("Gc-" + secrets.token_urlsafe(12))' >"$pwfile"; }
  if ! ck user show admin 2>/dev/null | grep -q "name=admin"; then
    ck user add admin email=admin@example.invalid password="$(cat "$pwfile")" fullname="平台管理员" \
      >"$LOGS/sysadmin.log" 2>&1 || die "could not create the sysadmin; see $LOGS/sysadmin.log"
  fi
  ck sysadmin add admin >>"$LOGS/sysadmin.log" 2>&1 || die "could not make admin a sysadmin; see $LOGS/sysadmin.log"

  say "loading the demo catalog"
  ck govcatalog demo load 2>"$LOGS/demo.log" || { tail -n 20 "$LOGS/demo.log" >&2; die "demo load failed; see $LOGS/demo.log"; }
}

serve() {
  if [ -s "$RUN/ckan.pid" ] && kill -0 "$(cat "$RUN/ckan.pid")" 2>/dev/null; then
    die "CKAN is already being served by pid $(cat "$RUN/ckan.pid") on http://127.0.0.1:$CKAN_PORT (scripts/services.sh stop stops it)"
  fi
  require_free_port ckan "$CKAN_PORT"
  cat <<MSG

  catalog    http://127.0.0.1:$CKAN_PORT
  sysadmin   admin / $(cat "$DATA/admin-password")
  services   scripts/services.sh status | stop      (data in $DATA)
  stop CKAN  Ctrl-C

MSG
  echo $$ >"$RUN/ckan.pid"
  exec "$CKAN" -c "$CKAN_INI" run --host 127.0.0.1 --port "$CKAN_PORT" --disable-reloader
}

case "${1:-}" in
  setup) setup ;; serve) serve ;;
  *) echo "usage: $0 setup|serve" >&2; exit 2 ;;
esac
