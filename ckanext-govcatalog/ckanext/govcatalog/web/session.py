"""A form posted after the session expired (or after the CSRF token timed out).

Two things can happen to such a post in CKAN 2.12, and neither tells a data officer what to do:
- the session cookie is gone: the user is anonymous, CKAN exempts anonymous posts from the CSRF
  check, and the view refuses with a bare 403 "Unauthorized to create a package";
- the user is still known (the remember-me cookie) but the form's CSRF token expired or belongs
  to the old session: Flask-WTF raises CSRFError, shown as "400 Bad Request".
Both now say what happened and lead back: to the login page, returning to the form afterwards,
or straight back to the form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from flask import Blueprint, request
from flask_wtf.csrf import CSRFError

session = Blueprint("govcatalog_session", __name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_site_path(url: str | None) -> str | None:
    """The path of a URL on this site (never an outside address: no open redirect)."""
    if not url:
        return None
    parsed = urlparse(url)
    site = urlparse(tk.config.get("ckan.site_url") or "")
    if parsed.netloc and parsed.netloc not in (site.netloc, request.host):
        return None
    path = parsed.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parsed.query}" if parsed.query else "")


def _form_page() -> str:
    """The form the user was filling in: the page that posted it, else the URL it posted to."""
    return _same_site_path(request.referrer) or _same_site_path(request.path) or "/"


def _login_again() -> Any:
    tk.h.flash_error(
        tk._("Your session has expired. Please log in again and submit the form once more.")
    )
    return tk.redirect_to(tk.h.url_for("user.login", came_from=_form_page()))


@session.app_errorhandler(CSRFError)
def form_expired(error: CSRFError) -> Any:
    if not tk.current_user.is_authenticated:
        return _login_again()
    tk.h.flash_error(tk._("This page was open too long. Please submit the form once more."))
    return tk.redirect_to(_form_page())


@session.after_app_request
def refused_form_after_logout(response: Any) -> Any:
    """An anonymous form post refused with 401/403: the session ran out while the form was open
    (nobody else reaches a form that needs a login)."""
    if (
        response.status_code in (401, 403)
        and request.method == "POST"
        and request.mimetype in FORM_TYPES
        and not request.path.startswith("/api/")
        and not tk.current_user.is_authenticated
    ):
        return _login_again()
    return response


def get_blueprints() -> list[Blueprint]:
    return [session]
