#!/usr/bin/env bash
# Runs the test suite (or the pytest arguments given) against the real services, with the test
# database, the ckan_test Solr core and Redis database 1. Runs are serialised by a lock, since
# they share that database.
#
# GOVCATALOG_TEST_SLOT=N (1-10) gives a run its own database govcatalog_test_N, Solr core
# ckan_test_N, Redis database N+1 and storage folder, so that several people (or sessions) can run
# tests at once on one machine without touching each other's data.
source "$(dirname "$0")/lib.sh"
TEST_INI="$DATA/test.ini"
SLOT="${GOVCATALOG_TEST_SLOT:-}"

if [ "$#" -eq 0 ] && [ -z "$SLOT" ] && [ "${GOVCATALOG_TEST_SHARDS:-2}" = 2 ]; then
  # The whole suite in two shards at once, each in its own slot (database, Solr core, Redis db,
  # storage): most of a test's time is spent waiting on PostgreSQL, Solr or a browser, so two
  # runs on 2 cores finish well before one would. Which directories go where: tests/shards.txt.
  shard_args() { "$VENV/bin/python" - "$1" <<'PY'
import pathlib, sys
shard = sys.argv[1]
rows = [line.split() for line in pathlib.Path("tests/shards.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")]
listed = {path for _s, path in rows}
mine = [path for s, path in rows if s == shard]
if shard == "B":  # whatever the table does not name runs in shard B
    mine += sorted(str(p) for p in pathlib.Path("tests").iterdir()
                   if (p.is_dir() and (p / "__init__.py").exists() or p.name.startswith("test_"))
                   and str(p) not in listed)
print(" ".join(mine))
PY
  }
  cd "$ROOT"
  SHARD_MINUTES="${GOVCATALOG_SHARD_MINUTES:-40}"
  ENDED_BY_WATCHDOG="^govcatalog: .* (hung|stopped): "  # the last line of tests/watchdog.py
  pids=()
  for shard in A B; do
    slot=$([ "$shard" = A ] && echo 9 || echo 10)
    # a shard that outlives SHARD_MINUTES is stopped, so the verdicts below still get printed
    # shellcheck disable=SC2046
    (set -o pipefail; GOVCATALOG_TEST_SLOT=$slot GOVCATALOG_TEST_SHARDS=1 timeout --kill-after=30 "$((SHARD_MINUTES * 60))" \
      "$ROOT/scripts/test.sh" $(shard_args "$shard") -rfE --durations=15 2>&1 \
      | tee "$LOGS/test-shard-$shard.log" | sed -u "s/^/[$shard] /") &
    pids+=($!)
  done
  status=0; failed=()
  for i in 0 1; do
    wait "${pids[$i]}" || { status=1; failed+=("$([ "$i" = 0 ] && echo A || echo B)"); }
  done
  # The shards' lines interleave and a CI log may keep only its tail: repeat each shard's verdict
  # (pytest's short summary of failures and errors, or the last lines if pytest never got there).
  for shard in A B; do
    log="$LOGS/test-shard-$shard.log"
    if grep -qE "$ENDED_BY_WATCHDOG" "$log"; then
      sed -n '/^govcatalog: [0-9]* tests ran before/,$p' "$log" | cut -c1-300 | sed "s/^/[$shard] /"
    elif grep -q "short test summary info" "$log"; then
      { sed -n '/short test summary info/,$p' "$log" | grep -E "^(FAILED|ERROR) " | head -n 30; tail -n 1 "$log"; } \
        | cut -c1-300 | sed "s/^/[$shard] /"
    else
      tail -n 12 "$log" | cut -c1-300 | sed "s/^/[$shard] /"
    fi
    grep -qE "^=+ .*(passed|failed|error).* in [0-9.]+s|$ENDED_BY_WATCHDOG" "$log" \
      || echo "[$shard] no verdict from pytest (stopped after $SHARD_MINUTES min, or it crashed)"
  done
  [ "$status" = 0 ] && say "both shards passed" || warn "shard ${failed[*]} failed (full output: $LOGS/test-shard-*.log)"
  exit "$status"
fi

if [ -n "$SLOT" ]; then
  # 1-8 for people running tests side by side; 9 and 10 are the whole suite's two shards
  [[ "$SLOT" =~ ^([1-9]|10)$ ]] || die "GOVCATALOG_TEST_SLOT must be a number from 1 to 10 (got '$SLOT')"
  db="${DB_TEST_NAME}_$SLOT"; core="ckan_test_$SLOT"
  "$ROOT/scripts/services/postgres.sh" createdb "$db" >/dev/null
  "$ROOT/scripts/services/postgres.sh" datastore "$db" >/dev/null
  if ! curl -sf --max-time 5 "http://127.0.0.1:$SOLR_PORT/solr/$core/admin/ping?wt=json" >/dev/null; then
    curl -sf --max-time 120 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&configSet=govcatalog" >/dev/null \
      || die "could not create the Solr core $core (is Solr running? make services)"
  fi
  mkdir -p "$DATA/storage_test_$SLOT"
  TEST_INI="$DATA/test-$SLOT.ini"
  sed -e "s|/$DB_TEST_NAME\$|/$db|" -e "s|/${DB_TEST_NAME}_datastore\$|/${db}_datastore|" -e "s|/solr/ckan_test\$|/solr/$core|" \
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
# a single run prints its slowest tests: the whole suite must stay under 25 minutes on 2 cores
if [ "$#" -eq 0 ]; then set -- tests --durations=30; fi
# A statement waiting on a lock for minutes is a test holding a transaction another waits on:
# fail it with PostgreSQL's error instead of hanging (libpq reads PGOPTIONS, subprocesses too).
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c lock_timeout=300s"
# tests/watchdog.py: a test still running after GOVCATALOG_TEST_HANG_SECONDS stops the run, named
"$VENV/bin/python" -m pytest --ckan-ini="$TEST_INI" -p no:cacheprovider -p tests.watchdog "$@"
