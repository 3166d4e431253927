#!/usr/bin/env bash
# Installs whatever is missing for the catalog: Debian packages, the virtualenv with the pinned
# Python packages, the Solr build from Maven Central and the compiled translations. Each step is
# skipped when its inputs have not changed since it last succeeded, so a re-run takes seconds.
#
# Usage: install.sh [--plan]
#   --plan  print the Debian packages this machine lacks ("package  reason", one a line) and stop
#           without installing anything. GOVCATALOG_BROWSER=1 adds chromium and the CJK fonts
#           of the browser journeys (`make test` sets it).
source "$(dirname "$0")/lib.sh"

STAMPS="$DATA/stamps"; mkdir -p "$STAMPS"
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
digest() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# --- Debian packages -------------------------------------------------------------------------
# Each probe looks for what the later steps run, on PATH or under $SYSROOT (empty: this machine;
# tests point it at an empty folder to play a machine that has nothing).
SYSROOT="${GOVCATALOG_SYSROOT:-}"
PYTHON="${PYTHON:-python3.11}"
need_apt=()  # package names, in install order
why=()       # one line per package: "name  reason", for --plan
need() {
  local reason="$1"; shift
  local pkg
  for pkg in "$@"; do
    [[ " ${need_apt[*]} " == *" $pkg "* ]] && continue
    need_apt+=("$pkg"); why+=("$pkg  $reason")
  done
}
has_file() { compgen -G "$SYSROOT$1" >/dev/null; }  # a glob under $SYSROOT matches a file
java_major() {  # 17 for 'openjdk version "17.0.15"', 8 for '"1.8.0_402"', empty without java
  local v
  command -v java >/dev/null || return 0
  v="$(java -version 2>&1 | sed -n 's/.* version "\([0-9][0-9._]*\).*/\1/p' | head -n1)"
  [[ "$v" == 1.* ]] && v="${v#1.}"
  echo "${v%%.*}"
}

command -v "$PYTHON" >/dev/null || need "no $PYTHON on PATH" python3.11 python3.11-venv
command -v "$PYTHON" >/dev/null && ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null \
  && need "$PYTHON cannot make a virtualenv (no ensurepip)" python3.11-venv
if ! { [ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null; }; then
  # pip builds psycopg2 (pinned by CKAN) from source: a C compiler, libpq's and Python's headers
  command -v gcc >/dev/null || need "no C compiler (gcc) to build psycopg2" gcc
  has_file /usr/include/stdio.h || need "no C library headers to build psycopg2" libc6-dev
  command -v pg_config >/dev/null || need "no pg_config (libpq headers) to build psycopg2" libpq-dev
  has_file "/usr/include/${PYTHON##*/}/Python.h" || need "no Python headers to build psycopg2" python3.11-dev
fi
has_file '/usr/lib/postgresql/*/bin/initdb' || need "no PostgreSQL server (/usr/lib/postgresql/*/bin/initdb)" postgresql postgresql-contrib
command -v psql >/dev/null || need "no psql on PATH" postgresql-client
command -v redis-server >/dev/null || need "no redis-server on PATH" redis-server
jv="$(java_major)"
if [ -z "$jv" ]; then need "no java on PATH (Solr 9 needs Java 17 or later)" openjdk-17-jdk-headless
elif [ "$jv" -lt 17 ]; then need "java on PATH is Java $jv; Solr 9 needs 17 or later" openjdk-17-jdk-headless
fi
command -v mvn >/dev/null || need "no mvn on PATH (builds the Solr launcher)" maven
command -v curl >/dev/null || need "no curl on PATH (service health checks)" curl
command -v ss >/dev/null || need "no ss on PATH (who holds a port)" iproute2
command -v msgfmt >/dev/null || need "no msgfmt on PATH (compiles the translations)" gettext
has_file '/usr/lib/*/libmagic.so.1' || has_file '/usr/lib/libmagic.so.1' || need "no libmagic (upload type checks)" libmagic1
command -v node >/dev/null || need "no node on PATH" nodejs
command -v npm >/dev/null || need "no npm on PATH" npm
if [ "${GOVCATALOG_BROWSER:-0}" = 1 ]; then  # the browser journeys (tests/journeys), set by `make test`
  command -v chromium >/dev/null || need "no chromium on PATH (browser journeys)" chromium
  has_file '/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc' \
    || need "no Noto CJK fonts (Chinese text in the journeys' screenshots)" fonts-noto-cjk
elif [ -n "${GOVCATALOG_BROWSER:-}" ] && [ "$GOVCATALOG_BROWSER" != 0 ]; then
  die "GOVCATALOG_BROWSER must be 1 or 0, not '$GOVCATALOG_BROWSER' (blanks count)"
fi

if [ "${1:-}" = --plan ]; then  # what would be installed, one "package  reason" a line; nothing done
  [ "${#why[@]}" -eq 0 ] || printf '%s\n' "${why[@]}"
  exit 0
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null \
    || die "installing ${need_apt[*]} needs root: run this as root or install sudo"
  as_root apt-get update -q >"$LOGS/apt-update.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt-update.log" >&2; die "apt-get update failed; see $LOGS/apt-update.log"; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" \
    >"$LOGS/apt-install.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt-install.log" >&2; die "apt-get install ${need_apt[*]} failed; see $LOGS/apt-install.log"; }
  # Debian starts a default cluster/server on install where it can; ours run on their own ports.
fi

# --- Python virtualenv -----------------------------------------------------------------------
command -v "$PYTHON" >/dev/null || die "$PYTHON not found: this project needs Python 3.11"
if [ ! -x "$PY" ]; then
  say "creating the virtualenv $VENV"
  "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv with $PYTHON (is python3.11-venv installed?)"
fi
pydeps="$(digest "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" "$ROOT/setup.py")"
if ! stamp_ok python "$pydeps"; then
  say "installing Python packages (log: $LOGS/pip.log)"
  {
    "$PY" -m pip install -q --upgrade pip setuptools wheel &&
    "$PY" -m pip install -r "$ROOT/requirements.txt" -r "$ROOT/requirements-dev.txt" &&
    "$PY" -m pip install --no-deps -e "$ROOT" --config-settings editable_mode=compat &&
    "$PY" -m pip check
  } >"$LOGS/pip.log" 2>&1 || { tail -n 20 "$LOGS/pip.log" >&2; die "pip install failed; see $LOGS/pip.log"; }
  echo "$pydeps" >"$STAMPS/python"
fi

# --- Solr from Maven Central -----------------------------------------------------------------
soldeps="$(digest "$ROOT/config/solr/pom.xml" "$ROOT"/config/solr/src/main/java/org/govcatalog/solr/*.java)"
if ! stamp_ok solr "$soldeps" || [ ! -f "$ROOT/config/solr/target/govcatalog-solr-1.0.0.jar" ]; then
  say "building the Solr launcher with Maven (first build downloads Solr 9.10.1; log: $LOGS/maven.log)"
  (cd "$ROOT/config/solr" && mvn -B -q -DskipTests package) >"$LOGS/maven.log" 2>&1 \
    || { grep -E "ERROR|Could not" "$LOGS/maven.log" | head -n 15 >&2; die "the Maven build of config/solr failed; see $LOGS/maven.log"; }
  echo "$soldeps" >"$STAMPS/solr"
fi

# --- Keycloak (single sign-on) from Maven Central --------------------------------------------------
# Needs Java 21 or later, which Debian bookworm does not package: keycloak.sh names what it
# looked for when there is none. The distribution is unpacked under $DATA/keycloak once.
"$ROOT/scripts/services/keycloak.sh" fetch

# --- front-end packages from npm ---------------------------------------------------------------
# package.json pins the chart library the home page serves from the site itself (copied into the
# plugin's public/vendor, git-ignored) and playwright-core, which drives Debian's chromium in the
# journeys (it downloads no browser).
VENDOR="$ROOT/ckanext-govcatalog/ckanext/govcatalog/public/vendor"
npmdeps="$(digest "$ROOT/package.json" "$ROOT/package-lock.json")"
if ! stamp_ok npm "$npmdeps" || [ ! -f "$VENDOR/chart.umd.min.js" ] || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
  say "installing npm packages (log: $LOGS/npm.log)"
  (cd "$ROOT" && npm ci --no-audit --no-fund) >"$LOGS/npm.log" 2>&1 \
    || { tail -n 20 "$LOGS/npm.log" >&2; die "npm ci failed; see $LOGS/npm.log"; }
  mkdir -p "$VENDOR"
  cp "$ROOT/node_modules/chart.js/dist/chart.umd.min.js" "$VENDOR/chart.umd.min.js"
  cp "$ROOT/node_modules/chart.js/LICENSE.md" "$VENDOR/chart.js-LICENSE.md"
  echo "$npmdeps" >"$STAMPS/npm"
fi

# --- translations ----------------------------------------------------------------------------
# Each concern keeps its messages in i18n/src/<locale>/<concern>.po (so parallel work never edits
# one file); they are merged into the plugin's single gettext domain and compiled here.
I18N="$ROOT/ckanext-govcatalog/ckanext/govcatalog/i18n"
for src in "$I18N"/src/*/; do
  [ -d "$src" ] || continue
  locale="$(basename "$src")"
  parts=("$src"*.po)
  [ -e "${parts[0]}" ] || continue
  out="$I18N/$locale/LC_MESSAGES"; mkdir -p "$out"
  msgcat --use-first -o "$out/ckanext-govcatalog.po" "${parts[@]}" || die "could not merge ${parts[*]}"
  msgfmt --check-format --check-domain -o "$out/ckanext-govcatalog.mo" "$out/ckanext-govcatalog.po" || die "could not compile $out/ckanext-govcatalog.po"
done

"$(dirname "$0")/configure.sh"
say "installed"
