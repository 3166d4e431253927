"""gunicorn settings for serving the catalog in production (README: Production).

Started by ``scripts/site.sh serve-production`` (``make production``), or by hand:

    CKAN_INI=/etc/ckan/ckan.ini .venv/bin/gunicorn -c config/gunicorn.conf.py

Environment:
    CKAN_INI                  the CKAN ini to serve (required; read by config/wsgi.py)
    GOVCATALOG_WEB_WORKERS    worker processes (default 4; about one per core, two at most)
    GOVCATALOG_WEB_THREADS    threads per worker (default 1: plain sync workers behind nginx)
    GOVCATALOG_CKAN_PORT      port on 127.0.0.1 (default 5000); nginx listens to the outside
    GOVCATALOG_LOGS           folder for gunicorn-access.log and gunicorn.log (default: stderr)
    GOVCATALOG_RUN            folder for the control socket of ``gunicornc`` (default: none)
"""

from __future__ import annotations

import os
from typing import Any

wsgi_app = "wsgi:application"  # config/wsgi.py
pythonpath = os.path.dirname(os.path.abspath(__file__))

# Only nginx on the same machine talks to gunicorn; X-Forwarded-Proto from it is trusted.
bind = "127.0.0.1:{}".format(os.environ.get("GOVCATALOG_CKAN_PORT", "5000"))
forwarded_allow_ips = "127.0.0.1"

workers = int(os.environ.get("GOVCATALOG_WEB_WORKERS", "4"))
threads = int(os.environ.get("GOVCATALOG_WEB_THREADS", "1"))
proc_name = "govcatalog"

# A request taking longer than this is killed (and logged) rather than holding a worker: the
# slowest pages (a large export, a 13-facet search at 100,000 entries) answer in seconds, and
# long work goes to `ckan jobs worker`. nginx's proxy_read_timeout is set a little longer.
timeout = 120
graceful_timeout = 30
keepalive = 5

# A worker is replaced after this many requests (jitter: not all at once), which bounds the
# memory a slow leak in any library could take.
max_requests = 2000
max_requests_jitter = 200

# The app (CKAN, its plugins, the vocabularies) is loaded once in the master and shared by the
# forked workers: less memory, and a worker that is replaced starts at once.
preload_app = True

_logs = os.environ.get("GOVCATALOG_LOGS")
accesslog = os.path.join(_logs, "gunicorn-access.log") if _logs else "-"
errorlog = os.path.join(_logs, "gunicorn.log") if _logs else "-"
capture_output = True  # CKAN's own log lines (stderr) go to errorlog
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which two
# instances on one machine (the catalog, a test, a benchmark's stock CKAN) would both claim.
_run = os.environ.get("GOVCATALOG_RUN")
if _run:
    control_socket = os.path.join(_run, "gunicorn.ctl")
else:
    control_socket_disable = True


def pre_fork(server: Any, worker: Any) -> None:
    """Close the database connections the master opened while loading the app, so that no
    forked worker shares a connection (socket) with another."""
    from ckan import model

    model.Session.remove()
    if model.meta.engine is not None:
        model.meta.engine.dispose()
