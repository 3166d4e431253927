#!/usr/bin/env bash
# Runs the test suite (or the pytest arguments given) against the real services, with the test
# database, the ckan_test Solr core and Redis database 1. Runs are serialised by a lock, since
# they share that database.
#
# GOVCATALOG_TEST_SLOT=N (1-8) gives a run its own database govcatalog_test_N, Solr core
# ckan_test_N, Redis database N+1 and storage folder, so that several people (or sessions) can run
# tests at once on one machine without touching each other's data.
source "$(dirname "$0")/lib.sh"
TEST_INI="$DATA/test.ini"
SLOT="${GOVCATALOG_TEST_SLOT:-}"

if [ -n "$SLOT" ]; then
  [[ "$SLOT" =~ ^[1-8]$ ]] || die "GOVCATALOG_TEST_SLOT must be a number from 1 to 8 (got '$SLOT')"
  db="${DB_TEST_NAME}_$SLOT"; core="ckan_test_$SLOT"
  "$ROOT/scripts/services/postgres.sh" createdb "$db" >/dev/null
  if ! curl -sf --max-time 5 "http://127.0.0.1:$SOLR_PORT/solr/$core/admin/ping?wt=json" >/dev/null; then
    curl -sf --max-time 120 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&configSet=govcatalog" >/dev/null \
      || die "could not create the Solr core $core (is Solr running? make services)"
  fi
  mkdir -p "$DATA/storage_test_$SLOT"
  TEST_INI="$DATA/test-$SLOT.ini"
  sed -e "s|/$DB_TEST_NAME\$|/$db|" -e "s|/solr/ckan_test\$|/solr/$core|" \
      -e "s|^\(ckan.redis.url = .*\)/1\$|\1/$((SLOT + 1))|" -e "s|storage_test\$|storage_test_$SLOT|" \
      -e "s|^ckan.site_id = .*|ckan.site_id = govcatalog_test_$SLOT|" "$DATA/test.ini" >"$TEST_INI"
  LOCK="$RUN/test-$SLOT.lock"
else
  LOCK="$RUN/test.lock"
fi

exec 9>"$LOCK"
flock 9
"$CKAN" -c "$TEST_INI" db init >"$LOGS/test-db-init${SLOT:+-$SLOT}.log" 2>&1 \
  || { tail -n 20 "$LOGS/test-db-init${SLOT:+-$SLOT}.log" >&2; die "ckan db init on the test database failed; see $LOGS/test-db-init${SLOT:+-$SLOT}.log"; }
cd "$ROOT"
if [ "$#" -eq 0 ]; then set -- tests; fi
"$VENV/bin/python" -m pytest --ckan-ini="$TEST_INI" -p no:cacheprovider "$@"
