"""A server-side cache (Redis) of whole rendered pages for anonymous visitors.

Most visitors of a county catalog are not logged in and ask for the same few pages (the home page,
searches, entry pages); rendering one costs ~100 ms of CPU, a cached copy a few ms. What is cached
and when (``govcatalog.page_cache.enabled``, off unless configured):

- only GET/HEAD requests to the routes in ``ROUTES`` (home, dataset search, dataset page), from a
  visitor CKAN has identified as anonymous (flask-login after the session cookie, the remember
  cookie and the API-token header were read: this runs after CKAN's ``identify_user``), with no
  API-token header at all and no flash message waiting in the session;
- only 200 HTML responses that CKAN itself marks cacheable (its ``render`` ran and set no
  ``__no_cache__``: CKAN refuses caching for logged-in users, flash messages, and everywhere unless
  ``ckan.cache_enabled`` is on), whose session holds nothing of the visitor's but a CSRF token.
  No cookie is stored or replayed; the CSRF token CKAN puts in every page (bound to the
  visitor's session) is stored as a placeholder and replaced by the visitor's own on replay.

Never a stale access decision. A page is stored under its path, normalised query, language,
host, Accept header, the anonymous visitor's permission labels (access/labels.py, from
access/policy.py) and a GENERATION number. Every committed database write that can change what an
anonymous visitor sees bumps the generation, so earlier pages are never found again; it is caught
in one place, SQLAlchemy's engine events (``before_cursor_execute`` marks a connection that wrote
to any table but the few in ``UNSEEN_TABLES``, its ``commit`` bumps): actions, the import fast
path's bulk inserts, demo load, restore, elements, CLI commands and background jobs alike. Search
pages come from Solr, which may be updated after the database commit (the fast path commits Solr
after the database); every document our indexer builds (before_dataset_index, which every index
update of ours passes, since it adds the permission labels) bumps the generation too. A bump also
opens a quiet period (``QUIET_AFTER_WRITE`` / ``QUIET_AFTER_INDEX`` seconds) in which no page is
stored, which covers a page rendered between the bump and the commit (or the Solr commit) that
follows it. Every entry also expires after ``govcatalog.page_cache.ttl`` seconds.

Redis down: nothing is cached or served from the cache and the page is rendered as usual; a bump
that could not be sent is sent again by a thread of that process every OWED_RETRY_SECONDS until
Redis takes it (and by the process's next request, and when a command ends).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.plugins import get_permission_labels
from ckan.lib.redis import connect_to_redis
from flask import Blueprint, Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

ENABLED_OPTION = "govcatalog.page_cache.enabled"
TTL_OPTION, TTL_DEFAULT = "govcatalog.page_cache.ttl", 60
# endpoints whose pages anonymous visitors may get from the cache
ROUTES = frozenset({"home.index", "dataset.search", "dataset.read"})
# tables whose writes never change a cached page: who logged in when, API tokens' last use, the
# sharing workflow (requests, grants, notices: shown only to logged-in users), the audit chain,
# download and usage logs, activity records (written beside the package writes they describe),
# the numbering sequence (its numbers appear only with the entry that uses them)
UNSEEN_TABLES = frozenset(
    {
        "api_token",
        "activity",
        "govcatalog_access_request",
        "govcatalog_grant",
        "govcatalog_notification",
        "govcatalog_audit",
        "govcatalog_access_log",
        "govcatalog_code_sequence",
    }
)
# a user's last_active, updated on their requests, is shown on no cached page
_LAST_ACTIVE = re.compile(r'^UPDATE\s+"?user"?\s+SET\s+last_active=\S+\s+WHERE\b', re.I)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:\w+"?\.)?"?([\w-]+)', re.I)
_READ_VERBS = frozenset(
    {"SELECT", "SHOW", "SET", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "LOCK"}
)
QUIET_AFTER_WRITE = 30  # seconds without storing after a write's commit was sent
QUIET_AFTER_INDEX = 120  # ... after a search-index document was built (sent, committed later)
MAX_BODY = 2 * 1024 * 1024
DROPPED_HEADERS = frozenset({"set-cookie", "date", "content-length"})
STATUS_HEADER = "X-Govcatalog-Page-Cache"
_STORE_PLAN = "govcatalog.page_cache.store"
_DIRTY = "govcatalog_page_cache_dirty"
CSRF_PLACEHOLDER = b"__govcatalog_page_cache_csrf_token__"
# session keys flask-login and Flask keep for every visitor (no content of the page depends on them)
SESSION_BOOKKEEPING = frozenset({"_permanent", "_fresh", "_id"})

page_cache = Blueprint("govcatalog_page_cache", __name__)


# --- keys ---------------------------------------------------------------------------------------


def _site() -> str:
    return tk.config.get("ckan.site_id") or "default"


def generation_key() -> str:
    return f"{_site()}:govcatalog:page_cache:generation"


def quiet_keys() -> tuple[str, str]:
    return (
        f"{_site()}:govcatalog:page_cache:quiet:write",
        f"{_site()}:govcatalog:page_cache:quiet:index",
    )


def enabled() -> bool:
    return tk.asbool(tk.config.get(ENABLED_OPTION, False))


def ttl() -> int:
    return max(1, tk.asint(tk.config.get(TTL_OPTION, TTL_DEFAULT)))


def normalised_query(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query's pairs ordered by name; the order of repeated names is kept (it may show)."""
    return sorted(pairs, key=lambda pair: pair[0])


def anonymous_labels() -> list[str]:
    """The permission labels an anonymous visitor reads entries with (the catalog's rule)."""
    return sorted(get_permission_labels().get_user_dataset_labels(tk.current_user))


def page_key(generation: str) -> str:
    """The key of the current request's page at this generation."""
    parts = {
        "host": request.host_url,
        "path": request.path,
        "query": normalised_query(request.args.items(multi=True)),
        "lang": request.environ.get("CKAN_LANG") or "",
        "accept": request.headers.get("Accept", ""),
        "labels": anonymous_labels(),
    }
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
    return f"{_site()}:govcatalog:page_cache:page:{generation}:{digest}"


_last_warning = [0.0]


def _warn(text: str) -> None:
    """Logs a Redis outage once a minute per process, not once per request or document."""
    now = time.monotonic()
    if now - _last_warning[0] >= 60:
        _last_warning[0] = now
        log.warning(text)


# --- generation -----------------------------------------------------------------------------------

_owed_lock = threading.Lock()
_owed: dict[str, int] = {}  # quiet seconds of a bump Redis did not take, by site id


def bump(quiet_seconds: int = QUIET_AFTER_WRITE) -> None:
    """Makes every stored page unreachable and stores none for ``quiet_seconds``."""
    write_key, index_key = quiet_keys()
    quiet_key = index_key if quiet_seconds >= QUIET_AFTER_INDEX else write_key
    try:
        with connect_to_redis().pipeline() as pipe:
            pipe.incr(generation_key())
            pipe.set(quiet_key, "1", ex=quiet_seconds)
            pipe.execute()
    except RedisError:
        _warn("page cache: the generation was not bumped (Redis does not answer)")
        with _owed_lock:
            _owed[_site()] = max(_owed.get(_site(), 0), quiet_seconds)
            _start_retrying()


def send_owed_bump() -> None:
    """Sends the bump this process could not send while Redis was down (none: nothing)."""
    with _owed_lock:
        quiet = _owed.pop(_site(), None)
    if quiet is not None:
        bump(quiet)


OWED_RETRY_SECONDS = 0.5
_retrier: list[threading.Thread | None] = [None]


def _start_retrying() -> None:
    """Other processes may serve pages from before the lost bump as soon as Redis answers
    again; this process's next request may be far off (or never come: a command that exits), so
    a thread keeps sending the owed bump until Redis takes it. Called with _owed_lock held."""
    thread = _retrier[0]
    if thread is not None and thread.is_alive():
        return
    thread = threading.Thread(target=_retry_owed_bumps, name="page-cache-owed-bump", daemon=True)
    _retrier[0] = thread
    thread.start()


def _retry_owed_bumps() -> None:
    while True:
        time.sleep(OWED_RETRY_SECONDS)
        with _owed_lock:
            if not _owed:
                _retrier[0] = None
                return
        try:
            send_owed_bump()  # a failure owes it again (the thread is alive: no second one)
        except Exception:  # never let the thread die with a bump owed
            log.exception("page cache: sending the owed generation bump failed")


@atexit.register
def _send_owed_bump_at_exit() -> None:
    # a command that wrote while Redis was down tries once more before it ends
    with _owed_lock:
        owed = bool(_owed)
    if owed:
        with contextlib.suppress(Exception):
            send_owed_bump()


_last_index_bump = [0.0]
INDEX_BUMP_EVERY = 5.0  # seconds: a reindex builds thousands of documents


def search_index_changing() -> None:
    """Called for every document the catalog's indexer builds, before it is sent to Solr. One
    bump per INDEX_BUMP_EVERY seconds and process is enough: its quiet period (QUIET_AFTER_INDEX)
    outlasts the documents built after it by far more than that."""
    now = time.monotonic()
    if now - _last_index_bump[0] < INDEX_BUMP_EVERY:
        return
    _last_index_bump[0] = now
    bump(QUIET_AFTER_INDEX)


def writes_seen_table(statement: str) -> bool:
    """Whether an SQL statement may change what an anonymous visitor sees (when committed)."""
    text = statement.lstrip()
    verb = text[:12].split(None, 1)[0].upper() if text else ""
    if verb in _READ_VERBS:
        return False
    if verb == "WITH":
        return bool(re.search(r"\b(INSERT|UPDATE|DELETE)\b", text, re.I))
    match = _WRITE.match(text)
    if match is None:
        return True  # DDL, TRUNCATE, COPY, anything unknown: assume it shows
    if match.group(1).lower() in UNSEEN_TABLES:
        return False
    return not _LAST_ACTIVE.match(text)


def _before_cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if conn.info.get(_DIRTY) or not writes_seen_table(statement):
        return
    level = conn.get_execution_options().get("isolation_level") or getattr(
        conn.engine.dialect, "isolation_level", None
    )
    if level == "AUTOCOMMIT":
        bump()  # committed as it runs; the quiet period covers the statement itself
        return
    conn.info[_DIRTY] = True


def _commit(conn: Any) -> None:
    # sent just before the database commits: the quiet period covers the commit itself
    if conn.info.pop(_DIRTY, False):
        bump()


def _rollback(conn: Any) -> None:
    conn.info.pop(_DIRTY, None)


_LISTENERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("before_cursor_execute", _before_cursor_execute),
    ("commit", _commit),
    ("rollback", _rollback),
)


def listen_to_writes() -> None:
    """Registers the write listeners on every SQLAlchemy engine of the process (once)."""
    for name, listener in _LISTENERS:
        if not sa.event.contains(sa.engine.Engine, name, listener):
            sa.event.listen(sa.engine.Engine, name, listener)


# --- serving --------------------------------------------------------------------------------------


def _anonymous_request() -> bool:
    """A GET/HEAD of a cached route by a visitor CKAN identified as anonymous, nothing pending."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in ROUTES:
        return False
    if request.headers.get(tk.config.get("apitoken_header_name") or "Authorization"):
        return False
    if not tk.current_user.is_anonymous or g.get("user"):
        return False
    return not session.get("_flashes")


@page_cache.before_app_request
def serve_cached_page() -> Response | None:
    """Answers from the cache; runs after CKAN's before-request handler identified the visitor."""
    if not enabled() or not _anonymous_request():
        return None
    started = time.perf_counter()
    try:
        send_owed_bump()
        redis = connect_to_redis()
        generation = (redis.get(generation_key()) or b"0").decode()
        key = page_key(generation)
        stored = redis.get(key)
    except RedisError:
        _warn("page cache skipped: Redis does not answer")
        return None
    if stored is None:
        if request.method == "GET":
            g.govcatalog_page_cache = (key, generation)
        return None
    head, _sep, body = stored.partition(b"\n")
    if CSRF_PLACEHOLDER in body:
        # the visitor's own token (made now, in their session), never the one the page was made with
        body = body.replace(CSRF_PLACEHOLDER, generate_csrf().encode())
    response = Response(body, status=200, headers=json.loads(head))
    response.headers[STATUS_HEADER] = f"hit; {(time.perf_counter() - started) * 1000:.1f}ms"
    return response


@page_cache.after_app_request
def mark_page_for_storing(response: Response) -> Response:
    """Hands a page the cache may keep to the storing layer (which sees the final headers)."""
    plan = g.pop("govcatalog_page_cache", None)
    if plan is None:
        return response
    response.headers[STATUS_HEADER] = "miss"
    environ = request.environ
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "__limit_cache_by_cookie__" in environ  # CKAN's render judged the page ...
        and "__no_cache__" not in environ  # ... and allowed caching it
        and tk.current_user.is_anonymous
        # nothing of the visitor's in the session but the CSRF token (replaced, see _store)
        and set(session.keys()) <= {csrf_field, *SESSION_BOOKKEEPING}
    ):
        key, generation = plan
        environ[_STORE_PLAN] = (key, generation, g.get(csrf_field))
    return response


class StoringLayer:
    """WSGI layer around CKAN's Flask app: stores the pages marked for it once the whole response
    is known (Flask writes the session cookie after the after-request handlers ran)."""

    def __init__(self, app: Callable[..., Any], session_cookie_name: str) -> None:
        self.app = app
        self.session_cookie_name = session_cookie_name

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seen: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *exc)

        body = self.app(environ, remember)
        plan = environ.get(_STORE_PLAN)
        if plan is None:
            return body
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = seen.get("headers") or []
        session_cookie = f"{self.session_cookie_name}="
        if str(seen.get("status", "")).startswith("200") and all(
            value.startswith(session_cookie)  # the visitor's session, kept out of the cache
            for name, value in headers
            if name.lower() == "set-cookie"
        ):
            _store(plan, headers, b"".join(chunks))
        return chunks


def _store(plan: tuple[str, str, str | None], headers: list[tuple[str, str]], body: bytes) -> None:
    key, generation, csrf_token = plan
    if len(body) > MAX_BODY:
        return
    if csrf_token:
        # CKAN's pages carry the visitor's CSRF token (a meta tag for its JavaScript, forms):
        # kept as a placeholder, each visitor gets their own when the page is replayed
        body = body.replace(csrf_token.encode(), CSRF_PLACEHOLDER)
    kept = [
        [name, value]
        for name, value in headers
        if name.lower() not in DROPPED_HEADERS and name != STATUS_HEADER
    ]
    try:
        redis = connect_to_redis()
        current, *quiet = redis.mget(generation_key(), *quiet_keys())
        if (current or b"0").decode() != generation or any(quiet):
            return  # written to since the page was begun, or a commit may still be on its way
        redis.set(key, json.dumps(kept).encode() + b"\n" + body, ex=ttl())
    except RedisError:
        _warn("page not cached: Redis does not answer")


def install(app: Flask) -> None:
    """Wraps CKAN's Flask app in the storing layer and listens to the database's writes."""
    listen_to_writes()
    app.wsgi_app = StoringLayer(  # type: ignore[method-assign]
        app.wsgi_app, app.config.get("SESSION_COOKIE_NAME") or "session"
    )


def get_blueprints() -> list[Blueprint]:
    return [page_cache]
