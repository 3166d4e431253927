#!/usr/bin/env bash
# Solr 9 (embedded Jetty, built from Maven Central by config/solr) on 127.0.0.1:$SOLR_PORT.
# Cores, each on a configset of config/solr/configsets, with their indexes in $DATA/solr:
#   ckan (served catalog), ckan_test (test suite), ckan_bench (benchmarks) on the govcatalog
#   configset; ckan_stock (stock CKAN 2.12 schema, for side-by-side benchmarks).
# Usage: solr.sh start|stop|status|reload
source "$(dirname "$0")/../lib.sh"

SOLR_DIR="$ROOT/config/solr"
SHOME="$DATA/solr"
SPID="$RUN/solr.pid"
SLOG="$LOGS/solr.log"
JAR="$SOLR_DIR/target/govcatalog-solr-1.0.0.jar"
CONF_STAMP="$RUN/solr-configsets"  # digest of the configsets the running Solr has loaded

configsets_digest() { find "$SOLR_DIR/configsets" -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16; }

ping_core() { curl -sf --max-time 5 "http://127.0.0.1:$SOLR_PORT/solr/$1/admin/ping?wt=json" | grep -q '"status":"OK"'; }
healthy() { local c; for c in $SOLR_CORES; do ping_core "$c" || return 1; done; }

core_configset() {
  case "$1" in ckan_stock) echo ckan-stock ;; *) echo govcatalog ;; esac
}

write_home() {
  mkdir -p "$SHOME"
  cat >"$SHOME/solr.xml" <<XML
<?xml version="1.0" encoding="UTF-8" ?>
<solr>
  <str name="configSetBaseDir">$SOLR_DIR/configsets</str>
  <str name="sharedLib">\${solr.sharedLib:}</str>
  <int name="maxBooleanClauses">\${solr.max.booleanClauses:1024}</int>
</solr>
XML
  local core
  for core in $SOLR_CORES; do
    mkdir -p "$SHOME/$core"
    printf 'name=%s\nconfigSet=%s\n' "$core" "$(core_configset "$core")" >"$SHOME/$core/core.properties"
  done
}

start() {
  if healthy; then
    say "Solr already running on 127.0.0.1:$SOLR_PORT"
    # a running Solr keeps the schema it read: after a change to the configsets, reload
    [ "$(cat "$CONF_STAMP" 2>/dev/null)" = "$(configsets_digest)" ] || reload
    return
  fi
  [ -f "$JAR" ] || die "Solr launcher not built ($JAR missing); run scripts/install.sh"
  local owner; owner="$(port_owner "$SOLR_PORT")"
  if [ -n "$owner" ] && pid_alive "$SPID" && [ "${owner%%/*}" = "$(cat "$SPID")" ]; then
    warn "our Solr (pid $(cat "$SPID")) holds port $SOLR_PORT but its cores do not answer; restarting it"
    stop
  fi
  require_free_port solr "$SOLR_PORT"
  write_home
  # setsid: Solr outlives the shell that started it (make run keeps serving CKAN in front).
  setsid nohup java -Xms256m -Xmx1g -Dsolr.log.dir="$LOGS" \
    -cp "$JAR:$SOLR_DIR/target/lib/*" org.govcatalog.solr.Launcher "$SHOME" "$SOLR_PORT" \
    >"$SLOG" 2>&1 < /dev/null &
  echo $! >"$SPID"
  local waited=0
  until healthy; do
    if ! pid_alive "$SPID"; then
      tail -n 30 "$SLOG" >&2
      die "Solr exited while starting; its log is $SLOG"
    fi
    if [ "$waited" -ge 120 ]; then
      tail -n 30 "$SLOG" >&2
      die "Solr did not answer /solr/<core>/admin/ping within 120s; its log is $SLOG (pid $(cat "$SPID") left running)"
    fi
    sleep 1; waited=$((waited + 1))
  done
  configsets_digest >"$CONF_STAMP"
  say "Solr running on http://127.0.0.1:$SOLR_PORT/solr (cores: $SOLR_CORES; data: $SHOME)"
}

stop() {
  if pid_alive "$SPID"; then
    local pid; pid="$(cat "$SPID")"
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "Solr stopped"
  else
    say "Solr not running"
  fi
  rm -f "$SPID"
}

# After a change to config/solr/configsets: reload every core Solr holds (the test slots' and the
# benchmarks' cores too) so it reads the new files.
reload() {
  local core cores
  cores="$(curl -sf --max-time 30 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=STATUS&wt=json" \
    | "$PY" -c 'import json, sys; print(" ".join(json.load(sys.stdin)["status"]))')" \
    || die "Solr did not list its cores; see $SLOG"
  for core in $cores; do
    curl -sf --max-time 60 "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core" >/dev/null \
      || die "reloading core $core failed; see $SLOG"
  done
  configsets_digest >"$CONF_STAMP"
  say "Solr cores reloaded ($cores)"
}

status() {
  if healthy; then echo "solr: up (http://127.0.0.1:$SOLR_PORT/solr, cores: $SOLR_CORES)"; else echo "solr: down"; return 1; fi
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;; reload) reload ;;
  *) echo "usage: $0 start|stop|status|reload" >&2; exit 2 ;;
esac
