# Shared settings and helpers for the project's shell scripts. Sourced, not run.
# Every service binds to 127.0.0.1 and keeps its data under $DATA (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${GOVCATALOG_DATA:-$ROOT/.data}"
LOGS="$DATA/logs"
RUN="$DATA/run"
VENV="${GOVCATALOG_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
CKAN="$VENV/bin/ckan"

PG_PORT="${GOVCATALOG_PG_PORT:-54320}"
REDIS_PORT="${GOVCATALOG_REDIS_PORT:-63790}"
SOLR_PORT="${GOVCATALOG_SOLR_PORT:-8983}"
CKAN_PORT="${GOVCATALOG_CKAN_PORT:-5000}"

DB_USER=govcatalog
DB_PASS=govcatalog
DB_NAME=govcatalog            # the catalog `make run` serves
DB_TEST_NAME=govcatalog_test  # the test suite's own database
SOLR_CORES="ckan ckan_test ckan_stock ckan_bench"  # served / tests / stock-CKAN comparison / benchmarks

mkdir -p "$LOGS" "$RUN"

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo (said first).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else
    say "running with sudo (you are not root): $*"
    sudo "$@"
  fi
}

# Prints "pid/program" of whatever listens on 127.0.0.1:PORT (or any address), empty if free.
port_owner() {
  local port="$1" line
  line="$(ss -ltnpH "sport = :$port" 2>/dev/null | head -n1)" || true
  [ -z "$line" ] && return 0
  if [[ "$line" =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
    echo "${BASH_REMATCH[2]}/${BASH_REMATCH[1]}"
  else
    echo "unknown process"
  fi
}

# True when the pid in PIDFILE is alive.
pid_alive() {
  local pidfile="$1"
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# Refuse to start NAME on PORT when another program holds it; never wait on it.
require_free_port() {
  local name="$1" port="$2" owner
  owner="$(port_owner "$port")"
  if [ -n "$owner" ]; then
    die "$name cannot start: port $port on this machine is already taken by $owner. Stop that process or set GOVCATALOG_${name^^}_PORT to another port."
  fi
}

# wait_until SECONDS NAME LOGFILE CMD...: poll CMD until it succeeds, or fail naming the log.
wait_until() {
  local timeout="$1" name="$2" log="$3"; shift 3
  local waited=0
  until "$@" >/dev/null 2>&1; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "---- last lines of $log ----" >&2
      tail -n 20 "$log" >&2 || true
      die "$name did not become healthy within ${timeout}s; its log is $log"
    fi
    sleep 1; waited=$((waited + 1))
  done
}
