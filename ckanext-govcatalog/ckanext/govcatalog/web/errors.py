"""Clean error pages when a service the site needs stops answering.

Without this, a request that meets a stopped service ends in CKAN's generic handling: a database
or Redis error escaping a view gives "Internal server error" (or, where CKAN catches a search
error itself, as the dataset form does, a page and a flash message quoting the Solr error's
``repr`` in English: the server's address and the exception). Here each such failure gets a 503
page (JSON for the API) saying, in the user's language, which service failed, that nothing was
saved, and what to do; the details go to the log only.

Services and what meets them:
- PostgreSQL: every page; a connection lost mid-request (a restart) fails that request only:
  SQLAlchemy drops the pool's dead connections, the next request connects again;
- Solr: searching and every save (CKAN indexes an entry before it commits it, so a save whose
  document cannot be sent is rolled back);
- Redis: background jobs (``ckan jobs``, large uploads); reading, searching and saving do not
  need it, and login throttling is skipped while it is down (web/login_throttle.py);
- the storage folder (``ckan.storage_path``): uploads; CKAN writes the file before it commits,
  so an upload that cannot be written registers nothing.

Installed from the plugin's IMiddleware hook, which runs after CKAN registered its own handlers:
the 500 handler here replaces CKAN's (and behaves as it does for every other 500).
"""

from __future__ import annotations

import errno
import html
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr
import sqlalchemy.exc
from ckan import model
from ckan.lib import search
from flask import Flask, request, session
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
PLAIN_PAGE = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>{title}</title></head><body style="font-family:sans-serif;max-width:40em;'
    'margin:3em auto;padding:0 1em"><h1>{title}</h1><p>{text}</p></body></html>'
)
# errors of the operating system that mean the storage folder cannot take a file
STORAGE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
    | {errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EIO}
)


def failed_service(error: BaseException | None) -> str | None:
    """Which service an error (or an error it was raised while handling) says is unavailable:
    "database", "search", "jobs" or "storage"; None for any other error."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)):
            return "database"
        # a statement of this session failed with its connection and was never rolled back
        if isinstance(error, sqlalchemy.exc.PendingRollbackError):
            return "database"
        if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
            return "database"
        if isinstance(error, (search.SearchIndexError, search.SolrConnectionError)):
            return "search"
        if isinstance(error, pysolr.SolrError):
            return "search"
        if isinstance(error, RedisError):
            return "jobs"
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            return "storage"
        error = error.__cause__ or error.__context__
    return None


def message(service: str) -> str:
    """What the page says about a failed service: what failed and what to do."""
    what = {
        "database": tk._("The catalog database is not answering at the moment."),
        "search": tk._("The search service (Solr) is not answering at the moment."),
        "jobs": tk._(
            "The background job service (Redis) is not answering at the moment: background "
            "jobs cannot be started."
        ),
        "storage": tk._("The file storage of the site cannot take files at the moment."),
    }[service]
    return tk._(
        "{failed} Nothing was saved. Please try again in a few minutes; if this persists, "
        "tell the site's operator."
    ).format(failed=what)


def _respond(service: str, error: BaseException) -> Any:
    log.error("request failed, %s unavailable: %s", service, error, exc_info=error)
    # CKAN's abort() flashed its own detail (with the exception's repr) before raising
    session.pop("_flashes", None)
    text = message(service)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if service == "database":
        # the session's transaction died with its connection; the next request needs a new one
        _release_session()
    if request.path.startswith("/api/"):
        body = {
            "success": False,
            "error": {"__type": "Service Unavailable", "service": service, "message": text},
        }
        return body, 503, headers
    try:
        page = tk.render(
            "error_document_template.html",
            {"code": 503, "content": text, "name": tk._("Service unavailable")},
        )
    except Exception:  # the site's layout needs the failed service too: a page without it
        log.warning("error page rendered without the site's layout", exc_info=True)
        page = PLAIN_PAGE.format(
            lang=html.escape(str(tk.h.lang() or "en")),
            title=html.escape(tk._("Service unavailable")),
            text=html.escape(text),
        )
    return page, 503, headers


def _release_session() -> None:
    """Ends the request's database session even when its connection died: closing rolls back,
    and a rollback on a lost connection raises once more (SQLAlchemy has already dropped the
    connection from its pool by then)."""
    try:
        model.Session.rollback()
    except sqlalchemy.exc.SQLAlchemyError:
        log.warning("rollback on a lost database connection failed", exc_info=True)
    try:
        model.Session.remove()
    except sqlalchemy.exc.SQLAlchemyError:
        log.warning("closing a session on a lost database connection failed", exc_info=True)
        model.Session.registry.clear()  # the next use starts a new session


def _release_session_after_request(response: Any) -> Any:
    """Runs just before CKAN's own after-request handler, whose ``Session.remove()`` would otherwise
    raise on a connection lost after the view finished: that error escapes Flask's error
    handlers (after-request handlers run outside them). The view's work is done (a write
    committed before the page was made), so the page stands; CKAN's remove() finds nothing.
    No rollback first: it would expire objects a test client's next request still holds."""
    try:
        model.Session.remove()
    except sqlalchemy.exc.SQLAlchemyError:
        log.warning("closing a session on a lost database connection failed", exc_info=True)
        model.Session.registry.clear()  # the next use starts a new session
    return response


def _unavailable(error: Exception) -> Any:
    service = failed_service(error)
    if service is None:  # an OSError of something else than storage: a plain server error
        return _server_error(InternalServerError(original_exception=error))
    return _respond(service, error)


def _server_error(error: HTTPException) -> Any:
    """A 500: a failed service's page when one caused it, else what CKAN shows (no trace)."""
    cause = getattr(error, "original_exception", None) or error.__context__
    service = failed_service(cause)
    if service is not None:
        return _respond(service, cause)  # type: ignore[arg-type]
    if cause is not None:
        log.error("internal server error", exc_info=cause)
    return tk.render(
        "error_document_template.html",
        {
            "code": 500,
            "content": error.description if error.description else tk._("Internal server error"),
            "name": error.name,
        },
    ), 500


def install(app: Flask) -> None:
    """Registers the handlers on CKAN's Flask app (after CKAN's own)."""
    for kind in (
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
        sqlalchemy.exc.PendingRollbackError,
        search.SearchIndexError,
        search.SolrConnectionError,
        pysolr.SolrError,
        RedisError,
        OSError,
    ):
        app.register_error_handler(kind, _unavailable)
    app.register_error_handler(500, _server_error)
    # After-request handlers run in reverse order of registration. Placed just after CKAN's own
    # in the list, this one runs last before it: the plugins' handlers (the download log) still
    # have the request's session.
    handlers = app.after_request_funcs.setdefault(None, [])
    names = [getattr(handler, "__name__", "") for handler in handlers]
    position = names.index("ckan_after_request") + 1 if "ckan_after_request" in names else 0
    handlers.insert(position, _release_session_after_request)
