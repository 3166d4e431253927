#!/usr/bin/env bash
# Renders config/*.ini.in into $DATA/ckan.ini and $DATA/test.ini. The session secret is made
# once and kept in $DATA/secret, so sessions survive restarts.
source "$(dirname "$0")/lib.sh"

[ -s "$DATA/secret" ] || { umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$DATA/secret"; }
render() {
  sed -e "s|@ROOT@|$ROOT|g" -e "s|@DATA@|$DATA|g" -e "s|@SECRET@|$(cat "$DATA/secret")|g" \
      -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" -e "s|@SOLR_PORT@|$SOLR_PORT|g" \
      -e "s|@CKAN_PORT@|$CKAN_PORT|g" -e "s|@KEYCLOAK_PORT@|${GOVCATALOG_KEYCLOAK_PORT:-8180}|g" -e "s|@DB_NAME@|$DB_NAME|g" -e "s|@DB_TEST_NAME@|$DB_TEST_NAME|g" \
      -e "s|@SOLR_CORE@|ckan|g" -e "s|@REDIS_DB@|0|g" -e "s|@STORAGE@|$DATA/storage|g" \
      "$1" >"$2.tmp" && mv "$2.tmp" "$2"
}
mkdir -p "$DATA/storage" "$DATA/storage_test"
render "$ROOT/config/ckan.ini.in" "$DATA/ckan.ini"
render "$ROOT/config/test.ini.in" "$DATA/test.ini"
