#!/usr/bin/env bash
# Runs the test suite (or the pytest arguments given) against the real services, with the test
# database, the ckan_test Solr core and Redis database 1. Runs are serialised by a lock, since
# they share that database.
source "$(dirname "$0")/lib.sh"
TEST_INI="$DATA/test.ini"

exec 9>"$RUN/test.lock"
flock 9
"$CKAN" -c "$TEST_INI" db init >"$LOGS/test-db-init.log" 2>&1 \
  || { tail -n 20 "$LOGS/test-db-init.log" >&2; die "ckan db init on the test database failed; see $LOGS/test-db-init.log"; }
cd "$ROOT"
if [ "$#" -eq 0 ]; then set -- tests; fi
"$VENV/bin/python" -m pytest --ckan-ini="$TEST_INI" -p no:cacheprovider "$@"
