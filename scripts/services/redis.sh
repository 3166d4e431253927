#!/usr/bin/env bash
# Redis from Debian's packages on 127.0.0.1:$REDIS_PORT, data in $DATA/redis.
# Database 0 serves the catalog, database 1 belongs to the test suite.
# Usage: redis.sh start|stop|status
source "$(dirname "$0")/../lib.sh"

RDATA="$DATA/redis"
RPID="$RUN/redis.pid"
RLOG="$LOGS/redis.log"

healthy() { [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

start() {
  command -v redis-server >/dev/null || die "redis-server not installed; run scripts/install.sh"
  if healthy; then say "Redis already running on 127.0.0.1:$REDIS_PORT"; return; fi
  require_free_port redis "$REDIS_PORT"
  mkdir -p "$RDATA"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$RDATA" --daemonize yes \
    --pidfile "$RPID" --logfile "$RLOG" --save 60 1 --protected-mode yes \
    || die "redis-server failed to start; its log is $RLOG"
  wait_until 20 Redis "$RLOG" healthy
  say "Redis running on 127.0.0.1:$REDIS_PORT (data: $RDATA)"
}

stop() {
  if pid_alive "$RPID"; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$(cat "$RPID")"
    say "Redis stopped"
  else
    say "Redis not running"
  fi
  rm -f "$RPID"
}

status() {
  if healthy; then echo "redis: up (127.0.0.1:$REDIS_PORT, data $RDATA)"; else echo "redis: down"; return 1; fi
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
