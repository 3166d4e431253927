#!/usr/bin/env bash
# Checks that everything `make run` and `make test` need is installed and running, and names
# every missing piece at once (not just the first) with what to do about it. `make test` runs it
# after install.sh and the services, before the tests; with GOVCATALOG_BROWSER=1 (set by
# `make test`) it also checks what the browser journeys need.
# Usage: doctor.sh        exit 0 when all is well, 1 when something is missing
source "$(dirname "$0")/lib.sh"

problems=()
ok()   { printf '  ok       %s\n' "$1"; }
fail() { printf '  MISSING  %s: %s\n' "$1" "$2"; problems+=("$1"); }
check() {  # check NAME FIX CMD...: CMD succeeding means NAME is there
  local name="$1" fix="$2"; shift 2
  if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "$fix"; fi
}
INSTALL="run scripts/install.sh"
on_path() { local tool; for tool in "$@"; do command -v "$tool" || return 1; done; }

java_major() {
  java -version 2>&1 | sed -n 's/.* version "\([0-9][0-9._]*\).*/\1/p' | head -n1 \
    | sed -e 's/^1\.//' -e 's/\..*//'
}
java_17() { local v; v="$(java_major)"; [ -n "$v" ] && [ "$v" -ge 17 ]; }

# The node version playwright-core's package.json asks for (">=20" -> 20), and ours.
node_fits_playwright() {
  local want have
  want="$(node -p "require('$ROOT/node_modules/playwright-core/package.json').engines.node" \
    | sed -n 's/^>=\([0-9]*\).*/\1/p')"
  have="$(node -p 'process.versions.node.split(".")[0]')"
  [ -n "$want" ] && [ -n "$have" ] && [ "$have" -ge "$want" ]
}
cjk_font() {
  if command -v fc-list >/dev/null; then fc-list :lang=zh family | grep -q .; else
    compgen -G "${GOVCATALOG_SYSROOT:-}/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc" >/dev/null
  fi
}
solr_cores() { local c; for c in $SOLR_CORES; do curl -sf --max-time 5 "http://127.0.0.1:$SOLR_PORT/solr/$c/admin/ping?wt=json" | grep -q '"status":"OK"' || return 1; done; }

say "checking the installation"
check "the virtualenv $VENV with CKAN, the plugin and gunicorn" "$INSTALL" \
  "$PY" -c 'import importlib.util as u, ckan, gunicorn, psycopg2, magic; assert u.find_spec("ckanext.govcatalog.plugin")'
check "Java 17 or later on PATH (Solr 9)" "$INSTALL (openjdk-17-jdk-headless)" java_17
check "the Solr launcher config/solr/target/govcatalog-solr-1.0.0.jar" "$INSTALL (mvn package in config/solr)" \
  test -f "$ROOT/config/solr/target/govcatalog-solr-1.0.0.jar"
check "Java 21 or later (Keycloak; JAVA_HOME, PATH or /usr/lib/jvm)" \
  "install a JDK 21+ (e.g. Eclipse Temurin) under /usr/lib/jvm or set JAVA_HOME" \
  "$ROOT/scripts/services/keycloak.sh" java
check "the Keycloak distribution under $DATA/keycloak" "$INSTALL (Maven fetches it)" \
  compgen -G "$DATA/keycloak/dist/keycloak-*/bin/kc.sh"
check "curl, ss and redis-cli on PATH (health checks)" "$INSTALL (curl, iproute2, redis-server)" \
  on_path curl ss redis-cli
check "the compiled translations (zh_Hans_CN .mo)" "$INSTALL (needs gettext)" \
  test -f "$ROOT/ckanext-govcatalog/ckanext/govcatalog/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govcatalog.mo"
check "Chart.js served by the site (public/vendor/chart.umd.min.js)" "$INSTALL (npm ci)" \
  test -f "$ROOT/ckanext-govcatalog/ckanext/govcatalog/public/vendor/chart.umd.min.js"
check "the CKAN configuration $DATA/ckan.ini and $DATA/test.ini" "run scripts/configure.sh" \
  test -f "$DATA/ckan.ini" -a -f "$DATA/test.ini"

if [ "${GOVCATALOG_BROWSER:-0}" = 1 ]; then
  check "chromium answers --version (browser journeys)" "run GOVCATALOG_BROWSER=1 scripts/install.sh" chromium --version
  check "a CJK font (fonts-noto-cjk)" "run GOVCATALOG_BROWSER=1 scripts/install.sh" cjk_font
  check "node_modules/playwright-core" "$INSTALL (npm ci)" test -d "$ROOT/node_modules/playwright-core"
  check "node on PATH, as new as playwright-core's package.json (engines) asks" \
    "install a Node.js that playwright-core's engines field accepts, or pin an older playwright-core in package.json" \
    node_fits_playwright
fi

say "checking the services"
check "PostgreSQL on 127.0.0.1:$PG_PORT" "run scripts/services.sh start (log: $LOGS/postgres.log)" \
  "$ROOT/scripts/services/postgres.sh" status
check "Redis on 127.0.0.1:$REDIS_PORT" "run scripts/services.sh start (log: $LOGS/redis.log)" \
  "$ROOT/scripts/services/redis.sh" status
check "Solr cores $SOLR_CORES on 127.0.0.1:$SOLR_PORT" "run scripts/services.sh start (log: $LOGS/solr.log)" \
  solr_cores
check "Keycloak (realm govcatalog) on 127.0.0.1:${GOVCATALOG_KEYCLOAK_PORT:-8180}" \
  "run scripts/services.sh start (log: $LOGS/keycloak.log)" "$ROOT/scripts/services/keycloak.sh" status

if [ "${#problems[@]}" -gt 0 ]; then
  summary="$(printf '%s; ' "${problems[@]}")"
  die "${#problems[@]} missing: ${summary%; }"
fi
say "all there"
