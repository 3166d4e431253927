"""Repeated wrong passwords for one account pause logins to it for a while.

CKAN 2.12 has no such limit: ``ckan/lib/authenticator.py`` logs a failed login and sends the
``failed_login`` signal, nothing more (CKAN sites usually get one from ckanext-security). This is a
small one on CKAN's Redis, around the login form:

- each failed login to an account (the form shown again, nobody logged in) counts one failure;
  failures are remembered for ``govcatalog.login.lock_seconds`` after the latest one;
- from ``govcatalog.login.max_failures`` failures on, the form refuses that account, even with
  the right password, with a message saying for how long (429), until the failures are forgotten;
- a successful login forgets them. Other accounts are not affected.

The account is counted under its user id, whether it was given by name or by e-mail address
(unknown names under the name itself). When Redis does not answer, logins go on unthrottled and
the log says so: a Redis outage must not lock everybody out.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis
from flask import Blueprint, Response, g, request
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

login_throttle = Blueprint("govcatalog_login_throttle", __name__)

LOGIN_ENDPOINT = "user.login"
MAX_FAILURES_OPTION, MAX_FAILURES_DEFAULT = "govcatalog.login.max_failures", 5
LOCK_SECONDS_OPTION, LOCK_SECONDS_DEFAULT = "govcatalog.login.lock_seconds", 900


def max_failures() -> int:
    return tk.asint(tk.config.get(MAX_FAILURES_OPTION, MAX_FAILURES_DEFAULT))


def lock_seconds() -> int:
    return tk.asint(tk.config.get(LOCK_SECONDS_OPTION, LOCK_SECONDS_DEFAULT))


def failures_key(login: str) -> str:
    """The Redis key counting the failures of the account a login name or e-mail designates."""
    user = model.User.by_name(login) or model.User.by_email(login)
    account = user.id if user else login.strip().lower()
    return "{}:govcatalog:login_failures:{}".format(tk.config["ckan.site_id"], account)


def _login_attempt() -> str | None:
    """The login name of a posted login form, else None."""
    if request.method != "POST" or request.endpoint != LOGIN_ENDPOINT:
        return None
    return (request.form.get("login") or "").strip() or None


@login_throttle.before_app_request
def refuse_locked_account() -> Any:
    login = _login_attempt()
    if login is None:
        return None
    key = failures_key(login)
    g.govcatalog_login_failures_key = key
    try:
        redis = connect_to_redis()
        failures = int(redis.get(key) or 0)
        if failures < max_failures():
            return None
        seconds_left = max(int(redis.ttl(key)), 1)
    except RedisError:
        log.warning("login throttling skipped: Redis does not answer", exc_info=True)
        return None
    g.govcatalog_login_refused = True
    tk.h.flash_error(
        tk._(
            "Too many wrong passwords for this account: it cannot log in for another "
            "%(minutes)d minutes. Try again later, or ask an administrator to reset the password."
        )
        % {"minutes": math.ceil(seconds_left / 60)}
    )
    return tk.render("user/login.html", {}), 429


@login_throttle.after_app_request
def count_login_outcome(response: Response) -> Response:
    key = getattr(g, "govcatalog_login_failures_key", None)
    if key is None or getattr(g, "govcatalog_login_refused", False):
        return response
    try:
        redis = connect_to_redis()
        if tk.current_user.is_authenticated:
            redis.delete(key)
        elif response.status_code == 200:  # CKAN shows the form again after a failed login
            with redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, lock_seconds())
                pipe.execute()
    except RedisError:
        log.warning("login failure not counted: Redis does not answer", exc_info=True)
    return response


def get_blueprints() -> list[Blueprint]:
    return [login_throttle]
