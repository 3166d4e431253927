#!/usr/bin/env bash
# Keycloak, the embedded identity provider of single sign-on (统一身份认证), on
# 127.0.0.1:$KEYCLOAK_PORT in dev mode, with its H2 file storage under $DATA/keycloak.
# The distribution zip comes from Maven Central (config/keycloak/pom.xml; cached in ~/.m2) and
# needs Java 21 or later, looked for in $JAVA_HOME, on PATH and in /usr/lib/jvm.
# The realm `govcatalog` is rendered from config/keycloak/realm-govcatalog.json (the client
# secret, the demo users' passwords and the catalog's redirect addresses filled in) and imported
# when Keycloak starts; a changed realm file is imported afresh at the next start.
# Usage: keycloak.sh start|stop|status|fetch|java
source "$(dirname "$0")/../lib.sh"

KEYCLOAK_PORT="${GOVCATALOG_KEYCLOAK_PORT:-8180}"
KC_VERSION=26.5.6
KC_CONF="$ROOT/config/keycloak"
KC_DATA="$DATA/keycloak"
KC_HOME="$KC_DATA/dist/keycloak-$KC_VERSION"
KPID="$RUN/keycloak.pid"
KLOG="$LOGS/keycloak.log"
REALM_STAMP="$KC_DATA/realm-imported"  # digest of the realm file last imported
ADMIN_PASSWORD_FILE="$KC_DATA/admin-password"
CLIENT_SECRET_FILE="$KC_DATA/client-secret"
ISSUER="http://127.0.0.1:$KEYCLOAK_PORT/realms/govcatalog"

# The java binary of a JDK/JRE 21 or later; prints nothing and fails when there is none.
find_java() {
  local candidate v
  # GOVCATALOG_SYSROOT: tests play a machine without a JDK (as install.sh's probes do)
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" \
    "${GOVCATALOG_SYSROOT:-}"/usr/lib/jvm/*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    v="$("$candidate" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9._]*\).*/\1/p' | head -n1)"
    v="${v#1.}"; v="${v%%.*}"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

java_or_die() {
  find_java || die "Keycloak $KC_VERSION needs Java 21 or later; none found in \$JAVA_HOME, on PATH or in /usr/lib/jvm/*/bin/java (Debian bookworm packages only Java 17: install a JDK 21+, e.g. Eclipse Temurin, under /usr/lib/jvm or set JAVA_HOME)"
}

# Unpack the distribution from Maven Central (once; Maven keeps the zip in ~/.m2).
fetch() {
  [ -x "$KC_HOME/bin/kc.sh" ] && return 0
  command -v mvn >/dev/null || die "no mvn on PATH: it fetches Keycloak from Maven Central (run scripts/install.sh)"
  say "fetching Keycloak $KC_VERSION from Maven Central (about 200 MB the first time; log: $LOGS/keycloak-maven.log)"
  mkdir -p "$KC_DATA/dist"
  (cd "$KC_CONF" && mvn -B -q package -Dkeycloak.home="$KC_DATA/dist") >"$LOGS/keycloak-maven.log" 2>&1 \
    || { grep -E "ERROR|Could not" "$LOGS/keycloak-maven.log" | head -n 15 >&2; die "fetching Keycloak with Maven failed; see $LOGS/keycloak-maven.log"; }
  [ -x "$KC_HOME/bin/kc.sh" ] || die "Maven unpacked Keycloak but $KC_HOME/bin/kc.sh is missing; see $LOGS/keycloak-maven.log"
}

realm_ready() { curl -sf --max-time 5 "$ISSUER/.well-known/openid-configuration" | grep -q '"issuer"'; }

secret_file() {  # secret_file PATH: a random secret kept in PATH (made once)
  [ -s "$1" ] || { (umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$1"); }
}

render_realm() {
  mkdir -p "$KC_HOME/data/import"
  "$PY" -m ckanext.govcatalog.sso.realm render \
    --template "$KC_CONF/realm-govcatalog.json" \
    --site-secret-file "$DATA/secret" \
    --client-secret-file "$CLIENT_SECRET_FILE" \
    --out "$KC_HOME/data/import/govcatalog-realm.json" \
    || die "could not render the realm from $KC_CONF/realm-govcatalog.json"
}

realm_digest() { cat "$KC_CONF/realm-govcatalog.json" "$DATA/secret" "$CLIENT_SECRET_FILE" 2>/dev/null | sha256sum | cut -c1-16; }

start() {
  if realm_ready; then say "Keycloak already running on http://127.0.0.1:$KEYCLOAK_PORT"; return; fi
  local java; java="$(java_or_die)"
  fetch
  local owner; owner="$(port_owner "$KEYCLOAK_PORT")"
  if [ -n "$owner" ] && pid_alive "$KPID" && [ "${owner%%/*}" = "$(cat "$KPID")" ]; then
    warn "our Keycloak (pid $(cat "$KPID")) holds port $KEYCLOAK_PORT but the realm does not answer; restarting it"
    stop
  fi
  require_free_port keycloak "$KEYCLOAK_PORT"
  [ -s "$DATA/secret" ] || "$ROOT/scripts/configure.sh"
  secret_file "$ADMIN_PASSWORD_FILE"
  secret_file "$CLIENT_SECRET_FILE"
  render_realm
  if [ "$(cat "$REALM_STAMP" 2>/dev/null)" != "$(realm_digest)" ]; then
    # dev-mode storage holds the realm as last imported; --import-realm skips a realm that
    # exists, so a changed realm file starts from a fresh store (test users are made per run)
    rm -rf "$KC_HOME/data/h2"
  fi
  # setsid: Keycloak outlives the shell that started it; -Xmx keeps it modest on a shared machine
  JAVA="$java" JAVA_OPTS_KC_HEAP="-Xms128m -Xmx768m" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$ADMIN_PASSWORD_FILE")" \
    setsid nohup "$KC_HOME/bin/kc.sh" start-dev --import-realm \
      --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" --hostname-strict=false \
      >"$KLOG" 2>&1 < /dev/null &
  echo $! >"$KPID"
  # The first start on a machine builds Keycloak's optimised image (about 80 s idle) before it
  # imports the realm: over 3 minutes on 2 busy cores. A live process is given that time.
  local waited=0 limit="${GOVCATALOG_KEYCLOAK_WAIT:-600}"
  until realm_ready; do
    if ! pid_alive "$KPID"; then
      tail -n 30 "$KLOG" >&2
      die "Keycloak exited while starting; its log is $KLOG"
    fi
    if [ "$waited" -ge "$limit" ]; then
      tail -n 30 "$KLOG" >&2
      die "Keycloak did not serve $ISSUER within ${limit}s; its log is $KLOG (pid $(cat "$KPID") left running)"
    fi
    sleep 1; waited=$((waited + 1))
    if [ $((waited % 30)) = 0 ]; then say "waiting for Keycloak to serve the realm (${waited}s; log: $KLOG)"; fi
  done
  realm_digest >"$REALM_STAMP"
  say "Keycloak running on http://127.0.0.1:$KEYCLOAK_PORT (realm govcatalog; admin console user 'admin', password in $ADMIN_PASSWORD_FILE; data: $KC_DATA)"
}

stop() {
  if pid_alive "$KPID"; then
    local pid; pid="$(cat "$KPID")"
    # kc.sh execs java in the same process group: end the group setsid made
    kill -- "-$pid" 2>/dev/null || kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 -- "-$pid" 2>/dev/null
    say "Keycloak stopped"
  else
    say "Keycloak not running"
  fi
  rm -f "$KPID"
}

status() {
  if realm_ready; then echo "keycloak: up ($ISSUER)"; else echo "keycloak: down"; return 1; fi
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;; fetch) java_or_die >/dev/null; fetch ;;
  java) java_or_die ;;
  *) echo "usage: $0 start|stop|status|fetch|java" >&2; exit 2 ;;
esac
