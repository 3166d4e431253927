#!/usr/bin/env bash
# Prepares the served catalog (database schema and migrations, the sysadmin, the demo catalog)
# and serves it: with CKAN's development server (serve, `make run`), or as in production with
# gunicorn and a background-jobs worker (serve-production, `make production`; README: Production).
# Usage: site.sh setup | serve | serve-production | stop-production
#   GOVCATALOG_CKAN_INI     the ini to use (default .data/ckan.ini)
#   GOVCATALOG_WEB_WORKERS  gunicorn workers for serve-production (default 4)
source "$(dirname "$0")/lib.sh"
CKAN_INI="${GOVCATALOG_CKAN_INI:-$DATA/ckan.ini}"
GUNICORN_PID="$RUN/gunicorn.pid"
WORKER_PID="$RUN/jobs-worker.pid"
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

  say "loading the data-element register"
  ck govcatalog elements seed >"$LOGS/elements.log" 2>&1 || { tail -n 20 "$LOGS/elements.log" >&2; die "loading the data elements failed; see $LOGS/elements.log"; }

  say "loading the demo catalog"
  ck govcatalog demo load 2>"$LOGS/demo.log" || { tail -n 20 "$LOGS/demo.log" >&2; die "demo load failed; see $LOGS/demo.log"; }

  say "naming the demo's 数源部门 and binding its data items to data elements"
  ck govcatalog elements sources "$ROOT/schemas/demo/element_sources.yaml" >>"$LOGS/elements.log" 2>&1 || { tail -n 20 "$LOGS/elements.log" >&2; die "setting the demo's 数源部门 failed; see $LOGS/elements.log"; }

  # the catalog serves without bindings: a refusal is reported, not fatal (the bind writes all or nothing)
  ck govcatalog elements bind --all --apply >"$LOGS/elements-bind.log" 2>&1 || { tail -n 20 "$LOGS/elements-bind.log" >&2; warn "binding the data items failed; see $LOGS/elements-bind.log"; }

  say "attaching sample data files (示例数据) to the open and shared demo entries and loading their tables"
  ck govcatalog demo files >"$LOGS/demo-files.log" 2>&1 || { tail -n 20 "$LOGS/demo-files.log" >&2; die "attaching the sample files failed; see $LOGS/demo-files.log"; }
}

# `ckan jobs worker` in its own session (it outlives this shell; `make stop` stops it): loading
# uploaded tables into the DataStore and large web imports are background jobs.
start_jobs_worker() {
  say "starting the background-jobs worker (log: $LOGS/jobs-worker.log)"
  if ! pid_alive "$WORKER_PID"; then
    # unbuffered: rq runs each job in a forked process that ends with os._exit, which would drop
    # whatever the job printed and was still buffered
    PYTHONUNBUFFERED=1 setsid "$CKAN" -c "$CKAN_INI" jobs worker >>"$LOGS/jobs-worker.log" 2>&1 </dev/null &
    echo $! >"$WORKER_PID"
  fi
  sleep 2
  if ! pid_alive "$WORKER_PID"; then
    tail -n 20 "$LOGS/jobs-worker.log" >&2
    warn "ckan jobs worker exited at start (is Redis up? make services); its log is $LOGS/jobs-worker.log"
    return 1
  fi
}

serve() {
  if [ -s "$RUN/ckan.pid" ] && kill -0 "$(cat "$RUN/ckan.pid")" 2>/dev/null; then
    die "CKAN is already being served by pid $(cat "$RUN/ckan.pid") on http://127.0.0.1:$CKAN_PORT (scripts/services.sh stop stops it)"
  fi
  require_free_port ckan "$CKAN_PORT"
  start_jobs_worker || die "the catalog needs its jobs worker; see above"
  cat <<MSG

  catalog      http://127.0.0.1:$CKAN_PORT
  sysadmin     admin / $(cat "$DATA/admin-password")
  services     scripts/services.sh status | stop      (data in $DATA)
  jobs worker  pid $(cat "$WORKER_PID"), log $LOGS/jobs-worker.log
  stop         Ctrl-C stops CKAN; make stop stops the worker and the services too

MSG
  echo $$ >"$RUN/ckan.pid"
  exec "$CKAN" -c "$CKAN_INI" run --host 127.0.0.1 --port "$CKAN_PORT" --disable-reloader
}

status_ok() { curl -sf --max-time 5 "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" | grep -q '"success": *true'; }

# gunicorn (config/gunicorn.conf.py) and `ckan jobs worker`, each in its own session so that
# they outlive this shell; their pids in .data/run, their logs in .data/logs.
serve_production() {
  [ -f "$CKAN_INI" ] || die "no CKAN ini at $CKAN_INI; run scripts/install.sh (or set GOVCATALOG_CKAN_INI)"
  if pid_alive "$GUNICORN_PID"; then
    die "gunicorn is already serving (pid $(cat "$GUNICORN_PID")); scripts/site.sh stop-production stops it"
  fi
  pid_alive "$RUN/ckan.pid" && die "the development server (pid $(cat "$RUN/ckan.pid")) is running; stop it first (Ctrl-C or make stop)"
  require_free_port ckan "$CKAN_PORT"
  local workers="${GOVCATALOG_WEB_WORKERS:-4}"
  say "starting gunicorn ($workers workers) on 127.0.0.1:$CKAN_PORT (log: $LOGS/gunicorn.log)"
  CKAN_INI="$CKAN_INI" GOVCATALOG_LOGS="$LOGS" GOVCATALOG_RUN="$RUN" GOVCATALOG_CKAN_PORT="$CKAN_PORT" GOVCATALOG_WEB_WORKERS="$workers" \
    setsid "$VENV/bin/gunicorn" -c "$ROOT/config/gunicorn.conf.py" >>"$LOGS/gunicorn.log" 2>&1 </dev/null &
  echo $! >"$GUNICORN_PID"
  local waited=0
  until status_ok; do
    if ! pid_alive "$GUNICORN_PID"; then
      tail -n 30 "$LOGS/gunicorn.log" >&2; rm -f "$GUNICORN_PID"
      die "gunicorn exited while starting; its log is $LOGS/gunicorn.log"
    fi
    if [ "$waited" -ge 180 ]; then
      tail -n 30 "$LOGS/gunicorn.log" >&2; stop_production
      die "gunicorn did not answer /api/3/action/status_show within 180s; its log is $LOGS/gunicorn.log"
    fi
    sleep 1; waited=$((waited + 1))
  done

  start_jobs_worker || { stop_production; exit 1; }
  cat <<MSG

  catalog      http://127.0.0.1:$CKAN_PORT   (gunicorn, $workers workers; put nginx in front: config/nginx/govcatalog.conf)
  jobs worker  pid $(cat "$WORKER_PID")
  logs         $LOGS/gunicorn.log, gunicorn-access.log, jobs-worker.log
  stop         scripts/site.sh stop-production   (or make stop)

MSG
}

# stop_one NAME PIDFILE: TERM (gunicorn and rq both finish the request or job in hand), then KILL.
stop_one() {
  local name="$1" pidfile="$2" pid
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within 40s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
  fi
  rm -f "$pidfile"
  say "$name stopped"
}

stop_production() {
  stop_one "the jobs worker" "$WORKER_PID"
  stop_one gunicorn "$GUNICORN_PID"
}

case "${1:-}" in
  setup) setup ;; serve) serve ;;
  serve-production) serve_production ;; stop-production) stop_production ;;
  *) echo "usage: $0 setup|serve|serve-production|stop-production" >&2; exit 2 ;;
esac
