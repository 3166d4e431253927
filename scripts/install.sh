#!/usr/bin/env bash
# Installs whatever is missing for the catalog: Debian packages, the virtualenv with the pinned
# Python packages, the Solr build from Maven Central and the compiled translations. Each step is
# skipped when its inputs have not changed since it last succeeded, so a re-run takes seconds.
source "$(dirname "$0")/lib.sh"

STAMPS="$DATA/stamps"; mkdir -p "$STAMPS"
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
digest() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# --- Debian packages -------------------------------------------------------------------------
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql postgresql-contrib)
command -v psql >/dev/null || need_apt+=(postgresql-client)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v curl >/dev/null || need_apt+=(curl)
command -v ss >/dev/null || need_apt+=(iproute2)
command -v msgfmt >/dev/null || need_apt+=(gettext)
[ -e /usr/include/magic.h ] || [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || need_apt+=(libmagic1)
command -v npm >/dev/null || need_apt+=(nodejs npm)
if [ "${GOVCATALOG_BROWSER:-0}" = 1 ]; then  # the browser journeys (tests/journeys), set by `make test`
  command -v chromium >/dev/null || need_apt+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  as_root apt-get update -q >"$LOGS/apt-update.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt-update.log" >&2; die "apt-get update failed; see $LOGS/apt-update.log"; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" \
    >"$LOGS/apt-install.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt-install.log" >&2; die "apt-get install ${need_apt[*]} failed; see $LOGS/apt-install.log"; }
  # Debian starts a default cluster/server on install where it can; ours run on their own ports.
fi

# --- Python virtualenv -----------------------------------------------------------------------
PYTHON="${PYTHON:-python3.11}"
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
