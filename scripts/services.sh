#!/usr/bin/env bash
# start|stop|status every service the catalog needs: PostgreSQL, Redis, Solr, Keycloak (single sign-on).
source "$(dirname "$0")/lib.sh"
cmd="${1:-status}"
case "$cmd" in
  start) for s in postgres redis solr keycloak; do "$ROOT/scripts/services/$s.sh" start; done ;;
  stop)  for s in keycloak solr redis postgres; do "$ROOT/scripts/services/$s.sh" stop; done
         if [ -s "$RUN/ckan.pid" ] && kill -0 "$(cat "$RUN/ckan.pid")" 2>/dev/null; then
           kill "$(cat "$RUN/ckan.pid")" && say "CKAN stopped"
         fi ;;
  status) rc=0; for s in postgres redis solr keycloak; do "$ROOT/scripts/services/$s.sh" status || rc=1; done
          if curl -sf "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" >/dev/null; then
            echo "ckan: up (http://127.0.0.1:$CKAN_PORT)"; else echo "ckan: down"; fi
          exit $rc ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
